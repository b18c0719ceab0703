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
    let ed25519 = super::instance::ed25519_multibase(conn)?;
    let actor = build::actor(urls, &profile, &fields_html(&profile), &pem, &ed25519);
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
    let checked = check(conn, urls, username, form)?;
    store::write(conn, |tx| {
        write_checked(tx, &checked, now)?;
        send_update(tx, urls, username, now)
    })
}

/// A profile form that passed the settings page's checks, ready to write.
pub(crate) struct Checked {
    display_name: String,
    bio: String,
    bio_html: String,
    fields: Vec<Field>,
    manually_approves_followers: bool,
    discoverable: bool,
    bot: bool,
}

/// The settings page's checks: lengths and the number of fields; the bio rendered.
pub(crate) fn check(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    form: &ProfileForm,
) -> Result<Checked> {
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
    Ok(Checked {
        display_name: display_name.to_string(),
        bio: form.bio.clone(),
        bio_html,
        fields,
        manually_approves_followers: form.manually_approves_followers,
        discoverable: form.discoverable,
        bot,
    })
}

/// Writes a checked form, in the caller's transaction (the caller tells followers).
pub(crate) fn write_checked(tx: &Connection, checked: &Checked, now: Timestamp) -> Result<()> {
    profile::update(
        tx,
        &profile::ProfileUpdate {
            display_name: &checked.display_name,
            bio_source: &checked.bio,
            bio_html: &checked.bio_html,
            fields: &checked.fields,
            manually_approves_followers: checked.manually_approves_followers,
            discoverable: checked.discoverable,
            bot: checked.bot,
        },
        now,
    )?;
    Ok(())
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
    let processed = process_picture(picture, data)?;
    store::write(conn, |tx| {
        store_picture(tx, picture, &processed, now)?;
        send_update(tx, urls, username, now)
    })
}

/// An avatar or header through the image pipeline; 422 for what it refuses.
pub(crate) fn process_picture(picture: Picture, data: &[u8]) -> Result<media::Processed> {
    let kind = match picture {
        Picture::Avatar => MediaKind::Avatar,
        Picture::Header => MediaKind::Header,
    };
    media::process(data, kind).map_err(|e| Error::new(422, e.to_string()))
}

/// Keeps a processed picture and puts it on the profile, in the caller's transaction (the
/// caller tells followers).
pub(crate) fn store_picture(
    tx: &Connection,
    picture: Picture,
    processed: &media::Processed,
    now: Timestamp,
) -> Result<()> {
    let id = store::new_id(now);
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
    Ok(())
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
