//! Emoji reactions as others send them: Pleroma's and Akkoma's `EmojiReact`, Misskey's `Like`
//! with `content` or `_misskey_reaction`, and the `Emoji` tags that name a custom emoji's image.

use serde_json::Value;

use super::{kind, link, MAX_TAGS};

/// Longest unicode reaction we take, in characters (a family emoji with skin tones is ~11).
pub const MAX_EMOJI_CHARS: usize = 16;
/// Longest custom emoji shortcode (between the colons), in characters.
pub const MAX_SHORTCODE_CHARS: usize = 64;

/// A reaction read from an activity: `content` is a unicode emoji or `:shortcode:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reaction {
    pub content: String,
    /// For a custom emoji: the image its `Emoji` tag names.
    pub emoji_url: Option<String>,
}

/// A custom emoji named in a document's `tag`: its shortcode without the colons, and its image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmojiTag {
    pub shortcode: String,
    pub icon: String,
}

/// Misskey's reactions from before custom emoji, by name.
const MISSKEY_LEGACY: &[(&str, &str)] = &[
    ("like", "👍"),
    ("love", "❤"),
    ("laugh", "😆"),
    ("hmm", "🤔"),
    ("surprise", "😮"),
    ("congrats", "🎉"),
    ("angry", "💢"),
    ("confused", "😥"),
    ("rip", "😇"),
    ("pudding", "🍮"),
    ("star", "⭐"),
];

/// Whether `text` is a custom emoji shortcode (without colons): letters, digits, `_`, `+`, `-`,
/// and, for a remote server's emoji as Misskey names them, `@` and `.`.
pub fn is_shortcode(text: &str) -> bool {
    let count = text.chars().count();
    (1..=MAX_SHORTCODE_CHARS).contains(&count)
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+-@.".contains(c))
}

/// Whether `text` reads as one unicode emoji: short, no letters, digits, spaces or markup, and
/// at least one character outside ASCII.
pub fn is_unicode_emoji(text: &str) -> bool {
    let count = text.chars().count();
    (1..=MAX_EMOJI_CHARS).contains(&count)
        && !text.is_ascii()
        && text.chars().all(|c| {
            !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control() && !"<>&\"'".contains(c)
        })
}

/// The reaction a string names: a unicode emoji, a `:shortcode:`, or a Misskey legacy name.
pub fn reaction_content(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(code) = text.strip_prefix(':').and_then(|t| t.strip_suffix(':')) {
        return is_shortcode(code).then(|| format!(":{code}:"));
    }
    if let Some((_, emoji)) = MISSKEY_LEGACY.iter().find(|(name, _)| *name == text) {
        return Some(emoji.to_string());
    }
    is_unicode_emoji(text).then(|| text.to_string())
}

/// The `Emoji` tags of a document, at most [`MAX_TAGS`], each with a usable shortcode and image.
pub fn emoji_tags(document: &Value) -> Vec<EmojiTag> {
    let tags = match document.get("tag") {
        Some(Value::Array(items)) => items.iter().take(MAX_TAGS).collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    tags.into_iter()
        .filter(|tag| kind(tag).as_deref() == Some("Emoji"))
        .filter_map(|tag| {
            let name = tag.get("name")?.as_str()?.trim();
            let code = name.trim_start_matches(':').trim_end_matches(':');
            let icon = link(tag.get("icon"))?;
            is_shortcode(code).then(|| EmojiTag {
                shortcode: code.to_string(),
                icon,
            })
        })
        .collect()
}

/// The reaction an `EmojiReact` or a Misskey `Like` carries, or None (a plain Like, or content
/// that is no emoji). Misskey sends both `content` and `_misskey_reaction`; either will do.
pub fn parse_reaction(activity: &Value) -> Option<Reaction> {
    let content = ["content", "_misskey_reaction"]
        .iter()
        .filter_map(|key| activity.get(*key).and_then(Value::as_str))
        .find_map(reaction_content)?;
    let emoji_url = content
        .strip_prefix(':')
        .and_then(|t| t.strip_suffix(':'))
        .and_then(|code| {
            emoji_tags(activity)
                .into_iter()
                .find(|tag| tag.shortcode == code)
                .map(|tag| tag.icon)
        });
    Some(Reaction { content, emoji_url })
}

#[cfg(test)]
mod tests;
