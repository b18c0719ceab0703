//! What happens to tokens after they are issued: refreshed (rotated), revoked by their app, and
//! listed and revoked by the owner on the settings page.

use std::collections::BTreeMap;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::oauth::AuthorizedApp;
use crate::model::Timestamp;
use crate::store::oauth as stored;

use super::{issue, token_hash, Issued, Scopes};

/// The refresh_token grant: the old token (access and refresh) stops working, a new pair with
/// the same scopes (or fewer, if asked) replaces it.
pub fn refresh(
    conn: &Connection,
    app: &stored::App,
    refresh_token: &str,
    requested: Option<&str>,
    now: Timestamp,
) -> Result<Issued> {
    let invalid = || Error::new(400, "invalid_grant");
    if refresh_token.is_empty() || refresh_token.len() > 200 {
        return Err(invalid());
    }
    let Some(old) = stored::live_token_by_refresh(conn, &token_hash(refresh_token))? else {
        return Err(invalid());
    };
    if old.app_id != app.id || !old.for_owner {
        return Err(invalid());
    }
    let had = Scopes::parse(&old.scopes)?;
    let scopes = match requested.filter(|r| !r.trim().is_empty()) {
        Some(requested) => {
            let requested = Scopes::parse(requested)?;
            if !requested.within(&had) {
                return Err(Error::new(400, "invalid_scope"));
            }
            requested
        }
        None => had,
    };
    if stored::revoke_token(conn, old.id, now)? == 0 {
        return Err(invalid());
    }
    issue(conn, app.id, &scopes, true, now)
}

/// What `/oauth/revoke` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Revoked {
    /// Revoked, or unknown (RFC 7009: both answer 200).
    Done,
    /// The token belongs to another app, which alone may revoke it.
    NotYours,
}

/// `/oauth/revoke`: the app's own token (its access or its refresh token) stops working.
pub fn revoke(
    conn: &Connection,
    app: &stored::App,
    token: &str,
    now: Timestamp,
) -> Result<Revoked> {
    if token.is_empty() || token.len() > 200 {
        return Ok(Revoked::Done);
    }
    match stored::live_token_owner(conn, &token_hash(token))? {
        Some((id, app_id)) if app_id == app.id => {
            stored::revoke_token(conn, id, now)?;
            Ok(Revoked::Done)
        }
        Some(_) => Ok(Revoked::NotYours),
        None => Ok(Revoked::Done),
    }
}

/// The apps holding live tokens for the owner, most recently authorized first, each with the
/// scopes of all its tokens and its latest use.
pub fn authorized_apps(conn: &Connection) -> Result<Vec<AuthorizedApp>> {
    let mut apps: BTreeMap<i64, AuthorizedApp> = BTreeMap::new();
    for token in stored::owner_tokens(conn)? {
        let entry = apps.entry(token.app_id).or_insert_with(|| AuthorizedApp {
            app_id: token.app_id,
            name: token.app_name.clone(),
            website: token.app_website.clone(),
            scopes: Vec::new(),
            authorized_at: token.created_at,
            last_used_at: None,
        });
        for scope in token.scopes.split_whitespace() {
            if !entry.scopes.iter().any(|s| s == scope) {
                entry.scopes.push(scope.to_string());
            }
        }
        entry.authorized_at = Timestamp(entry.authorized_at.0.min(token.created_at.0));
        entry.last_used_at = match (entry.last_used_at, token.last_used_at) {
            (Some(a), Some(b)) => Some(Timestamp(a.0.max(b.0))),
            (a, b) => a.or(b),
        };
    }
    let mut apps: Vec<AuthorizedApp> = apps.into_values().collect();
    apps.sort_by_key(|app| std::cmp::Reverse(app.authorized_at.0));
    Ok(apps)
}

/// The settings page's "revoke": every token of the app stops working.
pub fn revoke_app(conn: &Connection, app_id: i64, now: Timestamp) -> Result<usize> {
    Ok(stored::revoke_app_tokens(conn, app_id, now)?)
}
