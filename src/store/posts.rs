//! The owner's posts, their tags, mentions and edit history.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{Mention, Page, Post, PostVersion, QuotePolicy, Timestamp, Visibility, Window};

use super::media;

pub struct NewPost<'a> {
    pub id: i64,
    pub visibility: Visibility,
    pub source: &'a str,
    pub content_html: &'a str,
    pub summary: Option<&'a str>,
    pub sensitive: bool,
    pub in_reply_to: Option<&'a str>,
    pub tags: &'a [String],
    pub mentions: &'a [Mention],
}

pub fn insert(conn: &Connection, post: &NewPost, now: Timestamp) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO posts (id, created_at, visibility, source, content_html, summary, sensitive, in_reply_to_uri)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            post.id,
            now.0,
            post.visibility.as_str(),
            post.source,
            post.content_html,
            post.summary,
            post.sensitive,
            post.in_reply_to
        ],
    )?;
    replace_tags_and_mentions(conn, post.id, post.tags, post.mentions)
}

fn replace_tags_and_mentions(
    conn: &Connection,
    post_id: i64,
    tags: &[String],
    mentions: &[Mention],
) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM post_tags WHERE post_id = ?1", [post_id])?;
    conn.execute("DELETE FROM post_mentions WHERE post_id = ?1", [post_id])?;
    for tag in tags {
        conn.execute(
            "INSERT INTO post_tags (tag, post_id, name) VALUES (?1, ?2, ?1) ON CONFLICT DO NOTHING",
            params![tag, post_id],
        )?;
    }
    for mention in mentions {
        conn.execute(
            "INSERT INTO post_mentions (post_id, actor_uri, handle) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![post_id, mention.uri, mention.handle],
        )?;
    }
    Ok(())
}

pub struct PostEdit<'a> {
    pub source: &'a str,
    pub content_html: &'a str,
    pub summary: Option<&'a str>,
    pub sensitive: bool,
    pub tags: &'a [String],
    pub mentions: &'a [Mention],
}

/// Replaces a post's text, keeping the previous version in its history. False when no such post.
pub fn edit(conn: &Connection, id: i64, edit: &PostEdit, now: Timestamp) -> rusqlite::Result<bool> {
    let kept = conn.execute(
        "INSERT INTO post_edits (post_id, created_at, source, content_html, summary, media)
         SELECT id, ifnull(updated_at, created_at), source, content_html, summary,
                (SELECT json_group_array(description)
                 FROM (SELECT description FROM media WHERE post_id = ?1 ORDER BY position))
         FROM posts WHERE id = ?1",
        [id],
    )?;
    if kept == 0 {
        return Ok(false);
    }
    conn.execute(
        "UPDATE posts SET source = ?2, content_html = ?3, summary = ?4, sensitive = ?5, updated_at = ?6
         WHERE id = ?1",
        params![id, edit.source, edit.content_html, edit.summary, edit.sensitive, now.0],
    )?;
    replace_tags_and_mentions(conn, id, edit.tags, edit.mentions)?;
    Ok(true)
}

/// Earlier versions of a post, oldest first.
pub fn history(conn: &Connection, id: i64) -> rusqlite::Result<Vec<PostVersion>> {
    let mut statement = conn.prepare_cached(
        "SELECT created_at, content_html, summary, media FROM post_edits WHERE post_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([id], |row| {
        let media: String = row.get(3)?;
        Ok(PostVersion {
            written: Timestamp(row.get(0)?),
            content_html: row.get(1)?,
            summary: row.get(2)?,
            media_descriptions: serde_json::from_str(&media).unwrap_or_default(),
        })
    })?;
    rows.collect()
}

pub fn set_language(conn: &Connection, id: i64, language: Option<&str>) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE posts SET language = ?2 WHERE id = ?1",
        params![id, language],
    )?;
    Ok(())
}

/// The language tags of these posts, where one was given: (id, language).
pub fn languages(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<(i64, String)>> {
    let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut statement = conn.prepare_cached(
        "SELECT id, language FROM posts
         WHERE language IS NOT NULL AND id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = statement.query_map([json], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

pub fn set_quote_policy(conn: &Connection, id: i64, policy: QuotePolicy) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE posts SET quote_policy = ?2 WHERE id = ?1",
        params![id, policy.as_str()],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM posts WHERE id = ?1", [id])? == 1)
}

pub fn set_pinned(conn: &Connection, id: i64, pinned: Option<Timestamp>) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE posts SET pinned_at = ?2 WHERE id = ?1",
        params![id, pinned.map(|t| t.0)],
    )? == 1)
}

const COLUMNS: &str =
    "id, created_at, updated_at, visibility, source, content_html, summary, sensitive,
                       in_reply_to_uri, pinned_at IS NOT NULL, quote_policy";

