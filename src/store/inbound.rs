//! The inbound queue: verified activities waiting for the inbox worker. Rows stay after
//! processing, without their body, so that a replayed activity id is recognised and changes
//! nothing.

use rusqlite::{params, Connection};

use crate::model::Timestamp;

use super::{new_id, write};

/// One queued activity.
#[derive(Clone, Debug)]
pub struct Inbound {
    pub id: i64,
    pub activity_uri: String,
    pub actor_uri: String,
    pub body: String,
    pub attempts: u32,
}

/// A verified activity to queue.
#[derive(Clone, Debug)]
pub struct NewInbound {
    pub activity_uri: String,
    pub actor_uri: String,
    pub body: String,
    pub received_at: Timestamp,
}

/// Queues a verified activity; false when its id was seen before (a replay).
pub fn insert(
    conn: &Connection,
    activity_uri: &str,
    actor_uri: &str,
    body: &str,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO inbound (id, activity_uri, actor_uri, body, received_at, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (activity_uri) DO NOTHING",
        )?
        .execute(params![new_id(now), activity_uri, actor_uri, body, now.0])?;
    Ok(inserted == 1)
}

/// Queues several activities in one transaction (one commit for all); for each, whether it was
/// new. An id seen earlier in the same batch counts as a replay too.
pub fn insert_all(conn: &mut Connection, rows: &[NewInbound]) -> rusqlite::Result<Vec<bool>> {
    write(conn, |tx| {
        rows.iter()
            .map(|row| {
                insert(
                    tx,
                    &row.activity_uri,
                    &row.actor_uri,
                    &row.body,
                    row.received_at,
                )
            })
            .collect()
    })
}

/// Unprocessed rows whose time has come, oldest first.
pub fn due(conn: &Connection, now: Timestamp, limit: usize) -> rusqlite::Result<Vec<Inbound>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, activity_uri, actor_uri, body, attempts FROM inbound
         WHERE processed_at IS NULL AND next_attempt_at <= ?1
         ORDER BY id LIMIT ?2",
    )?;
    let rows = statement.query_map(params![now.0, limit as i64], |row| {
        Ok(Inbound {
            id: row.get(0)?,
            activity_uri: row.get(1)?,
            actor_uri: row.get(2)?,
            body: row.get(3)?,
            attempts: row.get(4)?,
        })
    })?;
    rows.collect()
}

/// Done with a row; `note` says why it was refused or ignored, if it was. The body (up to 1 MB
/// of someone else's JSON) is dropped: only the id is needed from now on, to recognise replays.
pub fn mark_processed(
    conn: &Connection,
    id: i64,
    note: Option<&str>,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE inbound SET processed_at = ?2, error = ?3, attempts = attempts + 1, body = ''
         WHERE id = ?1 AND processed_at IS NULL",
    )?
    .execute(params![id, now.0, note])?;
    Ok(())
}

/// Tries a row again at `at`, after a failure that may pass (the network).
pub fn retry_later(conn: &Connection, id: i64, error: &str, at: Timestamp) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE inbound SET attempts = attempts + 1, error = ?2, next_attempt_at = ?3
         WHERE id = ?1 AND processed_at IS NULL",
    )?
    .execute(params![id, error, at.0])?;
    Ok(())
}

/// Forgets the rows handled before `before`; returns how many went.
pub fn forget_processed(conn: &Connection, before: Timestamp) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM inbound WHERE processed_at < ?1")?
        .execute([before.0])
}

/// How many rows wait for the worker (processed or not yet due included).
pub fn pending_count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT count(*) FROM inbound WHERE processed_at IS NULL",
        [],
        |row| row.get::<_, i64>(0).map(|n| n as u64),
    )
}

