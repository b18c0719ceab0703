//! A post object (Note, Article, Page, Question) read into a capped, sanitised [`Note`].

use serde_json::Value;

use super::{
    capped_raw, http_url, id_of, ids, is_public, kind, link, prefix_chars, single_id, timestamp,
    MAX_ADDRESSEES, MAX_TAGS,
};
use crate::model::{Actor, Timestamp, Visibility};
use crate::text::{escape, plain_text, sanitize_remote};

/// The object types kept as posts.
pub const NOTE_TYPES: [&str; 4] = ["Note", "Article", "Page", "Question"];
/// Input cut before sanitising (the sanitiser caps bytes as well).
const MAX_CONTENT_CHARS: usize = 100_000;
const MAX_SUMMARY_CHARS: usize = 500;
const MAX_TITLE_CHARS: usize = 200;

/// A post object read from its JSON: capped, its HTML sanitised.
#[derive(Clone, Debug)]
pub struct Note {
    pub uri: String,
    pub kind: String,
    /// The first of `attributedTo`.
    pub attributed_to: Option<String>,
    pub url: Option<String>,
    pub in_reply_to: Option<String>,
    pub content_html: String,
    pub summary: Option<String>,
    pub sensitive: bool,
    pub published: Option<Timestamp>,
    pub updated: Option<Timestamp>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// Actor ids of its Mention tags.
    pub mentions: Vec<String>,
    /// The post it quotes: FEP-044f's `quote`, or the older `quoteUri`, `quoteUrl` and
    /// `_misskey_quote`.
    pub quote: Option<String>,
    /// Its `quoteAuthorization` (FEP-044f), the id of the quoted author's consent.
    pub quote_authorization: Option<String>,
    pub raw: String,
}

/// The quote fields in the order we trust them: FEP-044f first, then the older spellings.
pub const QUOTE_FIELDS: [&str; 4] = ["quote", "quoteUri", "quoteUrl", "_misskey_quote"];

/// The post a document quotes, from the first quote field that holds one id.
pub fn quote_of(object: &Value) -> Option<String> {
    QUOTE_FIELDS
        .iter()
        .find_map(|field| single_id(object.get(*field)))
}

/// Reads a post object. `Err` says why it is not one Perch keeps.
pub fn parse_note(object: &Value) -> Result<Note, &'static str> {
    let kind = kind(object).ok_or("the object has no type")?;
    if !NOTE_TYPES.contains(&kind.as_str()) {
        return Err("an object type Perch does not keep");
    }
    let uri = object
        .get("id")
        .and_then(Value::as_str)
        .and_then(http_url)
        .ok_or("the object has no usable id")?;
    let attributed_to = match object.get("attributedTo") {
        Some(Value::Array(items)) => items.first().and_then(id_of),
        other => single_id(other),
    };
    let mut content_html = object
        .get("content")
        .and_then(Value::as_str)
        .map(|html| sanitize_remote(prefix_chars(html, MAX_CONTENT_CHARS)))
        .unwrap_or_default();
    // Articles and pages carry a title; Mastodon shows it above the text too.
    if kind == "Article" || kind == "Page" {
        if let Some(title) = object.get("name").and_then(Value::as_str) {
            let title = escape(&plain_text(title, MAX_TITLE_CHARS));
            if !title.is_empty() {
                content_html = format!("<p><strong>{title}</strong></p>{content_html}");
            }
        }
    }
    let summary = object
        .get("summary")
        .and_then(Value::as_str)
        .map(|s| plain_text(s, MAX_SUMMARY_CHARS))
        .filter(|s| !s.is_empty());
    let mentions = match object.get("tag") {
        Some(Value::Array(tags)) => tags
            .iter()
            .take(MAX_TAGS)
            .filter(|tag| kind_is(tag, "Mention"))
            .filter_map(|tag| tag.get("href").and_then(id_of))
            .collect(),
        Some(tag) if kind_is(tag, "Mention") => {
            tag.get("href").and_then(id_of).into_iter().collect()
        }
        _ => Vec::new(),
    };
    Ok(Note {
        sensitive: object
            .get("sensitive")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            || summary.is_some(),
        uri,
        kind,
        attributed_to,
        url: link(object.get("url")),
        in_reply_to: single_id(object.get("inReplyTo")),
        content_html,
        summary,
        published: timestamp(object.get("published")),
        updated: timestamp(object.get("updated")),
        to: ids(object.get("to"), MAX_ADDRESSEES),
        cc: ids(object.get("cc"), MAX_ADDRESSEES),
        mentions,
        quote: quote_of(object),
        quote_authorization: single_id(object.get("quoteAuthorization")),
        raw: capped_raw(object),
    })
}

fn kind_is(value: &Value, wanted: &str) -> bool {
    kind(value).as_deref() == Some(wanted)
}

impl Note {
    /// Mastodon's reading of the addressing: public, unlisted (public in cc), followers-only (the
    /// author's followers collection), else direct.
    pub fn visibility(&self, author: &Actor) -> Visibility {
        let all = || self.to.iter().chain(&self.cc);
        if self.to.iter().any(|a| is_public(a)) {
            Visibility::Public
        } else if self.cc.iter().any(|a| is_public(a)) {
            Visibility::Unlisted
        } else if author
            .followers_uri
            .as_ref()
            .is_some_and(|followers| all().any(|a| a == followers))
        {
            Visibility::Followers
        } else {
            Visibility::Direct
        }
    }
}
