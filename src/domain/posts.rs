//! Publishing, editing and deleting the owner's posts.

use rusqlite::Connection;

use crate::delivery;
use crate::domain::actors::{self as remote_actors, Fetch};
use crate::error::{Error, Result};
use crate::federation::build;
use crate::model::{Actor, Mention, Post, Profile, Timestamp, Visibility};
use crate::store::{self, actors, follows, media as stored_media, posts, remote_posts};
use crate::urls::Urls;

use super::attachments::{self, Upload};
use super::stream::{self, Event};
use crate::text;

pub use crate::model::MAX_POST_CHARS;
pub const MAX_SUMMARY_CHARS: usize = 500;
const MAX_URL_BYTES: usize = 2_048;

/// What the owner wrote.
#[derive(Clone, Debug)]
pub struct Compose {
    pub source: String,
    pub summary: Option<String>,
    pub visibility: Visibility,
    pub in_reply_to: Option<String>,
}

fn check_text(source: &str, summary: Option<&str>) -> Result<()> {
    if source.trim().is_empty() {
        return Err(Error::bad_request("the post is empty"));
    }
    if source.chars().count() > MAX_POST_CHARS {
        return Err(Error::bad_request(format!(
            "the post is longer than {MAX_POST_CHARS} characters"
        )));
    }
    if summary.is_some_and(|s| s.chars().count() > MAX_SUMMARY_CHARS) {
        return Err(Error::bad_request(format!(
            "the content warning is longer than {MAX_SUMMARY_CHARS} characters"
        )));
    }
    Ok(())
}

/// An empty or blank content warning is no content warning.
fn clean_summary(summary: Option<&str>) -> Option<String> {
    summary
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The object id a reply points at: our own posts by their object id, others as given.
fn reply_target(urls: &Urls, in_reply_to: Option<&str>) -> Result<Option<String>> {
    let Some(target) = in_reply_to.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Some(id) = urls.parse_post_reference(target) {
        if target.starts_with(urls.origin()) {
            return Ok(Some(urls.post(id)));
        }
    }
    let valid = target.len() <= MAX_URL_BYTES
        && url::Url::parse(target)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if valid {
        Ok(Some(target.to_string()))
    } else {
        Err(Error::bad_request(
            "the post replied to must be given by its http(s) URL",
        ))
    }
}

/// Where a post and its edits and deletion go: followers (collapsed to shared inboxes) unless
/// it is direct, and every mentioned actor. Followers-only and direct posts reach nobody else.
fn recipients(conn: &Connection, post: &Post) -> rusqlite::Result<Vec<String>> {
    let mut inboxes = match post.visibility {
        Visibility::Direct => Vec::new(),
        _ => follows::follower_inboxes(conn)?,
    };
    for mention in &post.mentions {
        if let Some(actor) = actors::get_by_uri(conn, &mention.uri)? {
            inboxes.push(actor.inbox);
        }
    }
    Ok(inboxes)
}

/// Queues `activity` about `post` for its recipients, in the caller's transaction.
pub(super) fn send(
    conn: &Connection,
    urls: &Urls,
    post: &Post,
    activity: &impl serde::Serialize,
    now: Timestamp,
) -> rusqlite::Result<()> {
    let inboxes = recipients(conn, post)?;
    delivery::enqueue(conn, activity, &inboxes, urls.origin(), now)?;
    Ok(())
}

/// At most this many `@user@domain` mentions are looked up per post, bounding its network work.
const MAX_RESOLVED_MENTIONS: usize = 10;

/// Publishes without looking anyone up (mentions of unknown accounts stay text links).
pub fn publish(
    conn: &mut Connection,
    urls: &Urls,
    compose: &Compose,
    now: Timestamp,
) -> Result<Post> {
    publish_with(conn, urls, None, compose, now)
}

/// Finds the actors behind `@user@domain` mentions by WebFinger; an account that cannot be found
/// stays a plain link, as on Mastodon.
fn resolve_mentions(
    conn: &Connection,
    remote: Option<&dyn Fetch>,
    found: &[text::FoundMention],
    now: Timestamp,
) -> Vec<(text::FoundMention, Actor)> {
    let Some(remote) = remote else {
        return Vec::new();
    };
    found
        .iter()
        .take(MAX_RESOLVED_MENTIONS)
        .filter_map(|m| {
            let handle = format!("@{}@{}", m.user, m.domain);
            let actor = remote_actors::resolve_handle(conn, remote, &handle, now).ok()?;
            Some((
                text::FoundMention {
                    user: m.user.clone(),
                    domain: m.domain.clone(),
                },
                actor,
            ))
        })
        .collect()
}

/// The author of the post a reply answers: from what we keep, else (with `remote`) by fetching
/// the post once and then its `attributedTo`. Our own posts need no mention.
fn reply_author(
    conn: &Connection,
    urls: &Urls,
    remote: Option<&dyn Fetch>,
    parent: &str,
    now: Timestamp,
) -> Result<Option<Mention>> {
    if parent.starts_with(&format!("{}/", urls.origin())) {
        return Ok(None);
    }
    if let Some(post) = remote_posts::get_by_uri(conn, parent)? {
        return Ok(Some(Mention {
            handle: post.actor.handle(),
            uri: post.actor.uri,
        }));
    }
    let Some(remote) = remote else {
        return Ok(None);
    };
    let author = remote
        .get_activity(parent)
        .ok()
        .and_then(|note| crate::federation::vocab::single_id(note.get("attributedTo")))
        .and_then(|author| remote_actors::get_or_fetch(conn, remote, &author, now).ok());
    Ok(author.map(|actor| Mention {
        handle: actor.handle(),
        uri: actor.uri,
    }))
}

/// Publishes a post; with `remote`, its mentions are resolved into Mention tags and recipients.
pub fn publish_with(
    conn: &mut Connection,
    urls: &Urls,
    remote: Option<&dyn Fetch>,
    compose: &Compose,
    now: Timestamp,
) -> Result<Post> {
    publish_with_media(conn, urls, remote, compose, &[], now)
}

/// Publishes a post with images attached; a refused image refuses the post (nothing is stored).
pub fn publish_with_media(
    conn: &mut Connection,
    urls: &Urls,
    remote: Option<&dyn Fetch>,
    compose: &Compose,
    uploads: &[Upload],
    now: Timestamp,
) -> Result<Post> {
    let extra = Extra {
        uploads,
        ..Extra::default()
    };
    publish_extra(conn, urls, remote, compose, &extra, now)
}

/// What the client API adds to a post beyond the compose form.
#[derive(Clone, Debug, Default)]
pub struct Extra<'a> {
    /// New images, processed here.
    pub uploads: &'a [Upload],
    /// Images uploaded before (`domain::media`), attached in this order after `uploads`.
    pub media_ids: &'a [i64],
    /// Sensitive without a content warning (with one it always is).
    pub sensitive: bool,
    /// The language tag, as given (stored, not checked beyond its size).
    pub language: Option<&'a str>,
    /// A poll to put on the post (then it federates as a `Question`).
    pub poll: Option<&'a super::polls::NewPoll>,
    /// The post it quotes, by its id (asked of its author with a QuoteRequest).
    pub quote: Option<&'a str>,
    /// Who may quote it; the owner's default when None.
    pub quote_policy: Option<crate::model::QuotePolicy>,
}