fn from_row(row: &Row) -> rusqlite::Result<Post> {
    let visibility: String = row.get(3)?;
    Ok(Post {
        id: row.get(0)?,
        created_at: Timestamp(row.get(1)?),
        updated_at: row.get::<_, Option<i64>>(2)?.map(Timestamp),
        visibility: Visibility::parse(&visibility).unwrap_or(Visibility::Direct),
        source: row.get(4)?,
        content_html: row.get(5)?,
        summary: row.get(6)?,
        sensitive: row.get(7)?,
        in_reply_to: row.get(8)?,
        pinned: row.get(9)?,
        tags: Vec::new(),
        mentions: Vec::new(),
        media: Vec::new(),
        poll: None,
        quote_policy: QuotePolicy::parse(&row.get::<_, String>(10)?).unwrap_or_default(),
        quote: None,
    })
}

/// Fills in what lives in other tables.
fn complete(conn: &Connection, mut post: Post) -> rusqlite::Result<Post> {
    let mut tags =
        conn.prepare_cached("SELECT name FROM post_tags WHERE post_id = ?1 ORDER BY tag")?;
    post.tags = tags
        .query_map([post.id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut mentions = conn.prepare_cached(
        "SELECT actor_uri, handle FROM post_mentions WHERE post_id = ?1 ORDER BY actor_uri",
    )?;
    post.mentions = mentions
        .query_map([post.id], |row| {
            Ok(Mention {
                uri: row.get(0)?,
                handle: row.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    post.media = media::of_post(conn, post.id)?;
    post.poll = super::polls::of_own_posts(conn, &format!("[{}]", post.id))?
        .pop()
        .map(|(_, poll)| Box::new(poll));
    post.quote = super::quotes::of_own_posts(conn, &format!("[{}]", post.id))?
        .pop()
        .map(|(_, quote)| Box::new(quote));
    Ok(post)
}

/// Like [`complete`] for a whole page: one query per table, not three per post (a profile page
/// of 20 posts made 60 queries, about half of its time).
fn complete_all(conn: &Connection, mut posts: Vec<Post>) -> rusqlite::Result<Vec<Post>> {
    if posts.len() < 2 {
        return posts.into_iter().map(|p| complete(conn, p)).collect();
    }
    let ids = serde_json::to_string(&posts.iter().map(|p| p.id).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into());
    let index: std::collections::HashMap<i64, usize> =
        posts.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut tags = conn.prepare_cached(
        "SELECT post_id, name FROM post_tags
         WHERE post_id IN (SELECT value FROM json_each(?1)) ORDER BY post_id, tag",
    )?;
    let mut rows = tags.query([&ids])?;
    while let Some(row) = rows.next()? {
        if let Some(&i) = index.get(&row.get(0)?) {
            posts[i].tags.push(row.get(1)?);
        }
    }
    let mut mentions = conn.prepare_cached(
        "SELECT post_id, actor_uri, handle FROM post_mentions
         WHERE post_id IN (SELECT value FROM json_each(?1)) ORDER BY post_id, actor_uri",
    )?;
    let mut rows = mentions.query([&ids])?;
    while let Some(row) = rows.next()? {
        if let Some(&i) = index.get(&row.get(0)?) {
            posts[i].mentions.push(Mention {
                uri: row.get(1)?,
                handle: row.get(2)?,
            });
        }
    }
    for (post_id, media) in media::of_posts(conn, &ids)? {
        if let Some(&i) = index.get(&post_id) {
            posts[i].media.push(media);
        }
    }
    for (post_id, poll) in super::polls::of_own_posts(conn, &ids)? {
        if let Some(&i) = index.get(&post_id) {
            posts[i].poll = Some(Box::new(poll));
        }
    }
    for (post_id, quote) in super::quotes::of_own_posts(conn, &ids)? {
        if let Some(&i) = index.get(&post_id) {
            posts[i].quote = Some(Box::new(quote));
        }
    }
    Ok(posts)
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Post>> {
    let post = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM posts WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?;
    post.map(|p| complete(conn, p)).transpose()
}

/// The posts with these ids that exist, in no particular order; tags, mentions and media in one
/// query each (the API's batch get and the status views).
pub fn get_many(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Post>> {
    let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM posts WHERE id IN (SELECT value FROM json_each(?1))"
    ))?;
    let posts = statement
        .query_map([&json], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    complete_all(conn, posts)
}

/// Which posts a list may show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Public and unlisted: what anyone may read.
    Anyone,
    /// Everything: the owner's own view.
    Owner,
}

impl Audience {
    fn condition(self) -> &'static str {
        match self {
            Audience::Anyone => "visibility IN ('public', 'unlisted')",
            Audience::Owner => "1",
        }
    }
}

/// One page of posts newest first, by keyset: `max_id` gives older posts, `min_id` newer ones.
pub fn page(
    conn: &Connection,
    audience: Audience,
    max_id: Option<i64>,
    min_id: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Page<Post>> {
    let condition = audience.condition();
    keyset_page(conn, condition, &[], max_id, min_id, limit)
}

/// One page of the posts carrying a tag.
pub fn page_with_tag(
    conn: &Connection,
    tag: &str,
    audience: Audience,
    max_id: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Page<Post>> {
    let condition = format!(
        "{} AND id IN (SELECT post_id FROM post_tags WHERE tag = ?)",
        audience.condition()
    );
    keyset_page(conn, &condition, &[&tag], max_id, None, limit)
}

fn keyset_page(
    conn: &Connection,
    condition: &str,
    extra: &[&dyn rusqlite::ToSql],
    max_id: Option<i64>,
    min_id: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Page<Post>> {
    let fetch = limit as i64 + 1;
    let mut values: Vec<&dyn rusqlite::ToSql> = extra.to_vec();
    let (sql, newest_first) = match min_id {
        Some(_) => (
            format!(
                "SELECT {COLUMNS} FROM posts WHERE {condition} AND id > ? ORDER BY id ASC LIMIT ?"
            ),
            false,
        ),
        None => (
            format!(
                "SELECT {COLUMNS} FROM posts WHERE {condition} AND id < ? ORDER BY id DESC LIMIT ?"
            ),
            true,
        ),
    };
    let bound = min_id.or(max_id).unwrap_or(i64::MAX);
    values.push(&bound);
    values.push(&fetch);
    let mut statement = conn.prepare_cached(&sql)?;
    let mut posts: Vec<Post> = statement
        .query_map(values.as_slice(), from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let more = posts.len() > limit;
    posts.truncate(limit);
    if !newest_first {
        posts.reverse();
    }
    let (older, newer) = match (newest_first, posts.first(), posts.last()) {
        (_, None, _) | (_, _, None) => (None, None),
        (true, Some(first), Some(last)) => (more.then_some(last.id), max_id.map(|_| first.id)),
        (false, Some(first), Some(last)) => (Some(last.id), more.then_some(first.id)),
    };
    Ok(Page {
        items: complete_all(conn, posts)?,
        older,
        newer,
    })
}

/// Which of the owner's posts a timeline reads.
#[derive(Clone, Copy, Debug)]
pub enum Selection<'a> {
    All,
    /// Public only: the public timelines.
    Public,
    /// Public posts carrying a tag.
    Tag(&'a str),
    /// What the owner's profile lists (all but direct messages), with a tag when given.
    Profile(Option<&'a str>),
}

/// The posts in a window, in the window's order (see `model::Window`).
pub fn window(
    conn: &Connection,
    selection: Selection,
    window: &Window,
) -> rusqlite::Result<Vec<Post>> {
    let condition = match selection {
        Selection::All => "1",
        Selection::Public => "visibility = 'public'",
        Selection::Tag(_) => {
            "visibility = 'public' AND id IN (SELECT post_id FROM post_tags WHERE tag = ?4)"
        }
        Selection::Profile(None) => "visibility != 'direct'",
        Selection::Profile(Some(_)) => {
            "visibility != 'direct' AND id IN (SELECT post_id FROM post_tags WHERE tag = ?4)"
        }
    };
    let order = if window.ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT {COLUMNS} FROM posts WHERE id < ?1 AND id > ?2 AND {condition}
         ORDER BY id {order} LIMIT ?3"
    );
    let tag = match selection {
        Selection::Tag(tag) | Selection::Profile(Some(tag)) => Some(tag),
        _ => None,
    };
    let mut statement = conn.prepare_cached(&sql)?;
    let limit = window.limit as i64;
    let posts: Vec<Post> = if let Some(tag) = tag {
        statement.query_map(params![window.below, window.above, limit, tag], from_row)?
    } else {
        statement.query_map(params![window.below, window.above, limit], from_row)?
    }
    .collect::<rusqlite::Result<_>>()?;
    complete_all(conn, posts)
}

/// The owner's posts that reply to `uri`, oldest first.
pub fn replies_to(conn: &Connection, uri: &str, audience: Audience) -> rusqlite::Result<Vec<Post>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM posts WHERE in_reply_to_uri = ?1 AND {} ORDER BY id",
        audience.condition()
    ))?;
    let posts = statement
        .query_map([uri], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    complete_all(conn, posts)
}

pub fn pinned(conn: &Connection, audience: Audience) -> rusqlite::Result<Vec<Post>> {
    // Left to itself SQLite walks posts_by_visibility, every public post (75 ms at 100,000).
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM posts INDEXED BY posts_pinned
         WHERE pinned_at IS NOT NULL AND {} ORDER BY pinned_at DESC",
        audience.condition()
    ))?;
    let posts = statement
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    complete_all(conn, posts)
}

/// Kept by triggers (`store::counters`): the same cost at any number of posts.
pub fn count(conn: &Connection, audience: Audience) -> rusqlite::Result<u64> {
    let counters = super::counters::get(conn)?;
    Ok(match audience {
        Audience::Anyone => counters.public_posts,
        Audience::Owner => counters.posts,
    })
}

#[cfg(test)]
mod tests;
