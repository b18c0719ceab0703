//! Quotes (FEP-044f): which post quotes which and whether its author consented (`quotes`), and
//! the authorizations we granted for quotes of the owner's posts (`quote_authorizations`).

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{Quote, QuoteState, Timestamp};

use super::new_id;

/// A quote to record: `post_uri` quotes `quoted_uri`.
#[derive(Clone, Debug)]
pub struct NewQuote<'a> {
    pub post_uri: &'a str,
    /// The quoting post's id when it is the owner's.
    pub own_post_id: Option<i64>,
    pub quoted_uri: &'a str,
    /// The quoted post's id when it is the owner's.
    pub quoted_post_id: Option<i64>,
    pub authorization_uri: Option<&'a str>,
    pub request_uri: Option<&'a str>,
    pub state: QuoteState,
}

/// What we keep of one quote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuoteRow {
    pub post_uri: String,
    pub own_post_id: Option<i64>,
    pub quoted_uri: String,
    pub authorization_uri: Option<String>,
    pub request_uri: Option<String>,
    pub state: QuoteState,
}

/// Records a quote, or replaces what we knew of it (an edit may change the quoted post or bring
/// the authorization).
pub fn upsert(conn: &Connection, quote: &NewQuote, now: Timestamp) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO quotes (post_uri, own_post_id, quoted_uri, quoted_post_id, authorization_uri,
                             request_uri, state, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (post_uri) DO UPDATE SET quoted_uri = excluded.quoted_uri,
             quoted_post_id = excluded.quoted_post_id,
             authorization_uri = excluded.authorization_uri,
             request_uri = ifnull(excluded.request_uri, quotes.request_uri),
             state = excluded.state",
    )?
    .execute(params![
        quote.post_uri,
        quote.own_post_id,
        quote.quoted_uri,
        quote.quoted_post_id,
        quote.authorization_uri,
        quote.request_uri,
        quote.state.as_str(),
        now.0
    ])?;
    Ok(())
}

/// Forgets the quote of a post (edited to quote nothing, or deleted).
pub fn delete(conn: &Connection, post_uri: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM quotes WHERE post_uri = ?1", [post_uri])?;
    Ok(())
}

const ROW: &str =
    "post_uri, own_post_id, quoted_uri, authorization_uri, request_uri, state FROM quotes";

fn from_row(row: &rusqlite::Row) -> rusqlite::Result<QuoteRow> {
    let state: String = row.get(5)?;
    Ok(QuoteRow {
        post_uri: row.get(0)?,
        own_post_id: row.get(1)?,
        quoted_uri: row.get(2)?,
        authorization_uri: row.get(3)?,
        request_uri: row.get(4)?,
        // Only our code writes the column (and its CHECK holds it to these).
        state: parse_state(&state),
    })
}

fn parse_state(text: &str) -> QuoteState {
    match text {
        "pending" => QuoteState::Pending,
        "accepted" => QuoteState::Accepted,
        "revoked" => QuoteState::Revoked,
        "legacy" => QuoteState::Legacy,
        _ => QuoteState::Rejected,
    }
}

pub fn get(conn: &Connection, post_uri: &str) -> rusqlite::Result<Option<QuoteRow>> {
    conn.cached_row(
        &format!("SELECT {ROW} WHERE post_uri = ?1"),
        [post_uri],
        from_row,
    )
    .optional()
}

/// The owner's quote that our QuoteRequest `request_uri` asked for.
pub fn by_request(conn: &Connection, request_uri: &str) -> rusqlite::Result<Option<QuoteRow>> {
    conn.cached_row(
        &format!("SELECT {ROW} WHERE request_uri = ?1"),
        [request_uri],
        from_row,
    )
    .optional()
}

/// Marks the quote of `post_uri` with its answer.
pub fn set_state(
    conn: &Connection,
    post_uri: &str,
    state: QuoteState,
    authorization_uri: Option<&str>,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE quotes SET state = ?2, authorization_uri = ifnull(?3, authorization_uri)
         WHERE post_uri = ?1",
        params![post_uri, state.as_str(), authorization_uri],
    )? > 0)
}

/// Revokes every quote that rests on the authorization `uri`; the quoting posts, for telling.
pub fn revoke_authorization(conn: &Connection, uri: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "UPDATE quotes SET state = 'revoked' WHERE authorization_uri = ?1 AND state = 'accepted'
         RETURNING post_uri",
    )?;
    let rows = statement.query_map([uri], |row| row.get(0))?;
    rows.collect()
}

