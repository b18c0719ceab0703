//! OAuth apps, authorization codes and access tokens for the Mastodon client API. Every secret
//! arrives here already hashed.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::Timestamp;

/// A registered client app.
#[derive(Clone, Debug)]
pub struct App {
    pub id: i64,
    pub client_id: String,
    pub secret_hash: String,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: Vec<String>,
    pub scopes: String,
    pub created_at: Timestamp,
}

pub struct NewApp<'a> {
    pub client_id: &'a str,
    pub secret_hash: &'a str,
    pub name: &'a str,
    pub website: Option<&'a str>,
    pub redirect_uris: &'a [String],
    pub scopes: &'a str,
}

const APP_COLUMNS: &str =
    "id, client_id, secret_hash, name, website, redirect_uris, scopes, created_at";

fn app_from(row: &Row<'_>) -> rusqlite::Result<App> {
    let uris: String = row.get(5)?;
    Ok(App {
        id: row.get(0)?,
        client_id: row.get(1)?,
        secret_hash: row.get(2)?,
        name: row.get(3)?,
        website: row.get(4)?,
        redirect_uris: uris.lines().map(str::to_string).collect(),
        scopes: row.get(6)?,
        created_at: Timestamp(row.get(7)?),
    })
}

pub fn insert_app(conn: &Connection, app: &NewApp<'_>, now: Timestamp) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO oauth_apps (client_id, secret_hash, name, website, redirect_uris, scopes,
                                 created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            app.client_id,
            app.secret_hash,
            app.name,
            app.website,
            app.redirect_uris.join("\n"),
            app.scopes,
            now.0
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn app_by_client_id(conn: &Connection, client_id: &str) -> rusqlite::Result<Option<App>> {
    conn.cached_row(
        &format!("SELECT {APP_COLUMNS} FROM oauth_apps WHERE client_id = ?1"),
        [client_id],
        app_from,
    )
    .optional()
}

pub fn app(conn: &Connection, id: i64) -> rusqlite::Result<Option<App>> {
    conn.cached_row(
        &format!("SELECT {APP_COLUMNS} FROM oauth_apps WHERE id = ?1"),
        [id],
        app_from,
    )
    .optional()
}

/// An access token as stored, with its app's name.
#[derive(Clone, Debug)]
pub struct Token {
    pub id: i64,
    pub app_id: i64,
    pub app_name: String,
    pub app_website: Option<String>,
    pub scopes: String,
    pub for_owner: bool,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

pub struct NewToken<'a> {
    pub token_hash: &'a str,
    pub refresh_hash: Option<&'a str>,
    pub app_id: i64,
    pub scopes: &'a str,
    pub for_owner: bool,
}

pub fn insert_token(
    conn: &Connection,
    token: &NewToken<'_>,
    now: Timestamp,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO oauth_tokens (token_hash, refresh_hash, app_id, scopes, for_owner, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            token.token_hash,
            token.refresh_hash,
            token.app_id,
            token.scopes,
            token.for_owner,
            now.0
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

const TOKEN_COLUMNS: &str = "t.id, t.app_id, a.name, a.website, t.scopes, t.for_owner,
                             t.created_at, t.last_used_at";

fn token_from(row: &Row<'_>) -> rusqlite::Result<Token> {
    Ok(Token {
        id: row.get(0)?,
        app_id: row.get(1)?,
        app_name: row.get(2)?,
        app_website: row.get(3)?,
        scopes: row.get(4)?,
        for_owner: row.get(5)?,
        created_at: Timestamp(row.get(6)?),
        last_used_at: row.get::<_, Option<i64>>(7)?.map(Timestamp),
    })
}

/// A live (not revoked) token by the hash of its secret.
pub fn live_token(conn: &Connection, token_hash: &str) -> rusqlite::Result<Option<Token>> {
    conn.cached_row(
        &format!(
            "SELECT {TOKEN_COLUMNS} FROM oauth_tokens t JOIN oauth_apps a ON a.id = t.app_id
             WHERE t.token_hash = ?1 AND t.revoked_at IS NULL"
        ),
        [token_hash],
        token_from,
    )
    .optional()
}

/// A live token by the hash of its refresh token.
pub fn live_token_by_refresh(
    conn: &Connection,
    refresh_hash: &str,
) -> rusqlite::Result<Option<Token>> {
    conn.cached_row(
        &format!(
            "SELECT {TOKEN_COLUMNS} FROM oauth_tokens t JOIN oauth_apps a ON a.id = t.app_id
             WHERE t.refresh_hash = ?1 AND t.revoked_at IS NULL"
        ),
        [refresh_hash],
        token_from,
    )
    .optional()
}

/// The live tokens acting for the owner, newest first: the settings page's "authorized apps".
pub fn owner_tokens(conn: &Connection) -> rusqlite::Result<Vec<Token>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {TOKEN_COLUMNS} FROM oauth_tokens t JOIN oauth_apps a ON a.id = t.app_id
         WHERE t.revoked_at IS NULL AND t.for_owner = 1 ORDER BY t.id DESC"
    ))?;
    let rows = statement.query_map([], token_from)?;
    rows.collect()
}

