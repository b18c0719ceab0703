//! Text in and out of posts: the owner's Markdown rendered to the HTML we federate (with hashtags,
//! mentions and bare URLs turned into links), remote HTML reduced to Mastodon's allow-list, and HTML
//! flattened to plain text. Pure functions over strings: no I/O, no other Perch modules.
//!
//! Everything here must be safe on hostile input: no panics, no recursion that depth can blow up,
//! and no scan that goes quadratic (all three are tested in `tests/limits.rs` and the fuzz targets).

mod markdown;
mod plain;
mod sanitize;
mod scan;
#[cfg(test)]
mod tests;

pub use markdown::{
    default_mention_url, render_markdown, render_markdown_with, FoundMention, Rendered,
};
pub use plain::plain_text;
pub use sanitize::sanitize_remote;

/// `rel` on every link we write or let through, as Mastodon does.
const LINK_REL: &str = "nofollow noopener noreferrer";
/// Deepest nesting of blockquotes and lists we write, and of elements we hand the HTML parser:
/// html5ever's scope checks walk the stack of open elements, so 10,000 nested `<div>`s cost
/// seconds. Browsers stop at 512.
const MAX_NESTING: usize = 100;

/// Escapes text for HTML content and double- or single-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
