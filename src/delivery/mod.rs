//! The durable outgoing queue. This is a stand-in holding only `enqueue`, so the inbox can queue
//! its Accepts; the delivery branch replaces it with the real module and its worker.

use rusqlite::{params, Connection};

use crate::model::Timestamp;
use crate::store::new_id;

/// Queues `activity` for each of `inboxes` (each once; never our own) inside the caller's
/// transaction. Returns how many deliveries were added.
pub fn enqueue(
    conn: &Connection,
    activity: &serde_json::Value,
    inboxes: &[String],
    own_origin: &str,
    now: Timestamp,
) -> rusqlite::Result<usize> {
    let Some(uri) = activity.get("id").and_then(|id| id.as_str()) else {
        return Err(rusqlite::Error::InvalidParameterName(
            "an activity to deliver needs an id".into(),
        ));
    };
    conn.execute(
        "INSERT INTO outbound_activities (id, uri, body, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (uri) DO NOTHING",
        params![new_id(now), uri, activity.to_string(), now.0],
    )?;
    let activity_id: i64 = conn.query_row(
        "SELECT id FROM outbound_activities WHERE uri = ?1",
        [uri],
        |row| row.get(0),
    )?;
    let own = format!("{}/", own_origin.trim_end_matches('/'));
    let mut added = 0;
    for inbox in inboxes {
        let Some(host) = url::Url::parse(inbox)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
        else {
            continue;
        };
        if inbox.starts_with(&own) {
            continue;
        }
        added += conn.execute(
            "INSERT INTO deliveries (id, activity_id, inbox, host, next_attempt_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (activity_id, inbox) DO NOTHING",
            params![new_id(now), activity_id, inbox, host, now.0],
        )?;
    }
    Ok(added)
}