/// The subquery that reads a post's quote as the JSON [`Quote::from_json`] takes; `quoting` is
/// the condition naming the quoting post (`q.post_uri = remote_posts.uri`). The quoted post is
/// carded only while it may be shown to anyone (public or unlisted).
pub fn quote_json(quoting: &str) -> String {
    format!(
        "(SELECT json_object('uri', q.quoted_uri, 'state', q.state,
          'authorization', q.authorization_uri, 'card', json(CASE
            WHEN qr.id IS NOT NULL THEN json_object(
                'author_name', CASE WHEN qa.display_name = '' THEN qa.username
                               ELSE qa.display_name END,
                'author_handle', '@' || qa.username || '@' || qa.domain,
                'content_html', qr.content_html, 'summary', qr.summary)
            WHEN qp.id IS NOT NULL THEN json_object(
                'author_name', (SELECT display_name FROM profile WHERE id = 1),
                'content_html', qp.content_html, 'summary', qp.summary)
          END))
          FROM quotes q
          LEFT JOIN remote_posts qr ON qr.uri = q.quoted_uri
               AND qr.visibility IN ('public', 'unlisted')
          LEFT JOIN actors qa ON qa.id = qr.actor_id
          LEFT JOIN posts qp ON qp.id = q.quoted_post_id
               AND qp.visibility IN ('public', 'unlisted')
          WHERE {quoting})"
    )
}

/// The quotes of the owner's posts `ids` (a JSON array), as (quoting post id, quote).
pub fn of_own_posts(conn: &Connection, ids: &str) -> rusqlite::Result<Vec<(i64, Quote)>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT p.value, {} FROM json_each(?1) p",
        quote_json("q.own_post_id = p.value")
    ))?;
    let rows = statement.query_map([ids], |row| {
        let json: Option<String> = row.get(1)?;
        Ok((row.get::<_, i64>(0)?, json))
    })?;
    let mut quotes = Vec::new();
    for row in rows {
        let (id, json) = row?;
        if let Some(quote) = Quote::from_json(json.as_deref()) {
            quotes.push((id, *quote));
        }
    }
    Ok(quotes)
}

/// Remote posts that quote the owner's post `post_id` with its consent, oldest first.
pub fn quoting_remote_posts(conn: &Connection, post_id: i64) -> rusqlite::Result<Vec<i64>> {
    let mut statement = conn.prepare_cached(
        "SELECT rp.id FROM quotes q JOIN remote_posts rp ON rp.uri = q.post_uri
         WHERE q.quoted_post_id = ?1 AND q.state = 'accepted' ORDER BY rp.id LIMIT 200",
    )?;
    let rows = statement.query_map([post_id], |row| row.get(0))?;
    rows.collect()
}

/// An authorization we granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub id: i64,
    pub post_id: i64,
    pub quoting_uri: String,
    pub actor_id: i64,
    pub revoked: bool,
}

/// Grants the quote of our post `post_id` by `quoting_uri` (of `actor_id`); the authorization's
/// id (the same one again for a repeated request).
pub fn grant(
    conn: &Connection,
    post_id: i64,
    quoting_uri: &str,
    actor_id: i64,
    now: Timestamp,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO quote_authorizations (id, post_id, quoting_uri, actor_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (quoting_uri) DO UPDATE SET revoked_at = NULL
         WHERE quote_authorizations.post_id = excluded.post_id",
        params![new_id(now), post_id, quoting_uri, actor_id, now.0],
    )?;
    conn.cached_row(
        "SELECT id FROM quote_authorizations WHERE quoting_uri = ?1",
        [quoting_uri],
        |row| row.get(0),
    )
}

pub fn authorization(conn: &Connection, id: i64) -> rusqlite::Result<Option<Authorization>> {
    conn.cached_row(
        "SELECT id, post_id, quoting_uri, actor_id, revoked_at IS NOT NULL
         FROM quote_authorizations WHERE id = ?1",
        [id],
        |row| {
            Ok(Authorization {
                id: row.get(0)?,
                post_id: row.get(1)?,
                quoting_uri: row.get(2)?,
                actor_id: row.get(3)?,
                revoked: row.get(4)?,
            })
        },
    )
    .optional()
}

/// The live authorization of the quote `quoting_uri`, if we granted one.
pub fn authorization_for(
    conn: &Connection,
    quoting_uri: &str,
) -> rusqlite::Result<Option<Authorization>> {
    let id: Option<i64> = conn
        .cached_row(
            "SELECT id FROM quote_authorizations WHERE quoting_uri = ?1 AND revoked_at IS NULL",
            [quoting_uri],
            |row| row.get(0),
        )
        .optional()?;
    match id {
        Some(id) => authorization(conn, id),
        None => Ok(None),
    }
}

/// Marks an authorization revoked; false when there was no live one.
pub fn revoke(conn: &Connection, id: i64, now: Timestamp) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE quote_authorizations SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, now.0],
    )? == 1)
}
