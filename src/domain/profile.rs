//! The owner's profile: reading it, editing it, and its pictures.

use rusqlite::Connection;

use crate::delivery;
use crate::error::{Error, Result};
use crate::federation::build;
use crate::model::{Field, Profile, Timestamp};
use crate::store::{self, follows, media as stored_media, profile};

pub use crate::store::profile::Picture;
use crate::urls::Urls;

use crate::media::{self, MediaKind};
use crate::text;

pub const MAX_DISPLAY_NAME_CHARS: usize = 100;
pub const MAX_BIO_CHARS: usize = 2_000;
pub use crate::model::MAX_PROFILE_FIELDS;
pub const MAX_FIELD_CHARS: usize = 255;

/// Tells followers the profile changed (Update of the actor), in the caller's transaction.
pub(crate) fn send_update(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    now: Timestamp,
) -> Result<()> {
    let profile = get(conn, username)?;
    let pem = super::instance::public_key_pem(conn)?;
    let actor = build::actor(urls, &profile, &fields_html(&profile), &pem);
    let update = build::update_actor(urls, actor, now);
    delivery::enqueue(
        conn,
        &update,
        &follows::follower_inboxes(conn)?,
        urls.origin(),
        now,
    )?;
    Ok(())
}

pub fn get(conn: &Connection, username: &str) -> Result<Profile> {
    profile::get(conn, username)?
        .ok_or_else(|| Error::internal("the profile row is missing: run perch init"))
}

/// What the settings form sends.
#[derive(Clone, Debug, Default)]
pub struct ProfileForm {
    pub display_name: String,
    pub bio: String,
    pub fields: Vec<Field>,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    /// None keeps what the profile says (the web form has no such box).
    pub bot: Option<bool>,
}

pub fn update(
    conn: &mut Connection,
    urls: &Urls,
    username: &str,
    form: &ProfileForm,
    now: Timestamp,
) -> Result<()> {
    let display_name = form.display_name.trim();
    if display_name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(Error::bad_request(format!(
            "the display name is longer than {MAX_DISPLAY_NAME_CHARS} characters"
        )));
    }
    if form.bio.chars().count() > MAX_BIO_CHARS {
        return Err(Error::bad_request(format!(
            "the bio is longer than {MAX_BIO_CHARS} characters"
        )));
    }
    let fields: Vec<Field> = form
        .fields
        .iter()
        .map(|f| Field {
            name: f.name.trim().to_string(),
            value: f.value.trim().to_string(),
        })
        .filter(|f| !f.name.is_empty() || !f.value.is_empty())
        .collect();
    if fields.len() > MAX_PROFILE_FIELDS {
        return Err(Error::bad_request(format!(
            "at most {MAX_PROFILE_FIELDS} profile fields"
        )));
    }
    if fields.iter().any(|f| {
        f.name.chars().count() > MAX_FIELD_CHARS || f.value.chars().count() > MAX_FIELD_CHARS
    }) {
        return Err(Error::bad_request(format!(
            "profile field names and values are limited to {MAX_FIELD_CHARS} characters"
        )));
    }
    let bio_html = if form.bio.trim().is_empty() {
        String::new()
    } else {
        text::render_markdown(&form.bio, &|tag| urls.hashtag(tag)).html
    };
    let bot = match form.bot {
        Some(bot) => bot,
        None => get(conn, username)?.bot,
    };
    store::write(conn, |tx| {
        profile::update(
            tx,
            &profile::ProfileUpdate {
                display_name,
                bio_source: &form.bio,
                bio_html: &bio_html,
                fields: &fields,
                manually_approves_followers: form.manually_approves_followers,
                discoverable: form.discoverable,
                bot,
            },
            now,
        )?;
        send_update(tx, urls, username, now)
    })
}

/// A field's value as HTML: a web address becomes a `rel="me"` link (so a personal site can
/// verify the profile, as on Mastodon); anything else is escaped text.
pub fn field_value_html(value: &str) -> String {
    let escaped = text::escape(value);
    let is_link = url::Url::parse(value).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host().is_some()
            && !value.contains(char::is_whitespace)
    });
    if is_link {
        let shown = value
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/');
        format!(
            "<a href=\"{escaped}\" target=\"_blank\" rel=\"nofollow noopener noreferrer me\" translate=\"no\">{}</a>",
            text::escape(shown)
        )
    } else {
        escaped
    }
}

/// Profile fields with their values as HTML, for the actor document and the profile page.
pub fn fields_html(profile: &Profile) -> Vec<(String, String)> {
    profile
        .fields
        .iter()
        .map(|f| (f.name.clone(), field_value_html(&f.value)))
        .collect()
}

/// Stores a new avatar or header (metadata stripped, resized) and puts it on the profile.
pub fn set_picture(
    conn: &mut Connection,
    urls: &Urls,
    username: &str,
    picture: Picture,
    data: &[u8],
    now: Timestamp,
) -> Result<()> {
    let kind = match picture {
        Picture::Avatar => MediaKind::Avatar,
        Picture::Header => MediaKind::Header,
    };
    let processed = media::process(data, kind).map_err(|e| Error::new(422, e.to_string()))?;
    let id = store::new_id(now);
    store::write(conn, |tx| {
        stored_media::insert(
            tx,
            &stored_media::NewMedia {
                id,
                mime: processed.original.mime,
                width: processed.original.width,
                height: processed.original.height,
                blurhash: &processed.blurhash,
                description: "",
                data: &processed.original.bytes,
                preview: None,
            },
            now,
        )?;
        profile::set_picture(tx, picture, Some(id), now)?;
        send_update(tx, urls, username, now)
    })
}

/// Takes the avatar or header off the profile (its bytes go too) and tells followers, whose
/// servers then drop the actor's `icon` or `image`.
pub fn remove_picture(
    conn: &mut Connection,
    urls: &Urls,
    username: &str,
    picture: Picture,
    now: Timestamp,
) -> Result<()> {
    store::write(conn, |tx| {
        profile::set_picture(tx, picture, None, now)?;
        send_update(tx, urls, username, now)
    })
}

#[cfg(test)]
mod tests;
