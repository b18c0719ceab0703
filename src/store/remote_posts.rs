//! Posts of others that we keep: replies to us, mentions, posts of those we follow, boosted posts.
//! Values arrive here already sanitised and capped by `domain::inbox`.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{RemoteAttachment, RemotePost, Timestamp, Visibility, Window};

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
    let mut statement = conn.prepare_cached(
        "INSERT INTO remote_posts (id, uri, actor_id, url, in_reply_to_uri, content_html, summary,
                sensitive, visibility, published_at, updated_at, raw, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (uri) DO NOTHING",
    )?;
    let inserted = statement.execute(params![
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
    ])?;
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
     remote_posts.updated_at, remote_posts.raw, \
     (SELECT json_group_array(v.choice) FROM poll_votes v \
      WHERE v.post_id = remote_posts.id AND v.actor_id IS NULL)";

fn from_row(row: &Row) -> rusqlite::Result<RemotePost> {
    let visibility: String = row.get(7)?;
    let raw: String = row.get(10)?;
    let object = serde_json::from_str::<serde_json::Value>(&raw).unwrap_or_default();
    let id: i64 = row.get(0)?;
    let own_votes: Vec<usize> = row
        .get::<_, Option<String>>(11)?
        .and_then(|votes| serde_json::from_str(&votes).ok())
        .unwrap_or_default();
    Ok(RemotePost {
        id,
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
        quote: crate::model::Quote::from_json(row.get::<_, Option<String>>(12)?.as_deref()),
        actor: actors::from_row(row, 13)?,
        attachments: attachments(&object),
        mentions: mention_handles(&object),
        poll: super::polls::question_of(&object, id, own_votes),
    })
}

/// At most this many images are shown of a post, as Mastodon does.
const MAX_SHOWN_ATTACHMENTS: usize = 4;
const MAX_DESCRIPTION_CHARS: usize = 1_500;
const MAX_URL_BYTES: usize = 2_048;

/// Images from the object's `attachment`: http(s) URLs and `image/*` types only, capped.
fn attachments(object: &serde_json::Value) -> Vec<RemoteAttachment> {
    let list = match object.get("attachment") {
        Some(serde_json::Value::Array(items)) => items.iter().collect(),
        Some(single @ serde_json::Value::Object(_)) => vec![single],
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|item| {
            let mime = item.get("mediaType").and_then(|m| m.as_str()).unwrap_or("");
            if !mime.starts_with("image/") {
                return None;
            }
            // `url` is a string, or a Link object (or list of them) with `href`.
            let url = match item.get("url") {
                Some(serde_json::Value::String(u)) => Some(u.as_str()),
                Some(serde_json::Value::Object(link)) => link.get("href").and_then(|h| h.as_str()),
                Some(serde_json::Value::Array(links)) => links.iter().find_map(|l| {
                    l.as_str()
                        .or_else(|| l.get("href").and_then(|h| h.as_str()))
                }),
                _ => None,
            }?;
            let valid = url.len() <= MAX_URL_BYTES
                && url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !valid {
                return None;
            }
            let dimension = |key: &str| {
                item.get(key)
                    .and_then(|v| v.as_u64())
                    .and_then(|v| u32::try_from(v).ok())
                    .filter(|v| (1..=100_000).contains(v))
            };
            Some(RemoteAttachment {
                url: url.to_string(),
                description: item
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("")
                    .chars()
                    .take(MAX_DESCRIPTION_CHARS)
                    .collect(),
                width: dimension("width"),
                height: dimension("height"),
            })
        })
        .take(MAX_SHOWN_ATTACHMENTS)
        .collect()
}

/// `@user@host` names of the object's Mention tags (well-formed ones only, capped).
fn mention_handles(object: &serde_json::Value) -> Vec<String> {
    let Some(tags) = object.get("tag").and_then(|t| t.as_array()) else {
        return Vec::new();
    };
    tags.iter()
        .filter(|t| t.get("type").and_then(|k| k.as_str()) == Some("Mention"))
        .filter_map(|t| t.get("name").and_then(|n| n.as_str()))
        .filter(|name| {
            name.len() <= 200
                && name.starts_with('@')
                && name[1..].contains('@')
                && !name.chars().any(|c| c.is_whitespace() || c.is_control())
        })
        .take(20)
        .map(str::to_string)
        .collect()
}

fn select(filter: &str) -> String {
    format!(
        "SELECT {COLUMNS}, {}, {} FROM remote_posts JOIN actors ON actors.id = remote_posts.actor_id
         {filter}",
        super::quotes::quote_json("q.post_uri = remote_posts.uri"),
        actors::COLUMNS
    )
}

pub fn get_by_uri(conn: &Connection, uri: &str) -> rusqlite::Result<Option<RemotePost>> {
    conn.cached_row(&select("WHERE remote_posts.uri = ?1"), [uri], from_row)
        .optional()
}