/// Refuses media ids that are not free uploads (attached already, the avatar, unknown).
fn check_media_ids(conn: &Connection, ids: &[i64]) -> Result<()> {
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) || !stored_media::is_free_upload(conn, *id)? {
            return Err(Error::new(
                422,
                format!("media {id} is unknown or attached to a post already"),
            ));
        }
    }
    Ok(())
}

/// Publishes a post with everything the API may give; the one way posts are made.
pub fn publish_extra(
    conn: &mut Connection,
    urls: &Urls,
    remote: Option<&dyn Fetch>,
    compose: &Compose,
    extra: &Extra,
    now: Timestamp,
) -> Result<Post> {
    super::moving::refuse_if_moved(conn)?;
    let summary = clean_summary(compose.summary.as_deref());
    check_text(&compose.source, summary.as_deref())?;
    attachments::check_count(extra.uploads.len(), extra.media_ids.len())?;
    check_media_ids(conn, extra.media_ids)?;
    let poll_options = extra.poll.map(super::polls::check).transpose()?;
    if poll_options.is_some() && !(extra.uploads.is_empty() && extra.media_ids.is_empty()) {
        return Err(Error::new(
            422,
            "Validation failed: a post with a poll cannot carry images",
        ));
    }
    let language = extra
        .language
        .map(str::trim)
        .filter(|l| !l.is_empty() && l.len() <= 16);
    let uploads = extra.uploads;
    let prepared = attachments::prepare(uploads)?;
    let in_reply_to = reply_target(urls, compose.in_reply_to.as_deref())?;
    let first = text::render_markdown(&compose.source, &|tag| urls.hashtag(tag));
    let resolved = resolve_mentions(conn, remote, &first.mentions, now);
    let rendered = if resolved.is_empty() {
        first
    } else {
        let link = |m: &text::FoundMention| {
            resolved
                .iter()
                .find(|(r, _)| r.user.eq_ignore_ascii_case(&m.user) && r.domain == m.domain)
                .map(|(_, actor)| {
                    if actor.url.is_empty() {
                        actor.uri.clone()
                    } else {
                        actor.url.clone()
                    }
                })
                .or_else(|| text::default_mention_url(m))
        };
        text::render_markdown_with(&compose.source, &|tag| urls.hashtag(tag), &link)
    };
    let mut mentions: Vec<Mention> = resolved
        .iter()
        .map(|(m, actor)| Mention {
            uri: actor.uri.clone(),
            handle: format!("@{}@{}", m.user, m.domain),
        })
        .collect();
    // A reply mentions the author it answers, so it reaches them as on Mastodon.
    let parent_author = match in_reply_to.as_deref() {
        Some(parent) => reply_author(conn, urls, remote, parent, now)?,
        None => None,
    };
    if let Some(author) = parent_author {
        if !mentions.iter().any(|m| m.uri == author.uri) {
            mentions.push(author);
        }
    }
    let quoted = extra
        .quote
        .map(|uri| super::quotes::quotable(conn, urls, uri.trim()))
        .transpose()?;
    let quote_policy = match extra.quote_policy {
        Some(policy) => policy,
        None => super::quotes::default_policy(conn)?,
    };
    let id = store::new_id(now);
    store::write(conn, |tx| {
        posts::insert(
            tx,
            &posts::NewPost {
                id,
                visibility: compose.visibility,
                source: &compose.source,
                content_html: &rendered.html,
                summary: summary.as_deref(),
                sensitive: summary.is_some() || extra.sensitive,
                in_reply_to: in_reply_to.as_deref(),
                tags: &rendered.hashtags,
                mentions: &mentions,
            },
            now,
        )?;
        if language.is_some() {
            posts::set_language(tx, id, language)?;
        }
        posts::set_quote_policy(tx, id, quote_policy)?;
        if let Some(quoted) = &quoted {
            super::quotes::attach(tx, urls, id, quoted, now)?;
        }
        if let (Some(poll), Some(options)) = (extra.poll, &poll_options) {
            super::polls::attach(tx, urls, id, poll, options, now)?;
        }
        attachments::attach(tx, id, &prepared, 0, now)?;
        for (offset, media_id) in extra.media_ids.iter().enumerate() {
            if !stored_media::attach(tx, *media_id, id, prepared.len() + offset)? {
                return Err(Error::new(
                    422,
                    format!("media {media_id} is attached already"),
                ));
            }
        }
        // The post and its deliveries commit together: a crash loses neither alone.
        let post =
            posts::get(tx, id)?.ok_or_else(|| Error::internal("a post vanished after insert"))?;
        send(tx, urls, &post, &build::create_document(urls, &post), now)?;
        super::quotes::send_request(tx, urls, &post, now)?;
        Ok(post)
    })
    .inspect(|post| stream::publish(Event::Posted(urls.post(post.id).into())))
}

