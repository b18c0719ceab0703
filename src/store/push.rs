//! Web Push subscriptions, one per access token, each with how far it has sent.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::Timestamp;

#[derive(Clone, Debug)]
pub struct Subscription {
    pub id: i64,
    pub token_id: i64,
    pub endpoint: String,
    pub p256dh: Vec<u8>,
    pub auth: Vec<u8>,
    pub alerts: String,
    pub policy: String,
    pub sent_through: i64,
    pub attempts: u32,
    /// Whether p256dh and auth are sealed (rows from before 0018 are raw until serve seals them).
    pub sealed: bool,
    /// The app's bearer token, sealed.
    pub access_token: Option<Vec<u8>>,
}

const COLUMNS: &str =
    "id, token_id, endpoint, p256dh, auth, alerts, policy, sent_through, attempts, sealed, access_token";

fn row(row: &Row) -> rusqlite::Result<Subscription> {
    Ok(Subscription {
        id: row.get(0)?,
        token_id: row.get(1)?,
        endpoint: row.get(2)?,
        p256dh: row.get(3)?,
        auth: row.get(4)?,
        alerts: row.get(5)?,
        policy: row.get(6)?,
        sent_through: row.get(7)?,
        attempts: row.get(8)?,
        sealed: row.get(9)?,
        access_token: row.get(10)?,
    })
}

pub struct NewSubscription<'a> {
    pub token_id: i64,
    pub endpoint: &'a str,
    pub p256dh: &'a [u8],
    pub auth: &'a [u8],
    pub alerts: &'a str,
    pub policy: &'a str,
    pub sent_through: i64,
    /// Sealed, as p256dh and auth are.
    pub access_token: &'a [u8],
}

/// Creates the token's subscription, replacing the one it had (Mastodon's POST does).
pub fn replace(conn: &Connection, new: &NewSubscription, now: Timestamp) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO push_subscriptions
                (token_id, endpoint, p256dh, auth, alerts, policy, sent_through, created_at,
                 sealed, access_token)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9)
         ON CONFLICT (token_id) DO UPDATE SET endpoint = excluded.endpoint,
                p256dh = excluded.p256dh, auth = excluded.auth, alerts = excluded.alerts,
                policy = excluded.policy, sent_through = excluded.sent_through, attempts = 0,
                next_attempt_at = 0, last_error = NULL, created_at = excluded.created_at,
                sealed = 1, access_token = excluded.access_token",
        params![
            new.token_id,
            new.endpoint,
            new.p256dh,
            new.auth,
            new.alerts,
            new.policy,
            new.sent_through,
            now.0,
            new.access_token
        ],
    )?;
    Ok(())
}

pub fn of_token(conn: &Connection, token_id: i64) -> rusqlite::Result<Option<Subscription>> {
    conn.cached_row(
        &format!("SELECT {COLUMNS} FROM push_subscriptions WHERE token_id = ?1"),
        [token_id],
        row,
    )
    .optional()
}

pub fn set_alerts(
    conn: &Connection,
    token_id: i64,
    alerts: &str,
    policy: &str,
    access_token: &[u8],
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE push_subscriptions SET alerts = ?2, policy = ?3, access_token = ?4
          WHERE token_id = ?1",
        params![token_id, alerts, policy, access_token],
    )?;
    Ok(changed == 1)
}

pub fn delete_of_token(conn: &Connection, token_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM push_subscriptions WHERE token_id = ?1",
        [token_id],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM push_subscriptions WHERE id = ?1", [id])?;
    Ok(())
}

/// Subscriptions that may send at `now` (not waiting out a retry).
pub fn due(conn: &Connection, now: Timestamp, limit: usize) -> rusqlite::Result<Vec<Subscription>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM push_subscriptions WHERE next_attempt_at <= ?1 ORDER BY id LIMIT ?2"
    ))?;
    let rows = statement.query_map(params![now.0, limit as i64], row)?;
    rows.collect()
}

/// The notification `through` was sent (or skipped): the next one is after it.
pub fn sent(conn: &Connection, id: i64, through: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE push_subscriptions SET sent_through = MAX(sent_through, ?2), attempts = 0,
                next_attempt_at = 0, last_error = NULL WHERE id = ?1",
        params![id, through],
    )?;
    Ok(())
}

pub fn retry_later(conn: &Connection, id: i64, why: &str, at: Timestamp) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE push_subscriptions SET attempts = attempts + 1, next_attempt_at = ?2,
                last_error = ?3 WHERE id = ?1",
        params![id, at.0, why],
    )?;
    Ok(())
}

/// Rows whose keys are still raw (from before the keys were sealed).
pub fn unsealed(conn: &Connection) -> rusqlite::Result<Vec<Subscription>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM push_subscriptions WHERE sealed = 0 ORDER BY id"
    ))?;
    let rows = statement.query_map([], row)?;
    rows.collect()
}

pub fn set_sealed(conn: &Connection, id: i64, p256dh: &[u8], auth: &[u8]) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE push_subscriptions SET p256dh = ?2, auth = ?3, sealed = 1 WHERE id = ?1",
        params![id, p256dh, auth],
    )?;
    Ok(())
}
