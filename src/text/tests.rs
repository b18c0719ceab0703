//! Unit tests of text: rendering, scanning, sanitising and flattening; the hostile-input ones
//! and the fuzz targets live in `tests/`.

use super::sanitize::{names, shape_for_parser, ALLOWED_TAGS, KEPT_CLASSES, MAX_HTML_BYTES};
use super::*;

mod fuzz;
mod limits;
mod links;
mod remote;

fn tag_url(tag: &str) -> String {
    format!("http://localhost:8080/tags/{tag}")
}

fn render(source: &str) -> Rendered {
    render_markdown(source, &tag_url)
}

fn html(source: &str) -> String {
    render(source).html
}

fn hashtag(tag: &str) -> String {
    format!(
        "<a href=\"http://localhost:8080/tags/{tag}\" class=\"mention hashtag\" rel=\"tag\">#<span>{tag}</span></a>"
    )
}

fn mention_html(user: &str, domain: &str) -> String {
    format!(
        "<span class=\"h-card\"><a href=\"https://{domain}/@{user}\" class=\"u-url mention\">@<span>{user}</span></a></span>"
    )
}

fn link(href: &str, text: &str) -> String {
    format!("<a href=\"{href}\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">{text}</a>")
}

fn mention(user: &str, domain: &str) -> FoundMention {
    FoundMention {
        user: user.into(),
        domain: domain.into(),
    }
}

/// Tags and attribute names in serialised HTML (ours and ammonia's are both well-formed:
/// every '<' in text is escaped, attribute values are double-quoted).
fn tags_and_attributes(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').expect("tags are closed");
        let inside = rest[..end].trim_start_matches('/');
        let (name, mut attrs) = inside.split_once(' ').unwrap_or((inside, ""));
        let mut pairs = Vec::new();
        while let Some((key, value)) = attrs.trim_start().split_once("=\"") {
            let (value, after) = value.split_once('"').expect("quoted attribute");
            pairs.push((key.to_owned(), value.to_owned()));
            attrs = after;
        }
        assert!(attrs.trim().is_empty() || !attrs.contains('='), "{html}");
        found.push((name.to_ascii_lowercase(), pairs));
        rest = &rest[end + 1..];
    }
    found
}

fn assert_allow_listed(html: &str) {
    for (tag, attrs) in tags_and_attributes(html) {
        assert!(
            names(ALLOWED_TAGS).contains(tag.as_str()),
            "<{tag}> in {html}"
        );
        for (name, value) in attrs {
            let ok = match (tag.as_str(), name.as_str()) {
                ("a", "href") => value.starts_with("http://") || value.starts_with("https://"),
                ("a", "rel" | "target") => true,
                ("a" | "span", "class") => {
                    value.split(' ').all(|c| names(KEPT_CLASSES).contains(c))
                }
                ("ol", "start" | "reversed") | ("li", "value") => true,
                _ => false,
            };
            assert!(ok, "{tag}[{name}={value:?}] in {html}");
        }
    }
}

/// Every element we open is closed, in order, even past the nesting limit.
fn assert_balanced(html: &str) {
    let mut open = Vec::new();
    for piece in html.split('<').skip(1) {
        let tag = &piece[..piece.find('>').expect("tags are closed")];
        let name = |t: &str| t.split(' ').next().unwrap_or_default().to_owned();
        match tag.strip_prefix('/') {
            Some(end) => assert_eq!(open.pop(), Some(name(end)), "{html}"),
            None if tag != "br" => open.push(name(tag)),
            None => {}
        }
    }
    assert!(open.is_empty(), "unclosed {open:?}");
}

// ---- render_markdown: blocks ----

#[test]
fn paragraphs_and_line_breaks() {
    assert_eq!(html("hello"), "<p>hello</p>");
    assert_eq!(html("a\nb"), "<p>a<br>b</p>");
    assert_eq!(html("a\r\nb"), "<p>a<br>b</p>");
    assert_eq!(html("a  \nb"), "<p>a<br>b</p>");
    assert_eq!(html("a\n\nb"), "<p>a</p><p>b</p>");
    assert_eq!(html(""), "");
    assert_eq!(html("   \n\n  "), "");
}

