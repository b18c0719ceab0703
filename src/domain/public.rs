//! What visitors see: the profile page, its feeds, tag pages and the media of posts.

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{Counts, MediaFile, Page, Post, Profile, ProfilePage, Visibility};
use crate::store::posts::{self, Audience};
use crate::store::{counters, media};

use super::profile;

/// Who is looking: the owner sees posts not for everyone too.
fn audience(is_owner: bool) -> Audience {
    if is_owner {
        Audience::Owner
    } else {
        Audience::Anyone
    }
}

/// The profile page with one page of public posts.
pub fn profile_page(
    conn: &Connection,
    username: &str,
    max_id: Option<i64>,
    min_id: Option<i64>,
    limit: usize,
) -> Result<ProfilePage> {
    let profile = profile::get(conn, username)?;
    let counters = counters::get(conn)?;
    let counts = Counts {
        posts: counters.public_posts,
        followers: counters.followers,
        following: counters.following,
    };
    Ok(ProfilePage {
        fields_html: profile::fields_html(&profile),
        profile,
        counts,
        pinned: posts::pinned(conn, Audience::Anyone)?,
        page: posts::page(conn, Audience::Anyone, max_id, min_id, limit)?,
    })
}

/// The profile and its newest public posts, for the Atom and RSS feeds. Unlisted posts stay off
/// subscriptions, as on Mastodon.
pub fn feed(conn: &Connection, username: &str, limit: usize) -> Result<(Profile, Vec<Post>)> {
    let profile = profile::get(conn, username)?;
    let page = posts::page(conn, Audience::Anyone, None, None, limit * 2)?;
    let public = page
        .items
        .into_iter()
        .filter(|p| p.visibility == Visibility::Public)
        .take(limit)
        .collect();
    Ok((profile, public))
}

/// One page of the posts with a tag.
pub fn tag_page(
    conn: &Connection,
    username: &str,
    tag: &str,
    is_owner: bool,
    max_id: Option<i64>,
    limit: usize,
) -> Result<(Profile, Page<Post>)> {
    let profile = profile::get(conn, username)?;
    let page = posts::page_with_tag(conn, tag, audience(is_owner), max_id, limit)?;
    Ok((profile, page))
}

/// A stored image; attachments of posts not for everyone are as hidden as the posts.
pub fn media(conn: &Connection, id: i64, preview: bool, is_owner: bool) -> Result<MediaFile> {
    let stored = media::bytes(conn, id, preview)?.ok_or_else(Error::not_found)?;
    let visible = match stored.post_visibility.as_deref() {
        None => true,
        Some(v) => is_owner || matches!(v, "public" | "unlisted"),
    };
    if !visible {
        return Err(Error::not_found());
    }
    Ok(MediaFile {
        mime: stored.mime,
        data: stored.data,
    })
}
