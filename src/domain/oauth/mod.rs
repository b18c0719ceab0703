//! OAuth 2 for the Mastodon client API: apps, scopes, grants and the bearer tokens they yield.
//! Secrets, codes and tokens are random, shown once, and stored only as SHA-256 hashes.

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::Timestamp;
use crate::store::oauth::{self as stored, NewApp, NewToken};

use super::auth::{self, LoginRefusal};
use super::{random_token, token_hash};

mod authorize;
mod scopes;
mod tokens;
pub use authorize::{approve, check, deny, exchange, Answer, AuthorizeRequest, CODE_LIFETIME_MS};
pub use scopes::Scopes;
pub use tokens::{authorized_apps, refresh, revoke, revoke_app, Revoked};

/// The redirect URI that shows the code to copy instead of redirecting.
pub const OUT_OF_BAND: &str = "urn:ietf:wg:oauth:2.0:oob";
const MAX_APP_NAME_CHARS: usize = 200;
const MAX_REDIRECT_URIS: usize = 10;
const MAX_URI_BYTES: usize = 2_000;

/// An app as its registration answers it: the secret appears here once.
#[derive(Clone, Debug)]
pub struct Registered {
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: Vec<String>,
    pub scopes: Scopes,
    pub client_id: String,
    pub client_secret: String,
}

pub struct Registration<'a> {
    pub name: &'a str,
    pub website: Option<&'a str>,
    /// As sent: one or more URIs separated by whitespace.
    pub redirect_uris: &'a str,
    pub scopes: Option<&'a str>,
}

/// `POST /api/v1/apps`.
pub fn register_app(
    conn: &Connection,
    registration: &Registration<'_>,
    now: Timestamp,
) -> Result<Registered> {
    let name = registration.name.trim();
    if name.is_empty() || name.chars().count() > MAX_APP_NAME_CHARS {
        return Err(Error::new(422, "client_name must be 1 to 200 characters"));
    }
    let redirect_uris: Vec<String> = registration
        .redirect_uris
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if redirect_uris.is_empty() || redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(Error::new(422, "redirect_uris must name 1 to 10 URIs"));
    }
    for uri in &redirect_uris {
        let acceptable = uri == OUT_OF_BAND
            || (uri.len() <= MAX_URI_BYTES
                && url::Url::parse(uri).is_ok_and(|u| u.fragment().is_none()));
        if !acceptable {
            return Err(Error::new(422, "redirect_uris holds an invalid URI"));
        }
    }
    let scopes = Scopes::parse(registration.scopes.unwrap_or("read"))?;
    let website = registration
        .website
        .map(str::trim)
        .filter(|w| !w.is_empty() && w.len() <= MAX_URI_BYTES);
    let client_id = random_token();
    let client_secret = random_token();
    let id = stored::insert_app(
        conn,
        &NewApp {
            client_id: &client_id,
            secret_hash: &token_hash(&client_secret),
            name,
            website,
            redirect_uris: &redirect_uris,
            scopes: &scopes.to_string(),
        },
        now,
    )?;
    Ok(Registered {
        id,
        name: name.to_string(),
        website: website.map(str::to_string),
        redirect_uris,
        scopes,
        client_id,
        client_secret,
    })
}

/// The app a client_id names, when its secret matches (compared by hash, in constant time).
pub fn client(conn: &Connection, client_id: &str, secret: &str) -> Result<stored::App> {
    let app = stored::app_by_client_id(conn, client_id)?;
    match app {
        Some(app)
            if auth::constant_time_eq(
                token_hash(secret).as_bytes(),
                app.secret_hash.as_bytes(),
            ) =>
        {
            Ok(app)
        }
        _ => Err(Error::new(401, "client authentication failed")),
    }
}

/// An access token as handed out: shown to the app once.
#[derive(Clone, Debug)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scopes: Scopes,
    pub created_at: Timestamp,
}