/// A change to an image already on the post.
#[derive(Clone, Debug)]
pub struct MediaChange {
    pub id: i64,
    pub description: String,
    pub remove: bool,
}

/// What the edit form sends: the new text and content warning, changes to the images on the
/// post (those not named stay as they are), and images to add after them.
#[derive(Clone, Debug, Default)]
pub struct PostChanges {
    pub source: String,
    pub summary: Option<String>,
    pub media: Vec<MediaChange>,
    pub added: Vec<Upload>,
}

/// Edits a post and sends an Update carrying the new version (text and attachments). The
/// previous version goes to the history. Visibility cannot change, as on Mastodon.
pub fn edit(
    conn: &mut Connection,
    urls: &Urls,
    id: i64,
    changes: &PostChanges,
    now: Timestamp,
) -> Result<Post> {
    edit_extra(conn, urls, id, changes, &Extra::default(), now)
}

/// Like [`edit`], with what the API may also change: uploaded images to attach after the kept
/// ones (`extra.media_ids`) and sensitivity; `uploads` and `language` are not read.
pub fn edit_extra(
    conn: &mut Connection,
    urls: &Urls,
    id: i64,
    changes: &PostChanges,
    extra: &Extra,
    now: Timestamp,
) -> Result<Post> {
    let summary = clean_summary(changes.summary.as_deref());
    check_text(&changes.source, summary.as_deref())?;
    let rendered = text::render_markdown(&changes.source, &|tag| urls.hashtag(tag));
    let existing = posts::get(conn, id)?.ok_or_else(Error::not_found)?;
    for change in &changes.media {
        if !existing.media.iter().any(|m| m.id == change.id) {
            return Err(Error::new(422, "an image that is not on this post"));
        }
        if change.description.trim().chars().count() > attachments::MAX_DESCRIPTION_CHARS {
            return Err(Error::new(
                422,
                format!(
                    "an image description is longer than {} characters",
                    attachments::MAX_DESCRIPTION_CHARS
                ),
            ));
        }
    }
    let kept = existing
        .media
        .iter()
        .filter(|m| !changes.media.iter().any(|c| c.id == m.id && c.remove))
        .count();
    attachments::check_count(kept, changes.added.len() + extra.media_ids.len())?;
    check_media_ids(conn, extra.media_ids)?;
    let prepared = attachments::prepare(&changes.added)?;
    store::write(conn, |tx| {
        // First, so the history keeps the images as they were.
        let changed = posts::edit(
            tx,
            id,
            &posts::PostEdit {
                source: &changes.source,
                content_html: &rendered.html,
                summary: summary.as_deref(),
                sensitive: summary.is_some() || extra.sensitive,
                tags: &rendered.hashtags,
                mentions: &existing.mentions,
            },
            now,
        )?;
        if !changed {
            return Err(Error::not_found());
        }
        for change in &changes.media {
            if change.remove {
                stored_media::delete(tx, change.id)?;
            } else {
                stored_media::set_description(tx, change.id, id, change.description.trim())?;
            }
        }
        let next = stored_media::next_position(tx, id)?;
        attachments::attach(tx, id, &prepared, next, now)?;
        for (offset, media_id) in extra.media_ids.iter().enumerate() {
            if !stored_media::attach(tx, *media_id, id, next + prepared.len() + offset)? {
                return Err(Error::new(
                    422,
                    format!("media {media_id} is attached already"),
                ));
            }
        }
        let post = posts::get(tx, id)?.ok_or_else(Error::not_found)?;
        send(tx, urls, &post, &build::update_note(urls, &post), now)?;
        Ok(post)
    })
    .inspect(|post| stream::publish(Event::Edited(urls.post(post.id).into())))
}

