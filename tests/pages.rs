//! Public pages: the profile, a post's thread, tags, feeds, and what link previews read.

use crate::harness::{get, Instance, BROWSER};

fn id_of(page_url: &str) -> String {
    page_url.rsplit('/').next().unwrap().to_string()
}

#[test]
fn profile_page_has_previews_twin_and_feeds() {
    let instance = Instance::start();
    for i in 0..23 {
        instance.post(&format!("entry {i}"), &[]);
    }
    instance.post(
        "not on the profile for strangers",
        &["--visibility", "followers"],
    );
    let page = get(&instance.url("/@ana"), BROWSER);
    assert_eq!(page.status, 200);
    let html = &page.body;
    assert!(html.contains(&format!(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{}\">",
        instance.url("/users/ana")
    )));
    assert!(html.contains(&format!(
        "type=\"application/atom+xml\" title=\"Atom\" href=\"{}\"",
        instance.url("/@ana.atom")
    )));
    assert!(html.contains(&format!(
        "type=\"application/rss+xml\" title=\"RSS\" href=\"{}\"",
        instance.url("/@ana.rss")
    )));
    assert!(html.contains("<meta property=\"og:title\" content=\"Ana Example (@ana@127.0.0.1:"));
    assert!(html.contains("<meta property=\"og:description\""));
    assert!(html.contains("<meta property=\"og:image\" content=\"http://127.0.0.1:"));
    assert!(
        html.contains("<p>entry 22</p>") && html.contains("<p>entry 3</p>"),
        "newest first"
    );
    assert!(!html.contains("<p>entry 2</p>"), "20 a page");
    assert!(!html.contains("not on the profile"));
    assert!(html.contains("<strong>23</strong> posts"));
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));

    let older = html
        .split("rel=\"next\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let second = get(&instance.url(&older), BROWSER);
    assert!(second.body.contains("<p>entry 0</p>") && second.body.contains("<p>entry 2</p>"));
    assert!(!second.body.contains("entry 22"));
    assert!(second.body.contains("rel=\"prev\""));
}

#[test]
fn feeds_list_public_posts() {
    let instance = Instance::start();
    instance.post("public <b>words</b> & more", &[]);
    instance.post("unlisted words", &["--visibility", "unlisted"]);
    instance.post("hidden words", &["--visibility", "followers"]);

    let atom = get(&instance.url("/@ana.atom"), "*/*");
    assert_eq!(atom.status, 200);
    assert!(atom.content_type().starts_with("application/atom+xml"));
    assert!(atom.body.starts_with("<?xml"));
    assert!(atom
        .body
        .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert!(
        atom.body.contains("public &lt;b&gt;words&lt;/b&gt;"),
        "escaped: {}",
        atom.body
    );
    assert!(!atom.body.contains("hidden words") && !atom.body.contains("unlisted words"));
    assert!(atom
        .body
        .contains("<link rel=\"alternate\" type=\"text/html\" href=\""));

    let rss = get(&instance.url("/@ana.rss"), "*/*");
    assert!(rss.content_type().starts_with("application/rss+xml"));
    assert!(rss.body.contains("<rss version=\"2.0\""));
    assert!(rss.body.contains("<pubDate>"));
    assert!(!rss.body.contains("hidden words"));
    assert_eq!(get(&instance.url("/@bob.rss"), "*/*").status, 404);
}

#[test]
fn a_post_page_shows_its_thread_and_tags_link_to_tag_pages() {
    let instance = Instance::start();
    let first = instance.post("the start of a #Thread", &[]);
    let second = instance.post("the middle", &["--reply-to", &first]);
    let third = instance.post("the end", &["--reply-to", &second]);
    let hidden = instance.post(
        "a hidden reply",
        &["--reply-to", &second, "--visibility", "followers"],
    );

    let page = get(&second, BROWSER);
    assert_eq!(page.status, 200);
    let html = page.body.split("<main").nth(1).unwrap();
    let (start, middle, end) = (
        html.find("the start of a").unwrap(),
        html.find("the middle").unwrap(),
        html.find("the end").unwrap(),
    );
    assert!(
        start < middle && middle < end,
        "ancestors, the post, then replies"
    );
    assert!(!html.contains("a hidden reply"));
    let head = &page.body;
    assert!(head.contains(&format!(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{}\">",
        instance.url(&format!("/users/ana/statuses/{}", id_of(&second)))
    )));
    assert!(head.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(head.contains("<meta property=\"og:description\" content=\"the middle\">"));
    assert_eq!(get(&hidden, BROWSER).status, 404);
    let _ = third;

    let tag = get(&instance.url("/tags/thread"), BROWSER);
    assert_eq!(tag.status, 200);
    assert!(tag.body.contains("the start of a"));
    assert!(!tag.body.contains("the middle"));
    let first_page = get(&first, BROWSER).body;
    assert!(first_page.contains(&format!("href=\"{}\"", instance.url("/tags/thread"))));
}

#[test]
fn markdown_is_rendered_safely() {
    let instance = Instance::start();
    let page = instance.post(
        "**bold** <script>alert(1)</script> [x](javascript:alert(1)) https://example.com/path and @bob@example.com",
        &[],
    );
    let html = get(&page, BROWSER).body;
    assert!(html.contains("<strong>bold</strong>"));
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("href=\"javascript:"));
    assert!(html.contains("<a href=\"https://example.com/path\""));
    assert!(html.contains("rel=\"nofollow noopener noreferrer\""));
    assert!(html.contains("class=\"u-url mention\""));
}

#[test]
fn assets_are_served_from_the_binary() {
    let instance = Instance::start();
    let css = get(&instance.url("/assets/style.css"), "text/css");
    assert_eq!(css.status, 200);
    assert!(css.content_type().starts_with("text/css"));
    assert!(css.header("cache-control").unwrap().contains("max-age"));
    let avatar = get(&instance.url("/assets/avatar.svg"), "*/*");
    assert_eq!(avatar.content_type(), "image/svg+xml");
    assert_eq!(
        get(&instance.url("/assets/../Cargo.toml"), "*/*").status,
        404
    );
    assert_eq!(get(&instance.url("/assets/nothing.css"), "*/*").status, 404);
}
