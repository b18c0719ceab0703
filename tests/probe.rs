//! Named, read-only looks into an instance's database: one function per fact a test asserts.
//! The only test file that knows the schema, so a schema change touches this file alone.
//! Each takes anything that names a database file: an `Instance` (its `perch.db`) or a path
//! (a backup copy).

use std::path::Path;

use rusqlite::{Connection, OpenFlags, Params};
use serde_json::Value;

use crate::harness::Instance;

impl AsRef<Path> for Instance {
    fn as_ref(&self) -> &Path {
        self.database()
    }
}

/// A read-only connection: a probe can never change what it looks at.
fn open(db: &Path) -> Connection {
    Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap_or_else(|e| panic!("open {} read-only: {e}", db.display()))
}

fn number(db: &Path, sql: &str, params: impl Params) -> i64 {
    open(db)
        .query_row(sql, params, |r| r.get::<_, Option<i64>>(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap_or(0)
}

fn texts(db: &Path, sql: &str, params: impl Params) -> Vec<String> {
    let conn = open(db);
    let mut statement = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let rows = statement
        .query_map(params, |r| r.get::<_, String>(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.map(|r| r.unwrap_or_else(|e| panic!("{sql}: {e}")))
        .collect()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("stored JSON ({e}): {text}"))
}

// Follows.

/// Accepted follows in: who follows us.
pub fn followers(db: impl AsRef<Path>) -> i64 {
    let sql = "SELECT count(*) FROM follows WHERE direction = 'in' AND state = 'accepted'";
    number(db.as_ref(), sql, [])
}

/// Accepted follows out: whom we follow.
pub fn following(db: impl AsRef<Path>) -> i64 {
    let sql = "SELECT count(*) FROM follows WHERE direction = 'out' AND state = 'accepted'";
    number(db.as_ref(), sql, [])
}

/// Follow requests waiting for the owner's approval.
pub fn follow_requests(db: impl AsRef<Path>) -> i64 {
    let sql = "SELECT count(*) FROM follows WHERE direction = 'in' AND state = 'pending'";
    number(db.as_ref(), sql, [])
}

/// Follows in, in any state.
pub fn follows_in(db: impl AsRef<Path>) -> i64 {
    number(
        db.as_ref(),
        "SELECT count(*) FROM follows WHERE direction = 'in'",
        [],
    )
}

/// Accepted follows, either way.
pub fn accepted_follows(db: impl AsRef<Path>) -> i64 {
    let sql = "SELECT count(*) FROM follows WHERE state = 'accepted'";
    number(db.as_ref(), sql, [])
}

/// Every follow row, either way, in any state.
pub fn follows(db: impl AsRef<Path>) -> i64 {
    number(db.as_ref(), "SELECT count(*) FROM follows", [])
}

/// Whether the actor `uri` follows us (accepted).
pub fn is_follower(db: impl AsRef<Path>, uri: &str) -> bool {
    let sql = "SELECT count(*) FROM follows JOIN actors ON actors.id = follows.actor_id
               WHERE actors.uri = ?1 AND direction = 'in' AND state = 'accepted'";
    number(db.as_ref(), sql, [uri]) == 1
}

/// Our follow of the actor `uri`: "pending", "accepted", or None.
pub fn follow_of(db: impl AsRef<Path>, uri: &str) -> Option<String> {
    let sql = "SELECT state FROM follows JOIN actors ON actors.id = follows.actor_id
               WHERE actors.uri = ?1 AND direction = 'out'";
    texts(db.as_ref(), sql, [uri]).pop()
}

// Actors we know.
/// Where the actor `uri` is recorded as having moved to.
pub fn moved_to(db: impl AsRef<Path>, uri: &str) -> Option<String> {
    let conn = open(db.as_ref());
    conn.query_row("SELECT moved_to FROM actors WHERE uri = ?1", [uri], |r| {
        r.get(0)
    })
    .ok()
    .flatten()
}

pub fn actors(db: impl AsRef<Path>) -> i64 {
    number(db.as_ref(), "SELECT count(*) FROM actors", [])
}

/// Known actors shown as `display_name`.
pub fn actors_named(db: impl AsRef<Path>, display_name: &str) -> i64 {
    let sql = "SELECT count(*) FROM actors WHERE display_name = ?1";
    number(db.as_ref(), sql, [display_name])
}

/// The longest display name kept, in characters.
pub fn longest_actor_name(db: impl AsRef<Path>) -> i64 {
    number(
        db.as_ref(),
        "SELECT max(length(display_name)) FROM actors",
        [],
    )
}

/// The document kept for the actor called `username`.
pub fn actor_document(db: impl AsRef<Path>, username: &str) -> Value {
    let sql = "SELECT raw FROM actors WHERE username = ?1";
    let raw = texts(db.as_ref(), sql, [username]);
    json(raw.first().unwrap_or_else(|| panic!("no actor {username}")))
}

/// Actors kept with an avatar and whose document has a header image.
pub fn actors_with_both_pictures(db: impl AsRef<Path>) -> i64 {
    let sql = "SELECT count(*) FROM actors WHERE avatar_url IS NOT NULL
               AND json_extract(raw, '$.image') IS NOT NULL";
    number(db.as_ref(), sql, [])
}

/// Actors kept with no avatar and whose document has neither icon nor image.
pub fn actors_without_pictures(db: impl AsRef<Path>) -> i64 {
    let sql = "SELECT count(*) FROM actors WHERE avatar_url IS NULL
               AND json_extract(raw, '$.icon') IS NULL AND json_extract(raw, '$.image') IS NULL";
    number(db.as_ref(), sql, [])
}

// Remote posts.

pub fn remote_posts(db: impl AsRef<Path>) -> i64 {
    number(db.as_ref(), "SELECT count(*) FROM remote_posts", [])
}

/// When the remote post `uri` was published (ms since the epoch), if we hold it.
pub fn remote_published_at(db: impl AsRef<Path>, uri: &str) -> Option<i64> {
    let sql = "SELECT published_at FROM remote_posts WHERE uri = ?1";
    open(db.as_ref()).query_row(sql, [uri], |r| r.get(0)).ok()
}

/// Remote posts whose HTML contains `text`.
pub fn remote_posts_containing(db: impl AsRef<Path>, text: &str) -> i64 {
    let sql = "SELECT count(*) FROM remote_posts WHERE content_html LIKE '%' || ?1 || '%'";
    number(db.as_ref(), sql, [text])
}

/// The ids of the remote posts kept, oldest first.
pub fn remote_post_uris(db: impl AsRef<Path>) -> Vec<String> {
    texts(db.as_ref(), "SELECT uri FROM remote_posts ORDER BY id", [])
}

/// Each remote post's attachment names (empty for one without a name), oldest post first.
pub fn remote_attachment_names(db: impl AsRef<Path>) -> Vec<Vec<String>> {
    texts(db.as_ref(), "SELECT raw FROM remote_posts ORDER BY id", [])
        .iter()
        .map(|raw| {
            let note = json(raw);
            let attachments = note["attachment"].as_array().cloned().unwrap_or_default();
            attachments
                .iter()
                .map(|a| a["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .collect()
}

/// The longest summary and content kept, in characters.
pub fn longest_remote_summary(db: impl AsRef<Path>) -> i64 {
    number(
        db.as_ref(),
        "SELECT max(length(summary)) FROM remote_posts",
        [],
    )
}

pub fn longest_remote_content(db: impl AsRef<Path>) -> i64 {
    let sql = "SELECT max(length(content_html)) FROM remote_posts";
    number(db.as_ref(), sql, [])
}

// Our posts.

pub fn posts(db: impl AsRef<Path>) -> i64 {
    number(db.as_ref(), "SELECT count(*) FROM posts", [])
}

/// (id, created_at) of our only post.
pub fn only_post(db: impl AsRef<Path>) -> (i64, i64) {
    let sql = "SELECT id, created_at FROM posts";
    open(db.as_ref())
        .query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

pub fn media(db: impl AsRef<Path>) -> i64 {
    number(db.as_ref(), "SELECT count(*) FROM media", [])
}

/// The HTML of our direct post whose source starts with `start`.
pub fn direct_post_html(db: impl AsRef<Path>, start: &str) -> String {
    let sql = "SELECT content_html FROM posts
               WHERE visibility = 'direct' AND source LIKE ?1 || '%'";
    let found = texts(db.as_ref(), sql, [start]);
    assert_eq!(found.len(), 1, "one direct post starting {start:?}");
    found.into_iter().next().unwrap_or_default()
}

// What others did to us.

/// Notifications of `kind` ("like", "announce", "reply", "mention", "follow" …).
pub fn notifications(db: impl AsRef<Path>, kind: &str) -> i64 {
    let sql = "SELECT count(*) FROM notifications WHERE kind = ?1";
    number(db.as_ref(), sql, [kind])
}

pub fn all_notifications(db: impl AsRef<Path>) -> i64 {
    number(db.as_ref(), "SELECT count(*) FROM notifications", [])
}

/// Notifications of `kind` from the actor `uri`.
pub fn notifications_from(db: impl AsRef<Path>, kind: &str, uri: &str) -> i64 {
    let sql = "SELECT count(*) FROM notifications JOIN actors ON actors.id = notifications.actor_id
               WHERE actors.uri = ?1 AND notifications.kind = ?2";
    number(db.as_ref(), sql, [uri, kind])
}

/// Likes received.
pub fn likes(db: impl AsRef<Path>) -> i64 {
    number(
        db.as_ref(),
        "SELECT count(*) FROM interactions WHERE kind = 'like'",
        [],
    )
}

/// Remote actors who have blocked us.
pub fn blocked_by(db: impl AsRef<Path>) -> i64 {
    let sql = "SELECT count(*) FROM actor_blocks WHERE kind = 'blocked_by'";
    number(db.as_ref(), sql, [])
}

// The outgoing queue.

/// Activities we have sent (or are sending), in any state of delivery.
pub fn sent(db: impl AsRef<Path>) -> i64 {
    number(db.as_ref(), "SELECT count(*) FROM outbound_activities", [])
}

/// The activities we sent whose top-level type is `kind`, oldest first.
pub fn sent_of_type(db: impl AsRef<Path>, kind: &str) -> Vec<Value> {
    let bodies = texts(
        db.as_ref(),
        "SELECT body FROM outbound_activities ORDER BY id",
        [],
    );
    bodies
        .iter()
        .map(|b| json(b))
        .filter(|activity| activity["type"] == kind)
        .collect()
}

/// Deliveries still waiting to be sent (or retried).
pub fn pending_deliveries(db: impl AsRef<Path>) -> i64 {
    number(db.as_ref(), "SELECT count(*) FROM deliveries", [])
}

/// (activity id, inbox) of every delivery waiting in the queue.
pub fn queued_deliveries(db: impl AsRef<Path>) -> Vec<(String, String)> {
    let conn = open(db.as_ref());
    let sql = "SELECT outbound_activities.body, deliveries.inbox FROM deliveries
               JOIN outbound_activities ON outbound_activities.id = deliveries.activity_id";
    let mut statement = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let rows = statement
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.map(|r| {
        let (body, inbox) = r.unwrap_or_else(|e| panic!("{sql}: {e}"));
        let id = json(&body)["id"]
            .as_str()
            .expect("an activity with an id")
            .to_string();
        (id, inbox)
    })
    .collect()
}

/// Every delivery waiting, as "inbox attempts last-error", for a failure's message.
pub fn delivery_states(db: impl AsRef<Path>) -> Vec<String> {
    let sql = "SELECT inbox || ' ' || attempts || ' ' || ifnull(last_error, '-') FROM deliveries";
    texts(db.as_ref(), sql, [])
}

// The incoming queue.

/// Activities received (kept in the inbound queue), processed or not.
pub fn inbound(db: impl AsRef<Path>) -> i64 {
    number(db.as_ref(), "SELECT count(*) FROM inbound", [])
}

/// Activities received and not yet processed.
pub fn inbound_pending(db: impl AsRef<Path>) -> i64 {
    let sql = "SELECT count(*) FROM inbound WHERE processed_at IS NULL";
    number(db.as_ref(), sql, [])
}

/// Activities received and recorded as ignored.
pub fn inbound_ignored(db: impl AsRef<Path>) -> i64 {
    let sql = "SELECT count(*) FROM inbound WHERE error LIKE 'ignored%'";
    number(db.as_ref(), sql, [])
}

/// What the inbox worker noted on the activity `id` ("ignored: …", "refused: …"), once processed.
pub fn inbound_note(db: impl AsRef<Path>, id: &str) -> Option<String> {
    let sql = "SELECT ifnull(error, '') FROM inbound WHERE activity_uri = ?1 AND processed_at IS NOT NULL";
    texts(db.as_ref(), sql, [id]).pop()
}

/// Whether the activity `id` was received and processed.
pub fn processed(db: impl AsRef<Path>, id: &str) -> bool {
    let sql = "SELECT count(*) FROM inbound WHERE activity_uri = ?1 AND processed_at IS NOT NULL";
    number(db.as_ref(), sql, [id]) == 1
}

/// Activities received and processed.
pub fn inbound_processed(db: impl AsRef<Path>) -> i64 {
    let sql = "SELECT count(*) FROM inbound WHERE processed_at IS NOT NULL";
    number(db.as_ref(), sql, [])
}

/// The ids of the activities received and processed.
pub fn processed_ids(db: impl AsRef<Path>) -> Vec<String> {
    let sql = "SELECT activity_uri FROM inbound WHERE processed_at IS NOT NULL";
    texts(db.as_ref(), sql, [])
}

/// How many times the activity `id` is kept in the inbound queue (a replay is kept once).
pub fn received(db: impl AsRef<Path>, id: &str) -> i64 {
    let sql = "SELECT count(*) FROM inbound WHERE activity_uri = ?1";
    number(db.as_ref(), sql, [id])
}

/// The bodies of the activities waiting in the delivery queue.
pub fn queued_bodies(db: impl AsRef<Path>) -> Vec<String> {
    texts(db.as_ref(), "SELECT body FROM outbound_activities", [])
}

/// Every received activity, as "id attempts error", for a failure's message.
pub fn inbound_states(db: impl AsRef<Path>) -> Vec<String> {
    let sql = "SELECT activity_uri || ' ' || attempts || ' ' || ifnull(error, '-') FROM inbound";
    texts(db.as_ref(), sql, [])
}

/// The workers have taken every received activity and sent every delivery.
pub fn settled(db: impl AsRef<Path>) -> bool {
    inbound_pending(&db) == 0 && pending_deliveries(&db) == 0
}

// Object proofs.

/// The Ed25519 keys kept for the actor `uri`: `[[key id, publicKeyMultibase], …]`.
pub fn ed25519_keys(db: impl AsRef<Path>, uri: &str) -> Value {
    let sql = "SELECT ed25519_keys FROM actors WHERE uri = ?1";
    texts(db.as_ref(), sql, [uri])
        .pop()
        .map_or(Value::Null, |t| json(&t))
}

/// The owner's Ed25519 key is in the settings.
pub fn has_ed25519_key(db: impl AsRef<Path>) -> bool {
    let sql = "SELECT count(*) FROM settings WHERE key = 'ed25519_private_key_pkcs8'";
    number(db.as_ref(), sql, []) == 1
}

// The file itself.

/// The public key kept in the settings, as stored.
pub fn public_key_pem(db: impl AsRef<Path>) -> Vec<u8> {
    open(db.as_ref())
        .query_row(
            "SELECT value FROM settings WHERE key = 'public_key_pem'",
            [],
            |r| r.get(0),
        )
        .expect("a public key in the settings")
}

pub fn has_private_key(db: impl AsRef<Path>) -> bool {
    let sql = "SELECT count(*) FROM settings WHERE key = 'private_key_pkcs8'";
    number(db.as_ref(), sql, []) == 1
}

/// SQLite's own check of the file: "ok" when sound.
pub fn integrity(db: impl AsRef<Path>) -> String {
    open(db.as_ref())
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("the integrity check runs")
}

/// Bytes in the largest actor kept (all columns together).
pub fn largest_actor_row(db: impl AsRef<Path>) -> usize {
    largest_row(db.as_ref(), "actors")
}

pub fn largest_remote_post_row(db: impl AsRef<Path>) -> usize {
    largest_row(db.as_ref(), "remote_posts")
}

/// Bytes in the largest received activity kept in the inbound queue.
pub fn largest_inbound_row(db: impl AsRef<Path>) -> usize {
    largest_row(db.as_ref(), "inbound")
}

fn largest_row(db: &Path, table: &str) -> usize {
    let conn = open(db);
    let sql = format!("SELECT * FROM {table}");
    let mut statement = conn.prepare(&sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let columns = statement.column_count();
    let mut rows = statement.query([]).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut largest = 0;
    while let Some(row) = rows.next().unwrap_or_else(|e| panic!("{sql}: {e}")) {
        let size: usize = (0..columns)
            .map(|i| match row.get_ref(i) {
                Ok(rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t)) => {
                    t.len()
                }
                _ => 8,
            })
            .sum();
        largest = largest.max(size);
    }
    largest
}

// Signature schemes learned per host.

/// The scheme (`draft-cavage` or `rfc9421`) recorded for `host`, if any.
pub fn signature_scheme(db: impl AsRef<Path>, host: &str) -> Option<String> {
    texts(
        db.as_ref(),
        "SELECT scheme FROM signature_schemes WHERE host = ?1",
        [host],
    )
    .into_iter()
    .next()
}

// The backfill queue.

/// Requests the backfill worker sent in its current day's window.
pub fn backfill_requests(db: impl AsRef<Path>) -> i64 {
    number(
        db.as_ref(),
        "SELECT coalesce(max(used), 0) FROM fetch_budget WHERE scope = '*'",
        [],
    )
}

/// GETs queued for the backfill worker.
pub fn backfill_queued(db: impl AsRef<Path>) -> i64 {
    number(db.as_ref(), "SELECT count(*) FROM fetches", [])
}

/// Queued GETs due now (not put back behind a spent budget).
pub fn backfill_due(db: impl AsRef<Path>) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    number(
        db.as_ref(),
        "SELECT count(*) FROM fetches WHERE next_attempt_at <= ?1",
        [now],
    )
}

/// The content of the remote post with this id.
pub fn remote_content(db: impl AsRef<Path>, uri: &str) -> Option<String> {
    open(db.as_ref())
        .query_row(
            "SELECT content_html FROM remote_posts WHERE uri = ?1",
            [uri],
            |r| r.get(0),
        )
        .ok()
}
