//! The sanitiser against the XSS corpus and real Mastodon notes, and plain-text flattening.

use std::borrow::Cow;

use super::*;

// ---- sanitize_remote ----

pub(super) const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"jav\tascript:alert(1)\">x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"\u{1}javascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"https://ok.example/\" onclick=\"alert(1)\" onmouseover=alert(1)>x</a>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<form action=\"https://evil.example\"><input name=p><button formaction=javascript:alert(1)>go</button></form>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<p style=\"background:url(javascript:alert(1))\">styled</p>",
    "<span style=\"color:red\" class=\"invisible evil\">x</span>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=\"javascript:alert(1)\">x</math>",
    "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<!--<script>alert(1)</script>-->",
    "<!--><script>alert(1)</script>-->",
    "<a href=\"https://ok.example/\"<script>alert(1)</script>",
    "<img src=x onerror=alert(1)",
    "<<script>script>alert(1)<</script>/script>",
    "<object data=\"javascript:alert(1)\"></object><embed src=\"javascript:alert(1)\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\"><link rel=stylesheet href=x>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<xmp><script>alert(1)</script></xmp>",
    "<select><style></select><img src=x onerror=alert(1)>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<a href=\"https://ok.example/\" target=\"_self\" rel=\"opener\">ok</a>",
    "<div><a href=x style=\"x:expression(alert(1))\">x</a></div>",
    "<p onmouseover=\"alert(1)\" id=\"x\" data-x=\"y\">p</p>",
];

const FORBIDDEN: &[&str] = &[
    "<script",
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "ontoggle",
    "javascript:",
    "vbscript:",
    "data:",
    "<iframe",
    "<svg",
    "<math",
    "<img",
    "style=",
    "<style",
    "<form",
    "<input",
    "<button",
    "formaction",
    "<template",
    "<noscript",
    "<object",
    "<embed",
    "<meta",
    "<base",
    "<link",
    "<body",
    "<title",
    "srcdoc",
    "xlink",
    "<textarea",
    "<select",
    "<video",
    "_self",
    "opener\"",
];

#[test]
fn xss_corpus_is_defused() {
    for vector in XSS {
        let out = sanitize_remote(vector);
        let lower = out.to_lowercase();
        for bad in FORBIDDEN {
            assert!(!lower.contains(bad), "{vector:?} gave {out:?}");
        }
        assert_allow_listed(&out);
        // Cleaning is stable: a second pass changes nothing.
        assert_eq!(sanitize_remote(&out), out, "{vector:?}");
    }
}

#[test]
fn sanitize_keeps_the_allow_list() {
    assert_eq!(
        sanitize_remote(
            "<section><div><p class=\"x\" id=\"y\" lang=\"en\">a<br>b</p></div></section>"
        ),
        "<p>a<br>b</p>"
    );
    assert_eq!(
        sanitize_remote("<a href=\"https://x.org/\" class=\"mention evil u-url\" title=\"t\">x</a>"),
        "<a href=\"https://x.org/\" class=\"mention u-url\" target=\"_blank\" rel=\"nofollow noopener noreferrer\">x</a>"
    );
    assert_eq!(
        sanitize_remote("<a href=\"/relative\">r</a>"),
        "<a target=\"_blank\" rel=\"nofollow noopener noreferrer\">r</a>"
    );
    assert_eq!(
        sanitize_remote("<ol start=\"3\" reversed><li value=\"7\">a</li></ol><ol start=\"x\"><li value=\"1;\">b</li></ol>"),
        "<ol start=\"3\" reversed=\"\"><li value=\"7\">a</li></ol><ol><li>b</li></ol>"
    );
    assert_eq!(
        sanitize_remote("<b>b</b><i>i</i><u>u</u><em>e</em><strong>s</strong><del>d</del><pre><code>c</code></pre><blockquote>q</blockquote><ul><li>l</li></ul>"),
        "<b>b</b><i>i</i><u>u</u><em>e</em><strong>s</strong><del>d</del><pre><code>c</code></pre><blockquote>q</blockquote><ul><li>l</li></ul>"
    );
    assert_eq!(
        sanitize_remote("<script>gone</script>kept<style>gone</style>"),
        "kept"
    );
    assert_eq!(
        sanitize_remote("<img src=https://x.org/i.png alt=pic>text"),
        "text"
    );
    assert_eq!(
        sanitize_remote("<p>unclosed <b>bold"),
        "<p>unclosed <b>bold</b></p>"
    );
}

fn fixture_content(name: &str) -> String {
    let dir = std::env::var("PERCH_FIXTURES")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures").into());
    let json = std::fs::read_to_string(format!("{dir}/{name}"))
        .unwrap_or_else(|e| panic!("fixture {dir}/{name}: {e}"));
    // The first "content" string, decoded by hand: the module must not need serde_json.
    let start = json.find("\"content\": \"").expect("content") + "\"content\": \"".len();
    let mut out = String::new();
    let mut chars = json[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return out,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let code = u32::from_str_radix(&hex, 16).expect("hex");
                    out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                }
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    panic!("unterminated content in {name}")
}