/// The outcome recorded for an activity: `(processed, note)`, for tests and diagnostics.
pub fn status(
    conn: &Connection,
    activity_uri: &str,
) -> rusqlite::Result<Option<(bool, Option<String>)>> {
    use rusqlite::OptionalExtension;
    conn.query_row(
        "SELECT processed_at IS NOT NULL, error FROM inbound WHERE activity_uri = ?1",
        [activity_uri],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing;

    #[test]
    fn handled_rows_are_forgotten_after_their_time_and_waiting_ones_never() {
        let (_dir, conn) = testing::temporary();
        insert(&conn, "https://a/1", "https://a/u", "{}", Timestamp(1)).unwrap();
        insert(&conn, "https://a/2", "https://a/u", "{}", Timestamp(1)).unwrap();
        let first = due(&conn, Timestamp(5), 1).unwrap().remove(0);
        mark_processed(&conn, first.id, None, Timestamp(10)).unwrap();
        assert_eq!(
            forget_processed(&conn, Timestamp(10)).unwrap(),
            0,
            "not yet"
        );
        assert_eq!(forget_processed(&conn, Timestamp(i64::MAX)).unwrap(), 1);
        assert_eq!(status(&conn, "https://a/1").unwrap(), None);
        assert_eq!(pending_count(&conn).unwrap(), 1, "the waiting row stays");
    }

    #[test]
    fn a_replayed_id_is_not_queued_twice() {
        let (_dir, conn) = testing::temporary();
        assert!(insert(&conn, "https://a/1", "https://a/u", "{}", Timestamp(1)).unwrap());
        assert!(!insert(
            &conn,
            "https://a/1",
            "https://a/u",
            "{\"x\":1}",
            Timestamp(2)
        )
        .unwrap());
        let rows = due(&conn, Timestamp(5), 10).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].body, "{}");
    }

    #[test]
    fn a_batch_is_one_commit_and_a_duplicate_inside_it_is_stored_once() {
        let (_dir, mut conn) = testing::temporary();
        insert(&conn, "https://a/0", "https://a/u", "{}", Timestamp(1)).unwrap();
        let row = |id: &str, body: &str| NewInbound {
            activity_uri: id.into(),
            actor_uri: "https://a/u".into(),
            body: body.into(),
            received_at: Timestamp(2),
        };
        let batch = [
            row("https://a/1", "{\"first\":1}"),
            row("https://a/0", "{}"),
            row("https://a/1", "{\"second\":1}"),
            row("https://a/2", "{}"),
        ];
        let new = insert_all(&mut conn, &batch).unwrap();
        assert_eq!(new, [true, false, false, true]);
        let mut rows: Vec<(String, String)> = due(&conn, Timestamp(5), 10)
            .unwrap()
            .into_iter()
            .map(|r| (r.activity_uri, r.body))
            .collect();
        rows.sort();
        let first = ("https://a/1".to_string(), "{\"first\":1}".to_string());
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], first, "the first of two copies is kept");
        assert!(conn.is_autocommit());
    }

    #[test]
    fn rows_wait_for_their_time_and_leave_when_processed() {
        let (_dir, conn) = testing::temporary();
        insert(&conn, "https://a/1", "https://a/u", "{}", Timestamp(1)).unwrap();
        insert(&conn, "https://a/2", "https://a/u", "{}", Timestamp(2)).unwrap();
        let first = due(&conn, Timestamp(10), 10).unwrap();
        assert_eq!(first[0].activity_uri, "https://a/1");
        retry_later(&conn, first[0].id, "network", Timestamp(100)).unwrap();
        let now_due = due(&conn, Timestamp(10), 10).unwrap();
        assert_eq!(now_due.len(), 1);
        assert_eq!(now_due[0].activity_uri, "https://a/2");
        mark_processed(&conn, now_due[0].id, None, Timestamp(11)).unwrap();
        let body: String = conn
            .query_row(
                "SELECT body FROM inbound WHERE id = ?1",
                [now_due[0].id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(body, "", "a processed activity keeps its id, not its body");
        let later = due(&conn, Timestamp(100), 10).unwrap();
        assert_eq!(
            (later.len(), later[0].attempts),
            (1, 1),
            "the retried row comes back"
        );
        assert_eq!(pending_count(&conn).unwrap(), 1);
        assert_eq!(status(&conn, "https://a/2").unwrap(), Some((true, None)));
    }
}