/// The stored object of a post we hold.
pub fn raw(conn: &Connection, uri: &str) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT raw FROM remote_posts WHERE uri = ?1",
        [uri],
        |row| row.get(0),
    )
    .optional()
}

/// The posts with these row ids that we hold, in no particular order.
pub fn get_many(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<RemotePost>> {
    let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut statement = conn.prepare_cached(&select(
        "WHERE remote_posts.id IN (SELECT value FROM json_each(?1))",
    ))?;
    let rows = statement.query_map([&json], from_row)?;
    rows.collect()
}

/// Whether we hold this post and who wrote it.
pub fn author_of(conn: &Connection, uri: &str) -> rusqlite::Result<Option<i64>> {
    conn.cached_row(
        "SELECT actor_id FROM remote_posts WHERE uri = ?1",
        [uri],
        |row| row.get(0),
    )
    .optional()
}

/// The home timeline's remote posts, newest first, between `min_id` and `max_id`: the same
/// query as [`window`] with [`Selection::All`] (the tests read the home through it).
pub fn page(
    conn: &Connection,
    max_id: Option<i64>,
    min_id: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<RemotePost>> {
    let range = Window {
        below: max_id.unwrap_or(i64::MAX),
        above: min_id.unwrap_or(i64::MIN),
        ascending: false,
        limit,
    };
    window(conn, Selection::All, &range)
}

/// Which remote posts a timeline reads.
#[derive(Clone, Copy, Debug)]
pub enum Selection<'a> {
    /// Everything we keep (the home timeline), but from accounts the owner blocked or muted,
    /// and those kept only for a thread or a profile, by someone we do not follow.
    All,
    /// Public posts.
    Public,
    /// Public posts with this hashtag (without `#`).
    Tag(&'a str),
    /// Posts by the members of a list.
    List(i64),
    /// One actor's posts, with a hashtag (without `#`) when given.
    Actor(i64, Option<&'a str>),
}

/// The posts in a window, in the window's order (see `model::Window`).
pub fn window(
    conn: &Connection,
    selection: Selection,
    window: &Window,
) -> rusqlite::Result<Vec<RemotePost>> {
    let condition = match selection {
        Selection::All => {
            "(NOT EXISTS (SELECT 1 FROM context_posts c WHERE c.post_id = remote_posts.id)
              OR EXISTS (SELECT 1 FROM follows f WHERE f.actor_id = actors.id
                         AND f.direction = 'out' AND f.state = 'accepted'))"
        }
        Selection::Public => "remote_posts.visibility = 'public'",
        Selection::Tag(_) => {
            "remote_posts.visibility = 'public' AND EXISTS (
                SELECT 1 FROM json_each(remote_posts.raw, '$.tag') t
                WHERE json_extract(t.value, '$.type') = 'Hashtag'
                  AND lower(json_extract(t.value, '$.name')) = lower('#' || ?4))"
        }
        Selection::List(_) => {
            "remote_posts.actor_id IN (SELECT actor_id FROM list_members WHERE list_id = ?4)"
        }
        Selection::Actor(_, None) => "remote_posts.actor_id = ?4",
        Selection::Actor(_, Some(_)) => {
            "remote_posts.actor_id = ?4 AND EXISTS (
                SELECT 1 FROM json_each(remote_posts.raw, '$.tag') t
                WHERE json_extract(t.value, '$.type') = 'Hashtag'
                  AND lower(json_extract(t.value, '$.name')) = lower('#' || ?5))"
        }
    };
    let order = if window.ascending { "ASC" } else { "DESC" };
    let sql = select(&format!(
        "WHERE remote_posts.id < ?1 AND remote_posts.id > ?2 AND {condition}
           AND NOT EXISTS (SELECT 1 FROM actor_blocks b WHERE b.actor_id = actors.id
                           AND b.kind IN ('block', 'mute')
                           AND (b.expires_at IS NULL OR b.expires_at > unixepoch('subsec') * 1000))
         ORDER BY remote_posts.id {order} LIMIT ?3"
    ));
    let mut statement = conn.prepare_cached(&sql)?;
    let limit = window.limit as i64;
    let rows = match selection {
        Selection::Tag(tag) => statement.query_map(
            params![window.below, window.above, limit, tag.to_lowercase()],
            from_row,
        )?,
        Selection::List(id) | Selection::Actor(id, None) => {
            statement.query_map(params![window.below, window.above, limit, id], from_row)?
        }
        Selection::Actor(id, Some(tag)) => statement.query_map(
            params![window.below, window.above, limit, id, tag],
            from_row,
        )?,
        _ => statement.query_map(params![window.below, window.above, limit], from_row)?,
    };
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
mod tests;