#[test]
fn headings_are_strong_paragraphs_not_hashtags() {
    for level in 1..=6 {
        let source = format!("{} Title", "#".repeat(level));
        assert_eq!(html(&source), "<p><strong>Title</strong></p>");
        assert!(render(&source).hashtags.is_empty());
    }
    assert_eq!(html("Title\n==="), "<p><strong>Title</strong></p>");
    assert_eq!(
        html("# Title #rust"),
        format!("<p><strong>Title {}</strong></p>", hashtag("rust"))
    );
}

#[test]
fn lists_quotes_code_and_inline_styles() {
    assert_eq!(html("- a\n- b"), "<ul><li>a</li><li>b</li></ul>");
    assert_eq!(html("1. a\n2. b"), "<ol><li>a</li><li>b</li></ol>");
    assert_eq!(
        html("3. a\n4. b"),
        "<ol start=\"3\"><li>a</li><li>b</li></ol>"
    );
    assert_eq!(
        html("- a\n\n- b"),
        "<ul><li><p>a</p></li><li><p>b</p></li></ul>"
    );
    assert_eq!(html("> a\n> b"), "<blockquote><p>a<br>b</p></blockquote>");
    assert_eq!(
        html("```rust\nlet a = 1 < 2;\n```"),
        "<pre><code>let a = 1 &lt; 2;\n</code></pre>"
    );
    assert_eq!(html("    indented"), "<pre><code>indented</code></pre>");
    assert_eq!(
        html("*a* **b** ~~c~~ `d<e>`"),
        "<p><em>a</em> <strong>b</strong> <del>c</del> <code>d&lt;e&gt;</code></p>"
    );
    // Rules are dropped; tables and footnotes stay text.
    assert_eq!(html("a\n\n---\n\nb"), "<p>a</p><p>b</p>");
    assert_eq!(
        html("| a | b |\n|---|---|\n| 1 | 2 |"),
        "<p>| a | b |<br>|---|---|<br>| 1 | 2 |</p>"
    );
    assert_eq!(html("a[^1]"), "<p>a[^1]</p>");
}

#[test]
fn raw_html_is_shown_as_text() {
    assert_eq!(
        html("<script>alert(1)</script>"),
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    );
    assert_eq!(
        html("<div>\n<b>x</b>\n</div>"),
        "<p>&lt;div&gt;<br>&lt;b&gt;x&lt;/b&gt;<br>&lt;/div&gt;</p>"
    );
    assert_eq!(
        html("a <img src=x onerror=alert(1)> b"),
        "<p>a &lt;img src=x onerror=alert(1)&gt; b</p>"
    );
    assert_eq!(html("<!-- hidden -->"), "<p>&lt;!-- hidden --&gt;</p>");
    assert_eq!(html("x <!-- c --> y"), "<p>x &lt;!-- c --&gt; y</p>");
    assert_eq!(
        html("a & b \"c\" 'd'"),
        "<p>a &amp; b &quot;c&quot; &#39;d&#39;</p>"
    );
    assert_allow_listed(&html("<iframe src=x></iframe>\n\n<svg onload=x>"));
}

// ---- render_markdown: links ----

#[test]
fn links_keep_only_http_https_and_mailto() {
    assert_eq!(
        html("[a](https://x.org/p)"),
        format!("<p>{}</p>", link("https://x.org/p", "a"))
    );
    assert_eq!(
        html("[a](http://x.org \"title\")"),
        format!("<p>{}</p>", link("http://x.org/", "a"))
    );
    assert_eq!(
        html("[a](mailto:me@x.org)"),
        format!("<p>{}</p>", link("mailto:me@x.org", "a"))
    );
    assert_eq!(
        html("<me@x.org>"),
        format!("<p>{}</p>", link("mailto:me@x.org", "me@x.org"))
    );
    assert_eq!(
        html("<https://x.org>"),
        format!("<p>{}</p>", link("https://x.org/", "https://x.org"))
    );
    for dest in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "java%0ascript:alert(1)",
        "&#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "/relative",
        "//evil.example/x",
        "page.html",
        "ftp://x.org/f",
        "https://",
    ] {
        let out = html(&format!("[click *me*]({dest})"));
        assert_eq!(out, "<p>click <em>me</em></p>", "{dest}");
    }
    assert_eq!(html("[a](<javascript:x>)"), "<p>a</p>");
    assert_eq!(html("<javascript:alert(1)>"), "<p>javascript:alert(1)</p>");
    assert_eq!(html("[ref][r]\n\n[r]: javascript:x"), "<p>ref</p>");
}

