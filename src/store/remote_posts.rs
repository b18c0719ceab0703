//! Posts of others that we keep: replies to us, mentions, posts of those we follow, boosted posts.
//! Values arrive here already sanitised and capped by `domain::inbox`.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{RemotePost, Timestamp, Visibility};

use super::{actors, new_id};

/// A post as parsed from its object, ready to store.
#[derive(Clone, Debug)]
pub struct NewRemotePost {
    pub uri: String,
    pub actor_id: i64,
    pub url: Option<String>,
    pub in_reply_to: Option<String>,
    pub content_html: String,
    pub summary: Option<String>,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub published_at: Timestamp,
    pub updated_at: Option<Timestamp>,
    /// The object, capped.
    pub raw: String,
}

/// Stores a post; false when we hold it already (a repeated Create changes nothing).
pub fn insert(conn: &Connection, post: &NewRemotePost, now: Timestamp) -> rusqlite::Result<bool> {
    // Ids follow the publication time (never later than now), as Mastodon's do, so the timeline
    // sorts by id.
    let id = new_id(Timestamp(post.published_at.0.min(now.0).max(0)));
    let inserted = conn.execute(
        "INSERT INTO remote_posts (id, uri, actor_id, url, in_reply_to_uri, content_html, summary,
                sensitive, visibility, published_at, updated_at, raw, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (uri) DO NOTHING",
        params![
            id,
            post.uri,
            post.actor_id,
            post.url,
            post.in_reply_to,
            post.content_html,
            post.summary,
            post.sensitive,
            post.visibility.as_str(),
            post.published_at.0,
            post.updated_at.map(|t| t.0),
            post.raw,
            now.0
        ],
    )?;
    Ok(inserted == 1)
}

/// Replaces a post's content after an edit, only when `actor_id` is its author.
pub fn update(conn: &Connection, post: &NewRemotePost, now: Timestamp) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE remote_posts SET url = ?3, content_html = ?4, summary = ?5, sensitive = ?6,
                visibility = ?7, updated_at = ?8, raw = ?9
         WHERE uri = ?1 AND actor_id = ?2",
        params![
            post.uri,
            post.actor_id,
            post.url,
            post.content_html,
            post.summary,
            post.sensitive,
            post.visibility.as_str(),
            post.updated_at.unwrap_or(now).0,
            post.raw
        ],
    )?;
    Ok(changed == 1)
}

/// Removes a post, only when `actor_id` is its author.
pub fn delete(conn: &Connection, uri: &str, actor_id: i64) -> rusqlite::Result<bool> {
    let removed = conn.execute(
        "DELETE FROM remote_posts WHERE uri = ?1 AND actor_id = ?2",
        params![uri, actor_id],
    )?;
    Ok(removed == 1)
}

const COLUMNS: &str = "remote_posts.id, remote_posts.uri, remote_posts.url, \
     remote_posts.in_reply_to_uri, remote_posts.content_html, remote_posts.summary, \
     remote_posts.sensitive, remote_posts.visibility, remote_posts.published_at, \
     remote_posts.updated_at";

fn from_row(row: &Row) -> rusqlite::Result<RemotePost> {
    let visibility: String = row.get(7)?;
    Ok(RemotePost {
        id: row.get(0)?,
        uri: row.get(1)?,
        url: row.get(2)?,
        in_reply_to: row.get(3)?,
        content_html: row.get(4)?,
        summary: row.get(5)?,
        sensitive: row.get(6)?,
        // Only our own code writes this column; an unknown value is shown as the narrowest.
        visibility: Visibility::parse(&visibility).unwrap_or(Visibility::Direct),
        published_at: Timestamp(row.get(8)?),
        updated_at: row.get::<_, Option<i64>>(9)?.map(Timestamp),
        actor: actors::from_row(row, 10)?,
    })
}

fn select(filter: &str) -> String {
    format!(
        "SELECT {COLUMNS}, {} FROM remote_posts JOIN actors ON actors.id = remote_posts.actor_id
         {filter}",
        actors::COLUMNS
    )
}

pub fn get_by_uri(conn: &Connection, uri: &str) -> rusqlite::Result<Option<RemotePost>> {
    conn.query_row(&select("WHERE remote_posts.uri = ?1"), [uri], from_row)
        .optional()
}

/// Whether we hold this post and who wrote it.
pub fn author_of(conn: &Connection, uri: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT actor_id FROM remote_posts WHERE uri = ?1",
        [uri],
        |row| row.get(0),
    )
    .optional()
}