/// Mints a token for an app, acting for the owner or (client_credentials) for the app alone.
pub fn issue(
    conn: &Connection,
    app_id: i64,
    scopes: &Scopes,
    for_owner: bool,
    now: Timestamp,
) -> Result<Issued> {
    let access_token = random_token();
    let refresh_token = for_owner.then(random_token);
    stored::insert_token(
        conn,
        &NewToken {
            token_hash: &token_hash(&access_token),
            refresh_hash: refresh_token.as_deref().map(token_hash).as_deref(),
            app_id,
            scopes: &scopes.to_string(),
            for_owner,
        },
        now,
    )?;
    Ok(Issued {
        access_token,
        refresh_token,
        scopes: scopes.clone(),
        created_at: now,
    })
}

/// The password grant (for scripts and `toot login_cli`): the owner's password, rate-limited
/// like the login form. The username may be the owner's name or any e-mail-like string.
pub fn password_grant(
    conn: &Connection,
    app: &stored::App,
    password: &str,
    requested: Option<&str>,
    address: &str,
    now: Timestamp,
) -> Result<Issued> {
    let scopes = granted(app, requested)?;
    match auth::login(conn, address, password, now)? {
        Ok(()) => issue(conn, app.id, &scopes, true, now),
        Err(LoginRefusal::TooManyAttempts) => Err(Error::new(
            429,
            "too many failed logins; try again in a quarter of an hour",
        )),
        Err(_) => Err(Error::new(400, "invalid_grant")),
    }
}

/// The scopes a grant gets: those requested (else the app's), which must lie within the app's.
pub fn granted(app: &stored::App, requested: Option<&str>) -> Result<Scopes> {
    let registered = Scopes::parse(&app.scopes)?;
    let Some(requested) = requested.filter(|r| !r.trim().is_empty()) else {
        return Ok(registered);
    };
    let requested = Scopes::parse(requested)?;
    if requested.within(&registered) {
        Ok(requested)
    } else {
        Err(Error::new(400, "invalid_scope"))
    }
}

/// Who a bearer token speaks for.
#[derive(Clone, Debug)]
pub struct Grant {
    pub token_id: i64,
    pub app_id: i64,
    pub app_name: String,
    pub app_website: Option<String>,
    pub scopes: Scopes,
    /// False for an app-only token (client_credentials): it may not act for the owner.
    pub for_owner: bool,
    /// The token's "last used", as written by this or an earlier request.
    pub used_at: Timestamp,
}

impl Grant {
    /// Whether a request now may skip writing "last used" again (see [`authenticate`]).
    pub fn used_recently(&self, now: Timestamp) -> bool {
        now.0 - self.used_at.0 < TOUCH_EVERY_MS
    }
}

/// The key a grant is kept under in memory: the SHA-256 of its bearer token, never the token.
pub fn bearer_key(bearer: &str) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, bearer.as_bytes());
    let mut key = [0; 32];
    key.copy_from_slice(digest.as_ref());
    key
}

/// The grant behind a bearer token, if it is live.
/// How stale a token's "last used" may get before a request writes it again.
const TOUCH_EVERY_MS: i64 = 60_000;

pub fn authenticate(conn: &Connection, bearer: &str, now: Timestamp) -> Result<Option<Grant>> {
    let Some(token) = stored::live_token(conn, &token_hash(bearer))? else {
        return Ok(None);
    };
    // "Last used" to the minute: most requests then run no write statement (an UPDATE takes
    // SQLite's write lock even when it changes no row).
    let used_at = match token.last_used_at {
        Some(at) if at.0 >= now.0 - TOUCH_EVERY_MS => at,
        _ => {
            stored::touch_token(conn, token.id, now)?;
            now
        }
    };
    Ok(Some(Grant {
        token_id: token.id,
        app_id: token.app_id,
        app_name: token.app_name,
        app_website: token.app_website,
        scopes: Scopes::parse(&token.scopes)?,
        for_owner: token.for_owner,
        used_at,
    }))
}

#[cfg(test)]
mod tests;