pub fn delete(conn: &mut Connection, urls: &Urls, id: i64, now: Timestamp) -> Result<Post> {
    store::write(conn, |tx| {
        let post = posts::get(tx, id)?.ok_or_else(Error::not_found)?;
        send(tx, urls, &post, &build::delete_note(urls, &post), now)?;
        posts::delete(tx, id)?;
        crate::store::polls::delete(tx, &urls.post(id))?;
        Ok(post)
    })
    .inspect(|post| stream::publish(Event::Deleted(post.id)))
}

/// A post anyone may read: public or unlisted. Others are "not found" to strangers, never
/// "forbidden", so their existence does not leak.
pub fn get_visible(conn: &Connection, id: i64, owner: bool) -> Result<Post> {
    match posts::get(conn, id)? {
        Some(post) if owner || post.visibility.is_world_readable() => Ok(post),
        _ => Err(Error::not_found()),
    }
}

/// Our post as its edit form shows it, with the profile.
pub fn editing(conn: &Connection, username: &str, id: i64) -> Result<(Profile, Post)> {
    let profile = super::profile::get(conn, username)?;
    Ok((profile, get_visible(conn, id, true)?))
}

/// The chain of our own posts above `post` (oldest first), as far as we hold it, bounded.
pub fn ancestors(conn: &Connection, urls: &Urls, post: &Post, owner: bool) -> Result<Vec<Post>> {
    let mut chain = Vec::new();
    let mut next = post.in_reply_to.clone();
    while let Some(uri) = next.take() {
        if chain.len() >= 20 {
            break;
        }
        let Some(id) = urls
            .parse_post_reference(&uri)
            .filter(|_| uri.starts_with(urls.origin()))
        else {
            break;
        };
        match get_visible(conn, id, owner) {
            Ok(parent) => {
                next = parent.in_reply_to.clone();
                chain.push(parent);
            }
            Err(_) => break,
        }
    }
    chain.reverse();
    Ok(chain)
}

#[cfg(test)]
mod tests;
