//! Mastodon's Account (and CredentialAccount): the owner, or a remote account we know.

use serde::Serialize;

use crate::model::{Actor, Counts, Profile, Timestamp};
use crate::urls::Urls;

use super::{absolute, date, datetime, OWNER_ACCOUNT_ID};

const DEFAULT_AVATAR: &str = "/assets/avatar.svg";

#[derive(Serialize, Clone, Debug)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub verified_at: Option<String>,
}

#[derive(Serialize, Clone, Debug)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub acct: String,
    pub display_name: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub group: bool,
    pub created_at: String,
    pub note: String,
    pub url: String,
    pub uri: String,
    pub avatar: String,
    pub avatar_static: String,
    pub header: String,
    pub header_static: String,
    pub followers_count: u64,
    pub following_count: u64,
    pub statuses_count: u64,
    pub last_status_at: Option<String>,
    pub hide_collections: bool,
    pub noindex: bool,
    pub emojis: Vec<serde_json::Value>,
    pub roles: Vec<serde_json::Value>,
    pub fields: Vec<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved: Option<Box<Account>>,
}

/// The owner as others see them. `fields_html` is each field's name and value as HTML, and
/// `last_post` the time of the newest post.
pub fn owner(
    urls: &Urls,
    profile: &Profile,
    fields_html: &[(String, String)],
    counts: &Counts,
    last_post: Option<Timestamp>,
) -> Account {
    let avatar = absolute(
        urls,
        &profile
            .avatar
            .as_ref()
            .map_or(DEFAULT_AVATAR.to_string(), |m| {
                urls.media(m.id, &m.file_name())
            }),
    );
    let header = profile
        .header
        .as_ref()
        .map_or_else(String::new, |m| urls.media(m.id, &m.file_name()));
    Account {
        id: OWNER_ACCOUNT_ID.to_string(),
        username: profile.username.clone(),
        acct: profile.username.clone(),
        display_name: profile.display_name.clone(),
        locked: profile.manually_approves_followers,
        bot: profile.bot,
        discoverable: profile.discoverable,
        indexable: profile.discoverable,
        group: false,
        // Mastodon gives the day an account was made, at midnight.
        created_at: format!("{}T00:00:00.000Z", date(profile.created_at)),
        note: profile.bio_html.clone(),
        url: urls.profile(),
        uri: urls.actor(),
        avatar_static: avatar.clone(),
        avatar,
        header_static: header.clone(),
        header,
        followers_count: counts.followers,
        following_count: counts.following,
        statuses_count: counts.posts,
        last_status_at: last_post.map(date),
        hide_collections: false,
        noindex: !profile.discoverable,
        emojis: Vec::new(),
        roles: Vec::new(),
        fields: fields_html
            .iter()
            .map(|(name, value)| Field {
                name: name.clone(),
                value: value.clone(),
                verified_at: None,
            })
            .collect(),
        moved: None,
    }
}

/// A remote account. Its counts are not federated to us reliably, so they are 0 unless known.
pub fn remote(urls: &Urls, actor: &Actor) -> Account {
    let avatar = actor
        .avatar_url
        .clone()
        .unwrap_or_else(|| absolute(urls, DEFAULT_AVATAR));
    let header = actor.header_url.clone().unwrap_or_default();
    Account {
        id: actor.id.to_string(),
        username: actor.username.clone(),
        acct: format!("{}@{}", actor.username, actor.domain),
        display_name: actor.display_name.clone(),
        locked: actor.manually_approves_followers,
        bot: matches!(actor.kind.as_str(), "Service" | "Application"),
        discoverable: false,
        indexable: false,
        group: actor.kind == "Group",
        created_at: datetime(Timestamp(0)),
        note: actor.summary_html.clone(),
        url: actor.url.clone(),
        uri: actor.uri.clone(),
        avatar_static: avatar.clone(),
        avatar,
        header_static: header.clone(),
        header,
        followers_count: 0,
        following_count: 0,
        statuses_count: 0,
        last_status_at: None,
        hide_collections: false,
        noindex: false,
        emojis: Vec::new(),
        roles: Vec::new(),
        fields: actor
            .fields
            .iter()
            .map(|field| Field {
                name: field.name.clone(),
                value: field.value.clone(),
                verified_at: None,
            })
            .collect(),
        moved: None,
    }
}
