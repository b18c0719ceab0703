//! Incoming documents: reading remote ActivityStreams JSON defensively, into plain values.
//! [`parse_actor`] makes a [`NewActor`](crate::model::NewActor), [`parse_note`] a [`Note`]; the
//! readers here (ids, links, types, addressing, text) serve them and the inbox's activities.
//! (Outgoing documents are `federation::build`'s.)
//!
//! Pure code over `serde_json::Value`. Every reader tolerates any shape (a string where an object
//! was expected, an array where one value was, a missing field) and caps what it returns, so the
//! callers never see an unbounded string or list from the network.

mod actor;
mod collection;
mod moving;
mod note;
mod reaction;

use serde_json::{Map, Value};

pub use actor::{
    is_actor_type, parse_actor, ACTOR_TYPES, MAX_DISPLAY_NAME_CHARS, MAX_FIELD_CHARS,
    MAX_REMOTE_FIELDS, MAX_SUMMARY_CHARS,
};
pub use collection::{
    collection_link, embedded_collection, parse_collection, Collection, First, MAX_COLLECTION_ITEMS,
};
pub use moving::{also_known_as, parse_move, MoveClaim, MAX_ALIASES};
pub use note::{parse_note, quote_of, Note, NOTE_TYPES, QUOTE_FIELDS};
pub use reaction::{
    emoji_tags, is_shortcode, is_unicode_emoji, parse_reaction, reaction_content, EmojiTag,
    Reaction,
};

use crate::model::Timestamp;
use crate::urls::AS_PUBLIC;

/// Longest URL we accept as an id or link (Mastodon's column limit is similar).
pub const MAX_URI_BYTES: usize = 2_048;
/// Longest `type` we read; real ones are under 30.
const MAX_TYPE_CHARS: usize = 64;
/// Most addressees read from one of `to`/`cc`, tags and attachments kept in a raw document.
pub const MAX_ADDRESSEES: usize = 200;
pub const MAX_TAGS: usize = 100;
pub const MAX_REMOTE_ATTACHMENTS: usize = 16;
/// Largest raw document we keep beside the columns; a larger one is kept as its id and type.
pub const MAX_RAW_BYTES: usize = 256 * 1024;

/// An http(s) URL with a host and no user info, at most [`MAX_URI_BYTES`]; returned as given,
/// since ids are compared as strings.
pub fn http_url(text: &str) -> Option<String> {
    if text.len() > MAX_URI_BYTES {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    let ok = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none();
    ok.then(|| text.to_string())
}

/// The id of a value that is either a URL string or an object with an `id`.
pub fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => http_url(s),
        Value::Object(map) => map.get("id").and_then(Value::as_str).and_then(http_url),
        _ => None,
    }
}

/// The id of a field that names one thing: a string, an object, or an array of exactly one.
/// Several values are ambiguous and read as none.
pub fn single_id(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Array(items) if items.len() == 1 => id_of(&items[0]),
        Value::Array(_) => None,
        other => id_of(other),
    }
}

/// The `type` of an object: a string, or the first string of an array; capped.
pub fn kind(value: &Value) -> Option<String> {
    let kind = match value.get("type")? {
        Value::String(s) => s.as_str(),
        Value::Array(items) => items.iter().find_map(Value::as_str)?,
        _ => return None,
    };
    (!kind.is_empty() && kind.chars().count() <= MAX_TYPE_CHARS).then(|| kind.to_string())
}

/// The ids listed in a field that may be one value or an array, at most `max`; entries that are
/// not ids are skipped.
pub fn ids(value: Option<&Value>, max: usize) -> Vec<String> {
    match value {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(id_of).take(max).collect(),
        Some(other) => id_of(other).into_iter().collect(),
    }
}

/// Addressees of a document: `to` and `cc` together, each capped.
pub fn addressees(document: &Value) -> Vec<String> {
    let mut all = ids(document.get("to"), MAX_ADDRESSEES);
    all.extend(ids(document.get("cc"), MAX_ADDRESSEES));
    all
}

/// The three spellings of the public collection.
pub fn is_public(address: &str) -> bool {
    matches!(address, AS_PUBLIC | "as:Public" | "Public")
}

/// `host[:port]` of a URL, lower case, the port only when not the scheme's default.
pub fn authority(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// Whether two URLs live on the same host (and port).
pub fn same_authority(a: &str, b: &str) -> bool {
    match (authority(a), authority(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// A string field as plain text: control characters dropped, cut to `max_chars`.
pub fn text(value: Option<&Value>, max_chars: usize) -> Option<String> {
    let text = value?.as_str()?;
    Some(cap_chars(text, max_chars))
}

/// `text` without control characters (newlines and tabs become spaces), at most `max_chars`.
pub fn cap_chars(text: &str, max_chars: usize) -> String {
    text.chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .take(max_chars)
        .collect()
}

/// The first part of `text` with at most `max_chars` characters (for input to the sanitiser,
/// which closes whatever the cut leaves open).
pub fn prefix_chars(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// An RFC 3339 time field.
pub fn timestamp(value: Option<&Value>) -> Option<Timestamp> {
    Timestamp::parse_rfc3339(value?.as_str()?)
}

/// A link field (`url`, `icon`, `image`): a URL string, a Link or Image object with `href` or
/// `url`, or an array of those (the first usable one). http(s) only.
pub fn link(value: Option<&Value>) -> Option<String> {
    link_at_depth(value?, 0)
}

fn link_at_depth(value: &Value, depth: usize) -> Option<String> {
    if depth > 2 {
        return None;
    }
    match value {
        Value::String(s) => http_url(s),
        Value::Object(map) => ["href", "url"]
            .iter()
            .find_map(|key| map.get(*key).and_then(|v| link_at_depth(v, depth + 1))),
        Value::Array(items) => items
            .iter()
            .take(MAX_REMOTE_ATTACHMENTS)
            .find_map(|v| link_at_depth(v, depth + 1)),
        _ => None,
    }
}

/// The document as we keep it beside the columns: long lists cut, and the whole replaced by its
/// id and type when it is still too large.
pub fn capped_raw(document: &Value) -> String {
    let Some(map) = document.as_object() else {
        return "{}".into();
    };
    let mut kept = Map::new();
    for (key, value) in map {
        let cap = match key.as_str() {
            "attachment" => Some(MAX_REMOTE_ATTACHMENTS),
            "tag" => Some(MAX_TAGS),
            "to" | "cc" | "bto" | "bcc" => Some(MAX_ADDRESSEES),
            _ => None,
        };
        let value = match (value, cap) {
            (Value::Array(items), Some(cap)) => {
                Value::Array(items.iter().take(cap).cloned().collect())
            }
            _ => value.clone(),
        };
        kept.insert(key.clone(), value);
    }
    let text = Value::Object(kept).to_string();
    if text.len() <= MAX_RAW_BYTES {
        return text;
    }
    let mut small = Map::new();
    for key in ["id", "type"] {
        if let Some(value) = map.get(key).filter(|v| v.is_string()) {
            small.insert(key.into(), value.clone());
        }
    }
    Value::Object(small).to_string()
}

#[cfg(test)]
mod tests;
