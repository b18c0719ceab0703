//! Property tests of Markdown rendering and the sanitiser, from pieces of Markdown, HTML and the
//! XSS corpus in `remote.rs` shuffled together. `PROPTEST_CASES=100000 cargo test text::tests::fuzz` runs
//! them longer.

use proptest::prelude::*;

use super::remote::XSS;
use super::*;
use crate::domain::testkit::{fuzz_config, fuzz_for};

const MARKDOWN_PIECES: &[&str] = &[
    "#",
    "#tag",
    "@",
    "@a@x.org",
    "@a@x.org:8080",
    "https://",
    "http://x.org/p_(q)",
    "mailto:",
    "[",
    "]",
    "(",
    ")",
    "](",
    "![",
    "<",
    ">",
    "&",
    "&#",
    "&#106;",
    "*",
    "**",
    "_",
    "~~",
    "`",
    "```\n",
    "\n",
    "\n\n",
    "> ",
    "- ",
    "1. ",
    "    ",
    "\\",
    "<b>",
    "</b>",
    "<script>",
    "javascript:",
    "[x](javascript:alert(1))",
    "[y](https://y.org \"t\")",
    "<https://z.org>",
    "<me@x.org>",
    "é",
    "🦀",
    "\u{202E}",
    "\u{0}",
    "\r",
    "\t",
    " ",
    "a",
    "1",
];

/// Pieces of HTML a hostile server might send: allowed tags, forbidden ones, broken markup.
fn html_pieces() -> Vec<String> {
    let mut pieces: Vec<String> = [
        "<p>",
        "</p>",
        "<a href=\"https://ok.example/\">",
        "<a href=\"",
        "</a>",
        "<span class=\"",
        "mention",
        "invisible",
        "\">",
        "<b>",
        "</b>",
        "<br>",
        "<ol start=\"",
        "<li value=\"",
        "<pre><code>",
        "</code></pre>",
        "<blockquote>",
        "<h1>",
        "</h1>",
        "<div>",
        "</div>",
        "<table><td>",
        "<!--",
        "-->",
        "<",
        ">",
        "\"",
        "'",
        "=",
        "&",
        "&#x6A;",
        "&lt;",
        " ",
        "onerror=",
        "style=",
        "javascript:",
        "alert(1)",
        "x",
        "\n",
        "\u{0}",
        "é",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    pieces.extend(XSS.iter().map(|s| s.to_string()));
    pieces
}

fn markdown() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(MARKDOWN_PIECES), 0..40)
            .prop_map(|p| p.concat()),
        any::<String>(),
    ]
}

fn html() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(html_pieces()), 0..30).prop_map(|p| p.concat()),
        any::<String>(),
    ]
}

/// Tags with their attributes, less what the sanitiser adds or may drop on our own output:
/// `rel` and `target` (set on every link) and `mailto:` links (ours, not Mastodon's allow-list).
fn shape(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    tags_and_attributes(html)
        .into_iter()
        .map(|(tag, attributes)| {
            let kept = attributes
                .into_iter()
                .filter(|(name, value)| {
                    let added = matches!(name.as_str(), "rel" | "target");
                    let mailto = name == "href" && value.starts_with("mailto:");
                    !added && !mailto
                })
                .collect();
            (tag, kept)
        })
        .collect()
}

#[test]
fn rendering_never_panics_and_survives_the_sanitiser() {
    fuzz_for("Markdown", 500, |_, config| {
        proptest!(config, |(source in markdown())| {
            let out = render(&source).html;
            // Our own Markdown may link mailto: (a link the remote allow-list then drops).
            assert_allow_listed(&out.replace("href=\"mailto:", "href=\"https://mailto."));
            assert_balanced(&out);
            prop_assert_eq!(shape(&sanitize_remote(&out)), shape(&out), "{:?}", source);
        })
    });
}

#[test]
fn the_sanitiser_keeps_only_the_allow_list() {
    fuzz_for("sanitiser", 500, |_, config| {
        proptest!(config, |(input in html())| {
            let out = sanitize_remote(&input);
            assert_allow_listed(&out);
            // A browser reading the output again builds only allowed elements, with the same
            // text. (Not always the same tree: `<a><table><td><a>` serialises as nested links,
            // which a parser splits into siblings.)
            let again = sanitize_remote(&out);
            assert_allow_listed(&again);
            prop_assert_eq!(
                plain_text(&again, usize::MAX),
                plain_text(&out, usize::MAX),
                "{:?}",
                input
            );
        })
    });
}

proptest! {
    #![proptest_config(fuzz_config(500))]

    #[test]
    fn plain_text_is_capped(input in html(), max in 0usize..300) {
        prop_assert!(plain_text(&input, max).chars().count() <= max);
    }
}

// Inputs the properties found, kept as regression tests.

#[test]
fn a_class_attribute_with_no_allowed_class_is_dropped_not_left_empty() {
    let input = "<span class=\"<a href=\"javascript:alert(1)\">x</a>";
    assert_eq!(sanitize_remote(input), "<span>x</span>");
    assert_eq!(
        sanitize_remote("<a href=\"https://x.org/\" class=\"evil\">x</a>"),
        "<a href=\"https://x.org/\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">x</a>"
    );
}
