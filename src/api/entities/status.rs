//! Mastodon's Status, for our posts, remote posts we keep, and boosts of either.

use serde::Serialize;
use serde_json::Value;

use crate::model::{Entry, Post, RemotePost, Shown, Visibility};
use crate::urls::Urls;

use super::account::{self, Account};
use super::datetime;
use super::media::{self, MediaAttachment};

#[derive(Serialize, Clone, Debug)]
pub struct Mention {
    pub id: String,
    pub username: String,
    pub url: String,
    pub acct: String,
}

#[derive(Serialize, Clone, Debug)]
pub struct Tag {
    pub name: String,
    pub url: String,
}

#[derive(Serialize, Clone, Debug)]
pub struct Status {
    pub id: String,
    pub created_at: String,
    pub in_reply_to_id: Option<String>,
    pub in_reply_to_account_id: Option<String>,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub visibility: &'static str,
    pub language: Option<String>,
    pub uri: String,
    pub url: Option<String>,
    pub replies_count: u64,
    pub reblogs_count: u64,
    pub favourites_count: u64,
    pub edited_at: Option<String>,
    pub favourited: bool,
    pub reblogged: bool,
    pub muted: bool,
    pub bookmarked: bool,
    pub pinned: bool,
    pub content: String,
    pub filtered: Vec<Value>,
    pub reblog: Option<Box<Status>>,
    pub application: Option<Value>,
    pub account: Account,
    pub media_attachments: Vec<MediaAttachment>,
    pub mentions: Vec<Mention>,
    pub tags: Vec<Tag>,
    pub emojis: Vec<Value>,
    pub card: Option<Value>,
    pub poll: Option<Value>,
    /// The Markdown the owner wrote: only in the answer to a delete ("delete and redraft").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

pub use crate::model::Extras;

pub fn visibility(visibility: Visibility) -> &'static str {
    match visibility {
        Visibility::Public => "public",
        Visibility::Unlisted => "unlisted",
        Visibility::Followers => "private",
        Visibility::Direct => "direct",
    }
}

pub fn parse_visibility(text: &str) -> Option<Visibility> {
    match text {
        "public" => Some(Visibility::Public),
        "unlisted" => Some(Visibility::Unlisted),
        "private" => Some(Visibility::Followers),
        "direct" => Some(Visibility::Direct),
        _ => None,
    }
}

fn own(urls: &Urls, owner: &Account, post: &Post) -> Status {
    Status {
        id: post.id.to_string(),
        created_at: datetime(post.created_at),
        in_reply_to_id: None,
        in_reply_to_account_id: None,
        sensitive: post.sensitive,
        spoiler_text: post.summary.clone().unwrap_or_default(),
        visibility: visibility(post.visibility),
        language: None,
        uri: urls.post(post.id),
        url: Some(urls.post_page(post.id)),
        replies_count: 0,
        reblogs_count: 0,
        favourites_count: 0,
        edited_at: post.updated_at.map(datetime),
        favourited: false,
        reblogged: false,
        muted: false,
        bookmarked: false,
        pinned: post.pinned,
        content: post.content_html.clone(),
        filtered: Vec::new(),
        reblog: None,
        application: None,
        account: owner.clone(),
        media_attachments: post.media.iter().map(|m| media::own(urls, m)).collect(),
        mentions: post
            .mentions
            .iter()
            .map(|m| {
                let handle = m.handle.trim_start_matches('@');
                Mention {
                    id: String::new(),
                    username: handle.split('@').next().unwrap_or(handle).to_string(),
                    url: m.uri.clone(),
                    acct: handle.to_string(),
                }
            })
            .collect(),
        tags: post
            .tags
            .iter()
            .map(|tag| Tag {
                name: tag.to_lowercase(),
                url: urls.tag(tag),
            })
            .collect(),
        emojis: Vec::new(),
        card: None,
        poll: post
            .poll
            .as_ref()
            .map(|p| super::poll::poll(p, crate::model::Timestamp::now())),
        text: None,
    }
}

fn remote(urls: &Urls, post: &RemotePost) -> Status {
    Status {
        id: post.id.to_string(),
        created_at: datetime(post.published_at),
        in_reply_to_id: None,
        in_reply_to_account_id: None,
        sensitive: post.sensitive,
        spoiler_text: post.summary.clone().unwrap_or_default(),
        visibility: visibility(post.visibility),
        language: None,
        uri: post.uri.clone(),
        url: Some(post.url.clone().unwrap_or_else(|| post.uri.clone())),
        replies_count: 0,
        reblogs_count: 0,
        favourites_count: 0,
        edited_at: post.updated_at.map(datetime),
        favourited: false,
        reblogged: false,
        muted: false,
        bookmarked: false,
        pinned: false,
        content: post.content_html.clone(),
        filtered: Vec::new(),
        reblog: None,
        application: None,
        account: account::remote(urls, &post.actor),
        media_attachments: post
            .attachments
            .iter()
            .enumerate()
            .map(|(i, a)| media::remote(post.id, i, a))
            .collect(),
        mentions: post
            .mentions
            .iter()
            .map(|handle| {
                let handle = handle.trim_start_matches('@');
                Mention {
                    id: String::new(),
                    username: handle.split('@').next().unwrap_or(handle).to_string(),
                    url: String::new(),
                    acct: handle.to_string(),
                }
            })
            .collect(),
        tags: Vec::new(),
        emojis: Vec::new(),
        card: None,
        poll: post
            .poll
            .as_ref()
            .map(|p| super::poll::poll(p, crate::model::Timestamp::now())),
        text: None,
    }
}

/// A post of ours or someone else's, as its own status.
pub fn shown(urls: &Urls, owner: &Account, shown: &Shown, extras: &Extras) -> Status {
    let mut status = match shown {
        Shown::Own(post) => own(urls, owner, post),
        Shown::Remote(post) => remote(urls, post),
    };
    status.in_reply_to_id = extras.in_reply_to_id.map(|id| id.to_string());
    status.in_reply_to_account_id = extras.in_reply_to_account_id.clone();
    status.replies_count = extras.replies;
    status.reblogs_count = extras.reblogs;
    status.favourites_count = extras.favourites;
    status.muted = extras.muted;
    status.favourited = extras.favourited;
    status.reblogged = extras.reblogged;
    status.bookmarked = extras.bookmarked;
    status.language = extras.language.clone();
    status
}

/// A timeline line: the post with the owner's state, wrapped in a reblog when it was boosted.
pub fn entry(urls: &Urls, owner: &Account, entry: &Entry, extras: &Extras) -> Status {
    let mut inner = shown(urls, owner, &entry.shown, extras);
    inner.favourited |= entry.liked;
    inner.reblogged |= entry.boosted;
    inner.bookmarked |= entry.bookmarked;
    inner.filtered = entry.filtered.iter().map(super::filter::result).collect();
    let Some(by) = &entry.boosted_by else {
        return inner;
    };
    // A boost is a status of its own: its id is the boost's, its content empty.
    let mut outer = inner.clone();
    outer.id = entry.id.to_string();
    outer.account = account::remote(urls, by);
    outer.content = String::new();
    outer.spoiler_text = String::new();
    outer.media_attachments = Vec::new();
    outer.mentions = Vec::new();
    outer.tags = Vec::new();
    outer.in_reply_to_id = None;
    outer.in_reply_to_account_id = None;
    outer.uri = format!("{}#boosted-by-{}", inner.uri, by.id);
    outer.url = None;
    outer.pinned = false;
    outer.reblog = Some(Box::new(inner));
    outer
}
