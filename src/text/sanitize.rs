//! Remote HTML reduced to Mastodon's allow-list, and the shaping every string gets before the
//! HTML parser sees it (cut, flattened past the nesting limit).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::{LINK_REL, MAX_NESTING};

/// Most HTML handed to the parser; callers cap remote strings well below this. Some shapes
/// (text foster-parented out of tables) cost the parser time quadratic in the input.
pub(super) const MAX_HTML_BYTES: usize = 256 * 1024;

// Element and class lists, space-separated to stay readable.
/// Mastodon's allow-list for remote HTML.
pub(super) const ALLOWED_TAGS: &str =
    "p br span a del pre code em strong b i u ul ol li blockquote";
/// Classes Mastodon puts on mention and hashtag links; remote HTML keeps these and no others.
pub(super) const KEPT_CLASSES: &str = "mention hashtag h-card u-url invisible ellipsis";
/// Elements whose whole content goes, not just the tags: code, styling, embedded documents.
pub(super) const DROPPED_WITH_CONTENT: &str =
    "script style template iframe frame frameset noscript noembed \
    noframes object embed applet textarea select svg math title";
/// Elements that never deepen the tree: void ones, and ones the parser closes implicitly
/// (`<p><p>`, `<li><li>`).
const NEVER_NEST: &str = "area base br col embed hr img input link meta param source track wbr \
    p li dt dd tr td th option optgroup rb rt rp caption colgroup thead tbody tfoot html head body";
/// Elements whose content the parser reads as text, not tags.
const RAW_TEXT: &str = "script style textarea title xmp iframe noembed noframes noscript";

pub(super) fn names(list: &'static str) -> HashSet<&'static str> {
    list.split_whitespace().collect()
}

/// Remote HTML reduced to Mastodon's allow-list, safe to show as it is.
pub fn sanitize_remote(html: &str) -> String {
    remote_cleaner().clean(&shape_for_parser(html)).to_string()
}

fn remote_cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let tag_attributes = HashMap::from([
            ("a", HashSet::from(["href"])),
            // Mastodon keeps list numbering too.
            ("ol", HashSet::from(["start", "reversed"])),
            ("li", HashSet::from(["value"])),
        ]);
        let classes = names(KEPT_CLASSES);
        let mut builder = ammonia::Builder::empty();
        builder
            .tags(names(ALLOWED_TAGS))
            .clean_content_tags(names(DROPPED_WITH_CONTENT))
            .generic_attributes(HashSet::new())
            .tag_attributes(tag_attributes)
            .allowed_classes(HashMap::from([("a", classes.clone()), ("span", classes)]))
            .url_schemes(HashSet::from(["http", "https"]))
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some(LINK_REL))
            .set_tag_attribute_value("a", "target", "_blank")
            .strip_comments(true)
            .attribute_filter(|element, attribute, value| match (element, attribute) {
                ("ol", "start") | ("li", "value") => value
                    .trim()
                    .parse::<i32>()
                    .ok()
                    .map(|n| n.to_string().into()),
                // Ammonia leaves `class=""` when it removes every class: drop the attribute.
                ("a" | "span", "class") => value
                    .split_ascii_whitespace()
                    .any(|class| KEPT_CLASSES.split(' ').any(|kept| kept == class))
                    .then(|| value.into()),
                _ => Some(value.into()),
            });
        builder
    })
}

/// Input for the HTML parser: cut to [`MAX_HTML_BYTES`], start tags nested deeper than
/// [`MAX_NESTING`] dropped (with their end tags), and headings turned into `<p><strong>` as
/// Mastodon does. The tokenizer is rough on purpose: it only shapes what the HTML parser and
/// the allow-list then check, and other input comes back untouched.
pub(super) fn shape_for_parser(html: &str) -> Cow<'_, str> {
    let mut cut = html.len().min(MAX_HTML_BYTES);
    while !html.is_char_boundary(cut) {
        cut -= 1;
    }
    let html = &html[..cut];
    // Same byte offsets as `html`, so names and raw-text ends can be matched in lower case.
    let lower = html.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut shaped: Option<String> = None;
    let mut copied = 0; // html[..copied] is in `shaped` already
    let mut depth = 0usize; // counting the dropped elements too
    let mut i = 0;
    while let Some(offset) = lower[i..].find('<') {
        let start = i + offset;
        if lower[start..].starts_with("<!--") {
            i = lower[start..]
                .find("-->")
                .map_or(lower.len(), |end| start + end + 3);
            continue;
        }
        let closing = lower[start..].starts_with("</");
        let name_start = start + 1 + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        let name = &lower[name_start..name_start + name_len];
        // An unterminated tag is dropped by the parser itself.
        let Some(end) = tag_end(bytes, name_start + name_len) else {
            break;
        };
        i = end;
        let too_deep = !never_nests(name)
            && if closing {
                depth = depth.saturating_sub(1);
                depth >= MAX_NESTING
            } else {
                depth += 1;
                depth > MAX_NESTING
            };
        let heading = matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
        let replacement = match (too_deep, heading, closing) {
            (true, _, _) => Some(""),
            (false, true, false) => Some("<p><strong>"),
            (false, true, true) => Some("</strong></p>"),
            (false, false, _) => None,
        };
        if let Some(replacement) = replacement {
            let shaped = shaped.get_or_insert_with(|| String::with_capacity(html.len()));
            shaped.push_str(&html[copied..start]);
            shaped.push_str(replacement);
            copied = end;
        }
        if !closing && is_raw_text(name) {
            let close = format!("</{name}");
            i = lower[i..].find(&close).map_or(lower.len(), |at| i + at);
        }
    }
    match shaped {
        None => Cow::Borrowed(html),
        Some(shaped) => Cow::Owned(shaped + &html[copied..]),
    }
}

/// The index after the `>` closing a tag whose name ends at `from`, skipping quoted values.
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut after_equals = false;
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'>' => return Some(i + 1),
            b'"' | b'\'' if after_equals => {
                i += 1 + bytes.get(i + 1..)?.iter().position(|&c| c == b)?;
                after_equals = false;
            }
            b'=' => after_equals = true,
            b if b.is_ascii_whitespace() => {}
            _ => after_equals = false,
        }
        i += 1;
    }
    None
}

fn never_nests(name: &str) -> bool {
    static SET: OnceLock<HashSet<&str>> = OnceLock::new();
    SET.get_or_init(|| names(NEVER_NEST)).contains(name)
}

fn is_raw_text(name: &str) -> bool {
    static SET: OnceLock<HashSet<&str>> = OnceLock::new();
    SET.get_or_init(|| names(RAW_TEXT)).contains(name)
}