#[test]
fn images_become_links_to_the_image() {
    assert_eq!(
        html("![a cat](https://x.org/cat.png)"),
        format!("<p>{}</p>", link("https://x.org/cat.png", "a cat"))
    );
    assert_eq!(
        html("![](https://x.org/cat.png)"),
        format!(
            "<p>{}</p>",
            link("https://x.org/cat.png", "https://x.org/cat.png")
        )
    );
    assert_eq!(html("![alt](javascript:x)"), "<p>alt</p>");
    assert_eq!(html("![alt](data:image/png;base64,AAAA)"), "<p>alt</p>");
    // No link inside a link.
    assert_eq!(
        html("[![alt](https://x.org/i.png)](https://x.org/)"),
        format!("<p>{}</p>", link("https://x.org/", "alt"))
    );
    assert!(!html("![a](https://x.org/i.png)").contains("<img"));
}

#[test]
fn every_link_has_rel() {
    let out = html("[a](https://x.org) [b](mailto:a@b.c) https://y.org ![c](http://z.org/i)");
    assert_eq!(out.matches("<a ").count(), 4);
    assert_eq!(
        out.matches("rel=\"nofollow noopener noreferrer\"").count(),
        4
    );
}

#[test]
fn bare_urls_become_links() {
    let cases = [
        (
            "see https://x.org",
            "see ",
            "https://x.org/",
            "https://x.org",
            "",
        ),
        (
            "see https://x.org.",
            "see ",
            "https://x.org/",
            "https://x.org",
            ".",
        ),
        (
            "https://x.org/a?b=c#d, yes",
            "",
            "https://x.org/a?b=c#d",
            "https://x.org/a?b=c#d",
            ", yes",
        ),
        (
            "(https://x.org/a)",
            "(",
            "https://x.org/a",
            "https://x.org/a",
            ")",
        ),
        (
            "(https://x.org/a_(b))",
            "(",
            "https://x.org/a_(b)",
            "https://x.org/a_(b)",
            ")",
        ),
        ("https://x.org!", "", "https://x.org/", "https://x.org", "!"),
        ("https://x.org?", "", "https://x.org/", "https://x.org", "?"),
        (
            "https://x.org/a;",
            "",
            "https://x.org/a",
            "https://x.org/a",
            ";",
        ),
        ("HTTP://X.org/A", "", "http://x.org/A", "HTTP://X.org/A", ""),
        (
            "http://localhost:8080/x",
            "",
            "http://localhost:8080/x",
            "http://localhost:8080/x",
            "",
        ),
        (
            "a https://例え.jp/パス b",
            "a ",
            "https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9",
            "https://例え.jp/パス",
            " b",
        ),
        (
            "https://x.org/\"><b>",
            "",
            "https://x.org/",
            "https://x.org/",
            "&quot;&gt;&lt;b&gt;",
        ),
    ];
    for (source, before, href, text, after) in cases {
        let expected = format!("<p>{before}{}{after}</p>", link(href, text));
        assert_eq!(html(source), expected, "{source}");
    }
    for plain in [
        "xhttps://x.org",
        "https://",
        "https://.",
        "http:/x.org",
        "https:// x",
        "https://[",
        "ftp://x.org",
    ] {
        assert!(!html(plain).contains("<a"), "{plain}");
    }
    // Not inside code or links, and never twice.
    assert_eq!(html("`https://x.org`"), "<p><code>https://x.org</code></p>");
    assert_eq!(
        html("```\nhttps://x.org\n```"),
        "<pre><code>https://x.org\n</code></pre>"
    );
    assert_eq!(
        html("[https://x.org](https://y.org)"),
        format!("<p>{}</p>", link("https://y.org/", "https://x.org"))
    );
    assert_eq!(html("<https://x.org/>").matches("<a").count(), 1);
    // Underscores make pulldown split text events; the URL must survive the split.
    assert_eq!(
        html("https://x.org/a_b_c"),
        format!(
            "<p>{}</p>",
            link("https://x.org/a_b_c", "https://x.org/a_b_c")
        )
    );
}