/// Every post we keep, newest first by keyset on the id; `max_id`/`min_id` as Mastodon's paging.
/// Posts of blocked or muted accounts are left out.
pub fn page(
    conn: &Connection,
    max_id: Option<i64>,
    min_id: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<RemotePost>> {
    let sql = select(
        "WHERE remote_posts.id < ?1 AND remote_posts.id > ?2
           AND NOT EXISTS (SELECT 1 FROM actor_blocks b WHERE b.actor_id = actors.id
                           AND b.kind IN ('block', 'mute'))
         ORDER BY remote_posts.id DESC LIMIT ?3",
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![
            max_id.unwrap_or(i64::MAX),
            min_id.unwrap_or(i64::MIN),
            limit as i64
        ],
        from_row,
    )?;
    rows.collect()
}

/// One actor's posts that we keep, newest first.
pub fn by_actor(
    conn: &Connection,
    actor_id: i64,
    max_id: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<RemotePost>> {
    let sql = select(
        "WHERE remote_posts.actor_id = ?1 AND remote_posts.id < ?2
         ORDER BY remote_posts.id DESC LIMIT ?3",
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![actor_id, max_id.unwrap_or(i64::MAX), limit as i64],
        from_row,
    )?;
    rows.collect()
}

/// Replies to `uri`, oldest first. With `world_readable_only`, only public and unlisted ones
/// (what a visitor of our public pages may see); blocked accounts are always left out.
pub fn replies_to(
    conn: &Connection,
    uri: &str,
    world_readable_only: bool,
) -> rusqlite::Result<Vec<RemotePost>> {
    let sql = select(
        "WHERE remote_posts.in_reply_to_uri = ?1
           AND (?2 = 0 OR remote_posts.visibility IN ('public', 'unlisted'))
           AND NOT EXISTS (SELECT 1 FROM actor_blocks b WHERE b.actor_id = actors.id
                           AND b.kind = 'block')
         ORDER BY remote_posts.id LIMIT 500",
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params![uri, world_readable_only], from_row)?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::actors::tests::sample;
    use crate::store::testing;

    fn post(uri: &str, actor_id: i64, published: i64) -> NewRemotePost {
        NewRemotePost {
            uri: uri.into(),
            actor_id,
            url: None,
            in_reply_to: Some("https://me.example/users/me/statuses/1".into()),
            content_html: "<p>hi</p>".into(),
            summary: None,
            sensitive: false,
            visibility: Visibility::Public,
            published_at: Timestamp(published),
            updated_at: None,
            raw: "{}".into(),
        }
    }

    #[test]
    fn posts_are_kept_once_and_changed_only_by_their_author() {
        let (_dir, conn) = testing::temporary();
        let alice = actors::upsert(&conn, &sample("alice", "a.example"), Timestamp(1)).unwrap();
        let bob = actors::upsert(&conn, &sample("bob", "b.example"), Timestamp(1)).unwrap();
        let uri = "https://a.example/notes/1";
        assert!(insert(&conn, &post(uri, alice, 500), Timestamp(1_000)).unwrap());
        assert!(!insert(&conn, &post(uri, alice, 500), Timestamp(1_001)).unwrap());
        let mut edit = post(uri, bob, 500);
        edit.content_html = "<p>forged</p>".into();
        assert!(!update(&conn, &edit, Timestamp(1_002)).unwrap());
        edit.actor_id = alice;
        edit.content_html = "<p>edited</p>".into();
        assert!(update(&conn, &edit, Timestamp(1_003)).unwrap());
        let stored = get_by_uri(&conn, uri).unwrap().unwrap();
        assert_eq!(stored.content_html, "<p>edited</p>");
        assert_eq!(stored.updated_at, Some(Timestamp(1_003)));
        assert_eq!(stored.actor.username, "alice");
        assert_eq!(stored.id >> 16, 500, "the id follows the publication time");
        assert_eq!(author_of(&conn, uri).unwrap(), Some(alice));
        assert!(!delete(&conn, uri, bob).unwrap());
        assert_eq!(
            replies_to(&conn, "https://me.example/users/me/statuses/1", true)
                .unwrap()
                .len(),
            1
        );
        assert!(delete(&conn, uri, alice).unwrap());
        assert!(get_by_uri(&conn, uri).unwrap().is_none());
    }

    #[test]
    fn pages_are_newest_first_without_blocked_accounts() {
        let (_dir, conn) = testing::temporary();
        let alice = actors::upsert(&conn, &sample("alice", "a.example"), Timestamp(1)).unwrap();
        let bob = actors::upsert(&conn, &sample("bob", "b.example"), Timestamp(1)).unwrap();
        for i in 0..3 {
            insert(
                &conn,
                &post(&format!("https://a.example/{i}"), alice, 100 + i),
                Timestamp(1_000),
            )
            .unwrap();
        }
        insert(
            &conn,
            &post("https://b.example/1", bob, 150),
            Timestamp(1_000),
        )
        .unwrap();
        conn.execute(
            "INSERT INTO actor_blocks (actor_id, kind, created_at) VALUES (?1, 'block', 0)",
            [bob],
        )
        .unwrap();
        let first = page(&conn, None, None, 2).unwrap();
        let uris: Vec<_> = first.iter().map(|p| p.uri.as_str()).collect();
        assert_eq!(uris, ["https://a.example/2", "https://a.example/1"]);
        let rest = page(&conn, Some(first[1].id), None, 2).unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(by_actor(&conn, bob, None, 10).unwrap().len(), 1);
    }
}
