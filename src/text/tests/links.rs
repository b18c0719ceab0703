//! Hashtags and mentions: what is linked, what is collected, and what is not.

use super::*;

// ---- render_markdown: hashtags ----

#[test]
fn hashtags_are_linked_and_collected() {
    let r = render("#Rust is fun. #rust (#Web_Dev) #日本語 #café #1a #2024");
    assert_eq!(r.hashtags, ["Rust", "Web_Dev", "日本語", "café", "1a"]);
    assert_eq!(
        r.html,
        format!(
            "<p>{} is fun. {} ({}) {} {} {} #2024</p>",
            hashtag("Rust"),
            hashtag("rust"),
            hashtag("Web_Dev"),
            hashtag("日本語"),
            hashtag("café"),
            hashtag("1a"),
        )
    );
    // A combining accent stays in the tag.
    assert_eq!(render("#cafe\u{301}!").hashtags, ["cafe\u{301}"]);
}

#[test]
fn hashtags_need_a_boundary_and_a_letter() {
    for source in [
        "a#b", "a_#b", "AT&#T", "&amp;#b", "#", "# ", "#123", "#_", "##",
    ] {
        let r = render(source);
        let expected: &[&str] = if source == "#_" { &["_"] } else { &[] };
        assert_eq!(r.hashtags, expected, "{source}");
    }
    assert_eq!(render("##x").hashtags, ["x"]);
    assert_eq!(render("x,#y").hashtags, ["y"]);
    // Word boundaries carry across inline markup.
    assert_eq!(render("*foo*#bar").hashtags, Vec::<String>::new());
    assert_eq!(render("**#bar**").hashtags, ["bar"]);
    assert_eq!(render("a\n#b").hashtags, ["b"]);
}

#[test]
fn no_hashtags_in_code_or_links() {
    let r = render("`#a` [#b](https://x.org) https://x.org/#c\n\n```\n#d\n```\n\n    #e");
    assert!(r.hashtags.is_empty(), "{:?}", r.hashtags);
    assert!(!r.html.contains("hashtag"));
}

#[test]
fn tag_url_is_called_with_the_tag_and_escaped() {
    let r = render_markdown("#Tag", &|t| format!("https://h/t?q={t}&\"x\""));
    assert_eq!(
        r.html,
        "<p><a href=\"https://h/t?q=Tag&amp;&quot;x&quot;\" class=\"mention hashtag\" rel=\"tag\">#<span>Tag</span></a></p>"
    );
}

// ---- render_markdown: mentions ----

#[test]
fn mentions_are_linked_and_collected() {
    let r = render("hi @alice@example.com and @Bob_1.x-y@sub.example.org, @ALICE@Example.com!");
    assert_eq!(
        r.mentions,
        [
            mention("alice", "example.com"),
            mention("Bob_1.x-y", "sub.example.org")
        ]
    );
    assert_eq!(
        r.html,
        format!(
            "<p>hi {} and {}, {}!</p>",
            mention_html("alice", "example.com"),
            mention_html("Bob_1.x-y", "sub.example.org"),
            mention_html("ALICE", "example.com"),
        )
    );
}

#[test]
fn mention_domains() {
    let r = render("@a@localhost:8080 @b@example.com. @c@x.org:443 @d@münchen.de @e@host-.org");
    assert_eq!(
        r.mentions,
        [
            mention("a", "localhost:8080"),
            mention("b", "example.com"),
            mention("c", "x.org"),
            mention("d", "xn--mnchen-3ya.de"),
        ]
    );
    assert!(html("@a@localhost:8080").contains("href=\"https://localhost:8080/@a\""));
    assert!(html("(@b@example.com.)").ends_with("</span>.)</p>"));
    assert_eq!(render("@a@x.org:99999").mentions, [mention("a", "x.org")]);
}

#[test]
fn not_mentions() {
    for source in [
        "bob@example.com",
        "@bob",
        "@bob@nodot",
        "@.bob@x.org",
        "@bob.@x.org",
        "@bob@",
        "@bob@.org",
        "@@bob@x.org",
        "a/@bob@x.org",
        "@b!b@x.org",
        "`@bob@x.org`",
        "[@bob@x.org](https://x.org)",
        "```\n@bob@x.org\n```",
    ] {
        let r = render(source);
        assert!(r.mentions.is_empty(), "{source}: {:?}", r.mentions);
        assert!(!r.html.contains("h-card"), "{source}");
    }
}

#[test]
fn mention_urls_come_from_the_caller() {
    let resolve = |m: &FoundMention| match m.user.as_str() {
        "known" => Some(format!("https://{}/users/known", m.domain)),
        "evil" => Some("javascript:alert(1)".to_owned()),
        _ => None,
    };
    let r = render_markdown_with(
        "@known@x.org @unknown@y.org @evil@z.org",
        &tag_url,
        &resolve,
    );
    assert_eq!(
        r.html,
        "<p><span class=\"h-card\"><a href=\"https://x.org/users/known\" class=\"u-url mention\">@<span>known</span></a></span> @unknown@y.org @evil@z.org</p>"
    );
    assert_eq!(r.mentions.len(), 3);
    assert_eq!(
        default_mention_url(&mention("a", "x.org:8443")).as_deref(),
        Some("https://x.org:8443/@a")
    );
}
