//! HTML flattened to plain text, for summaries and link previews.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::sanitize::{names, shape_for_parser, DROPPED_WITH_CONTENT};

/// Elements that end a line in plain text.
const BLOCKS: &str = "p br div li ul ol blockquote pre h1 h2 h3 h4 h5 h6 hr table tr dt dd \
    section article header footer aside nav figure figcaption address details summary main";

/// whitespace collapsed; cut to at most `max_chars` characters, ending in "…" when cut.
pub fn plain_text(html: &str, max_chars: usize) -> String {
    // The HTML5 parser does the hard part (entities, broken markup, script contents); what it
    // hands back holds only bare block tags and four entities, easy to scan.
    let cleaned = plain_cleaner().clean(&shape_for_parser(html)).to_string();
    let mut out = String::new();
    // Held back until more text follows, so none leads, trails or repeats.
    let (mut space, mut newlines) = (false, 0);
    let mut rest = cleaned.as_str();
    while let Some(c) = rest.chars().next() {
        let (c, len) = match c {
            // Every '<' left starts a tag without attributes.
            '<' => {
                let end = rest.find('>').unwrap_or(rest.len());
                newlines = match rest[..end].trim_start_matches(['<', '/']) {
                    "br" => newlines + 1,
                    "p" | "blockquote" | "pre" | "ul" | "ol" | "table" | "hr" => 2,
                    _ => newlines.max(1),
                };
                rest = rest.get(end + 1..).unwrap_or_default();
                continue;
            }
            '&' => decode_entity(rest),
            c => (c, c.len_utf8()),
        };
        rest = &rest[len..];
        if c.is_whitespace() || c.is_control() {
            space = true;
            continue;
        }
        if newlines > 0 && !out.is_empty() {
            out.extend(std::iter::repeat_n('\n', newlines.min(2)));
        } else if space && !out.is_empty() {
            out.push(' ');
        }
        (space, newlines) = (false, 0);
        out.push(c);
    }
    truncate_chars(out, max_chars)
}

/// The character an entity in serialised HTML stands for, and the entity's length.
fn decode_entity(text: &str) -> (char, usize) {
    let entity = text
        .bytes()
        .take(7)
        .position(|b| b == b';')
        .map(|end| &text[..=end]);
    let c = match entity.unwrap_or("&") {
        "&amp;" => '&',
        "&lt;" => '<',
        "&gt;" => '>',
        "&quot;" => '"',
        "&#39;" => '\'',
        "&nbsp;" => '\u{a0}',
        _ => return ('&', 1),
    };
    (c, entity.map_or(1, str::len))
}

fn truncate_chars(text: String, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text;
    }
    let Some(keep) = max_chars.checked_sub(1) else {
        return String::new();
    };
    let mut cut: String = text.chars().take(keep).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

fn plain_cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::empty();
        builder
            .tags(names(BLOCKS))
            .clean_content_tags(names(DROPPED_WITH_CONTENT))
            .generic_attributes(HashSet::new())
            .tag_attributes(HashMap::new())
            .link_rel(None)
            .strip_comments(true);
        builder
    })
}