#[test]
fn mastodon_notes_survive() {
    let content = fixture_content("mastodon/create-note-hashtag.json");
    let out = sanitize_remote(&content);
    assert_eq!(
        out,
        "<p><span class=\"h-card\"><a href=\"http://localtesting.pleroma.lol/users/lain\" class=\"u-url mention\" target=\"_blank\" rel=\"nofollow noopener noreferrer\">@<span>lain</span></a></span> #moo</p>"
    );
    assert_eq!(plain_text(&out, 100), "@lain #moo");

    let content = fixture_content("mastodon/note-with-image-attachment.json");
    let out = sanitize_remote(&content);
    assert!(out.contains("<a href=\"https://lemmy.kde.social/c/kde\" class=\"u-url mention\""));
    assert!(out.contains("<span class=\"invisible\">https://</span>"));
    assert!(out.contains("<a href=\"https://kde.org/donate/\" target=\"_blank\" rel=\"nofollow noopener noreferrer\">"));
    assert!(out.contains("💶"));
    assert!(!out.contains("translate"));

    let tags = "<p>x <a href=\"https://m.social/tags/reddit\" class=\"mention hashtag\" rel=\"tag\">#<span>reddit</span></a></p>";
    assert_eq!(
        sanitize_remote(tags),
        "<p>x <a href=\"https://m.social/tags/reddit\" class=\"mention hashtag\" target=\"_blank\" rel=\"nofollow noopener noreferrer\">#<span>reddit</span></a></p>"
    );
}

#[test]
fn huge_html_is_cut() {
    let huge = "é".repeat(MAX_HTML_BYTES); // twice the limit in bytes
    let out = sanitize_remote(&huge);
    assert_eq!(out.len(), MAX_HTML_BYTES);
    assert_eq!(plain_text(&huge, usize::MAX).len(), MAX_HTML_BYTES);
}

#[test]
fn nesting_limit() {
    let fine = "<div><p a=\"<div>\" b='>'>x</p><script><div><div></script></div>";
    assert!(matches!(shape_for_parser(fine), Cow::Borrowed(_)));
    let deep =
        "<div>".repeat(MAX_NESTING + 5) + "x" + &"</div>".repeat(MAX_NESTING + 5) + "<b>y</b>";
    let cut = shape_for_parser(&deep);
    let expected = "<div>".repeat(MAX_NESTING) + "x" + &"</div>".repeat(MAX_NESTING) + "<b>y</b>";
    assert_eq!(cut, expected);
    let deep = "<blockquote title=\"a>b\">".repeat(MAX_NESTING + 1) + "<br><p>z";
    let cut = shape_for_parser(&deep);
    assert_eq!(cut.matches("<blockquote").count(), MAX_NESTING);
    assert!(cut.ends_with("\"><br><p>z"));
    assert_eq!(shape_for_parser("<div").as_ref(), "<div");
    assert_eq!(
        shape_for_parser("a < b <3 <!x> <?y>").as_ref(),
        "a < b <3 <!x> <?y>"
    );
}

// ---- plain_text ----

#[test]
fn plain_text_flattens_html() {
    assert_eq!(
        plain_text("<p>Hello <b>world</b></p><p>again</p>", 100),
        "Hello world\n\nagain"
    );
    assert_eq!(plain_text("a<br>b<br/><br>c", 100), "a\nb\n\nc");
    assert_eq!(
        plain_text("<ul><li>one</li><li>two</li></ul>", 100),
        "one\ntwo"
    );
    assert_eq!(plain_text("<div>a</div><div>b</div>", 100), "a\nb");
    assert_eq!(
        plain_text("  lots \n\t of   space&nbsp; here ", 100),
        "lots of space here"
    );
    assert_eq!(
        plain_text(
            "&amp; &lt;b&gt; &quot;q&quot; &#39;s&#39; &eacute; &#x1F980; &hellip; &bogus;",
            100
        ),
        "& <b> \"q\" 's' é 🦀 … &bogus;"
    );
    assert_eq!(
        plain_text(
            "a<script>alert(1)</script><style>x{}</style>b<!-- c -->d",
            100
        ),
        "abd"
    );
    assert_eq!(
        plain_text("<p>a <span class=\"invisible\">x</span></p>", 100),
        "a x"
    );
    assert_eq!(plain_text("1 < 2 > 0", 100), "1 < 2 > 0");
    assert_eq!(plain_text("a\0b\u{7}c", 100), "ab c");
    assert_eq!(plain_text("", 10), "");
}

#[test]
fn plain_text_cuts_on_char_boundaries() {
    assert_eq!(plain_text("hello", 5), "hello");
    assert_eq!(plain_text("hello world", 8), "hello w…");
    assert_eq!(plain_text("hello world", 7), "hello…");
    assert_eq!(plain_text("hello", 1), "…");
    assert_eq!(plain_text("hello", 0), "");
    assert_eq!(plain_text("🦀🦀🦀🦀", 3), "🦀🦀…");
    assert_eq!(plain_text("日本語のテキスト", 4), "日本語…");
    assert_eq!(plain_text("<p>a</p><p>b</p>", 3), "a…");
}