/// Records a use, at most once a minute per token (it is read on every API request).
pub fn touch_token(conn: &Connection, id: i64, now: Timestamp) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE oauth_tokens SET last_used_at = ?2 WHERE id = ?1",
        params![id, now.0],
    )?;
    Ok(())
}

pub fn revoke_token(conn: &Connection, id: i64, now: Timestamp) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE oauth_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, now.0],
    )
}

/// Revokes every token of an app: what "revoke" on the settings page does.
pub fn revoke_app_tokens(
    conn: &Connection,
    app_id: i64,
    now: Timestamp,
) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE oauth_tokens SET revoked_at = ?2 WHERE app_id = ?1 AND revoked_at IS NULL",
        params![app_id, now.0],
    )
}

/// An authorization code as stored (by hash), waiting to be exchanged for a token.
#[derive(Clone, Debug)]
pub struct Code {
    pub app_id: i64,
    pub scopes: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub expires_at: Timestamp,
}

pub fn insert_code(conn: &Connection, code_hash: &str, code: &Code) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO oauth_codes (code_hash, app_id, scopes, redirect_uri, code_challenge,
                                  expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            code_hash,
            code.app_id,
            code.scopes,
            code.redirect_uri,
            code.code_challenge,
            code.expires_at.0
        ],
    )?;
    Ok(())
}

/// Marks a code used and returns it, if it was unused: a code works once, whatever follows.
pub fn take_code(conn: &Connection, code_hash: &str) -> rusqlite::Result<Option<Code>> {
    conn.cached_row(
        "UPDATE oauth_codes SET used = 1 WHERE code_hash = ?1 AND used = 0
         RETURNING app_id, scopes, redirect_uri, code_challenge, expires_at",
        [code_hash],
        |row| {
            Ok(Code {
                app_id: row.get(0)?,
                scopes: row.get(1)?,
                redirect_uri: row.get(2)?,
                code_challenge: row.get(3)?,
                expires_at: Timestamp(row.get(4)?),
            })
        },
    )
    .optional()
}

/// Forgets codes that expired before `before` (used or not): they can never work again.
pub fn forget_codes(conn: &Connection, before: Timestamp) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM oauth_codes WHERE expires_at < ?1", [before.0])
}

/// The (token id, app id) of a live token whose access or refresh token has this hash.
pub fn live_token_owner(conn: &Connection, hash: &str) -> rusqlite::Result<Option<(i64, i64)>> {
    conn.cached_row(
        "SELECT id, app_id FROM oauth_tokens
         WHERE (token_hash = ?1 OR refresh_hash = ?1) AND revoked_at IS NULL",
        [hash],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()
}
