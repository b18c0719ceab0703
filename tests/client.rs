//! The owner's web page as a daily client: images on posts, content warnings, pins, bookmarks,
//! blocks and mutes, compose helpers — through real `perch serve` processes.

use crate::harness::{get, Answer, Browser, Instance, AS_JSON, BROWSER};

pub const PASSWORD: &str = "correct horse battery";

pub use crate::harness::{eventually, follow_and_wait, handle};
use crate::probe;

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

/// A part of a multipart form: a text field, or a file.
pub enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a [u8]),
}

/// Posts a multipart form like a browser on our own origin.
pub fn post_multipart(browser: &mut Browser, path: &str, parts: &[Part]) -> Answer {
    let boundary = "perchclientboundary0xZ81kQ";
    let mut body = Vec::new();
    for part in parts {
        match part {
            Part::Text(name, value) => body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            ),
            Part::File(name, data) => {
                body.extend_from_slice(
                    format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"picture\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                        .as_bytes(),
                );
                body.extend_from_slice(data);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let cookie = browser
        .cookies
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    crate::harness::post_raw(
        &format!("{}{path}", browser.origin),
        &[
            ("Accept", BROWSER),
            ("Origin", &browser.origin.clone()),
            ("Cookie", &cookie),
            (
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            ),
        ],
        &body,
    )
}

#[test]
fn images_are_attached_with_alt_text_served_and_federated() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let mut browser = instance.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    let home = browser.get("/").body;
    assert!(home.contains(r#"enctype="multipart/form-data""#));
    assert!(home.contains(r#"name="media[0].file""#));

    let (big, small) = (png(1200, 800), png(40, 30));
    let posted = post_multipart(
        &mut browser,
        "/posts",
        &[
            Part::Text("csrf", &csrf),
            Part::Text("source", "two pictures"),
            Part::Text("visibility", "public"),
            Part::Text("summary", ""),
            Part::File("media[0].file", &big),
            Part::Text("media[0].description", "A gradient <in> red & green"),
            Part::File("media[1].file", &small),
            Part::Text("media[1].description", "A tiny one"),
            Part::File("media[2].file", b""),
            Part::Text("media[2].description", ""),
        ],
    );
    assert_eq!(posted.status, 303, "{}", posted.body);
    let location = posted.header("location").unwrap();
    let page_path = location.trim_start_matches(&instance.origin).to_string();
    let page = browser.get(&page_path).body;
    assert!(
        page.contains(r#"alt="A gradient &lt;in&gt; red &amp; green""#),
        "alt text shown, escaped: {page}"
    );
    assert!(page.contains("A tiny one"));
    assert!(page.contains("/preview/"), "the big one shows its preview");

    // Served as images, to anyone (the post is public).
    let id = page_path.rsplit('/').next().unwrap();
    let note = get(&instance.url(&format!("/users/ana/statuses/{id}")), AS_JSON).json();
    let attachments = note["attachment"].as_array().expect("attachments");
    assert_eq!(attachments.len(), 2);
    assert_eq!(attachments[0]["type"], "Document");
    assert_eq!(attachments[0]["name"], "A gradient <in> red & green");
    assert_eq!(attachments[0]["width"], 1200);
    assert!(attachments[0]["blurhash"]
        .as_str()
        .is_some_and(|b| !b.is_empty()));
    let url = attachments[0]["url"].as_str().unwrap();
    let image = get(url, "*/*");
    assert_eq!(image.status, 200);
    assert_eq!(
        image.content_type(),
        attachments[0]["mediaType"].as_str().unwrap()
    );
    // The profile and the home timeline show them too.
    assert!(get(&instance.url("/@ana"), BROWSER)
        .body
        .contains("A tiny one"));
    assert!(browser.get("/").body.contains("A tiny one"));
}

#[test]
fn refused_images_keep_the_draft() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let mut browser = instance.logged_in(PASSWORD);
    let csrf = browser.csrf("/");

    let not_an_image = post_multipart(
        &mut browser,
        "/posts",
        &[
            Part::Text("csrf", &csrf),
            Part::Text("source", "my careful draft"),
            Part::Text("visibility", "unlisted"),
            Part::File("media[0].file", b"just some text, not a picture"),
            Part::Text("media[0].description", "x"),
        ],
    );
    assert_eq!(not_an_image.status, 422, "{}", not_an_image.body);
    assert!(not_an_image
        .body
        .contains("image 1: the file is not a JPEG"));
    assert!(not_an_image.body.contains("my careful draft"));

    // Over the size limit: refused before it is decoded, the text kept.
    let huge = vec![0u8; 17 * 1024 * 1024];
    let too_big = post_multipart(
        &mut browser,
        "/posts",
        &[
            Part::Text("csrf", &csrf),
            Part::Text("source", "still my draft"),
            Part::Text("visibility", "public"),
            Part::File("media[0].file", &huge),
            Part::Text("media[0].description", ""),
        ],
    );
    assert_eq!(too_big.status, 422, "{}", too_big.body);
    assert!(
        too_big.body.contains("larger than 16 MB"),
        "{}",
        too_big.body
    );
    assert!(too_big.body.contains("still my draft"));
    assert_eq!(probe::posts(&instance), 0);
    assert_eq!(probe::media(&instance), 0);
}

#[test]
fn preview_renders_markdown_without_posting() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let mut browser = instance.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    let preview = browser.post_form(
        "/posts",
        &[
            ("csrf", &csrf),
            ("source", "some **bold** words"),
            ("visibility", "public"),
            ("preview", "1"),
        ],
    );
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview.body.contains("<strong>bold</strong>"));
    assert!(
        preview.body.contains("some **bold** words"),
        "the draft stays in the textarea"
    );
    assert_eq!(probe::posts(&instance), 0);
}

#[test]
fn remote_images_are_linked_from_their_origin_with_alt_text() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    b.set_password(PASSWORD);
    follow_and_wait(&a, &b);
    let mut bob = b.logged_in(PASSWORD);
    let csrf = bob.csrf("/");
    let image = png(50, 40);
    let posted = post_multipart(
        &mut bob,
        "/posts",
        &[
            Part::Text("csrf", &csrf),
            Part::Text("source", "look at this"),
            Part::Text("visibility", "public"),
            Part::Text("summary", "eye strain"),
            Part::File("media[0].file", &image),
            Part::Text("media[0].description", "Stripes from B"),
        ],
    );
    assert_eq!(posted.status, 303, "{}", posted.body);
    eventually("A keeps B's post", || probe::remote_posts(&a) == 1);
    let timeline = a.logged_in(PASSWORD).get("/").body;
    assert!(timeline.contains(r#"alt="Stripes from B""#), "{timeline}");
    assert!(timeline.contains(&format!(r#"src="{}/media/"#, b.origin)));
    assert!(
        timeline.contains("sensitive-media"),
        "a content warning blurs the images"
    );
}

#[test]
fn pins_reach_the_featured_collection_and_followers() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    follow_and_wait(&b, &a);
    let page = a.post("pin this one", &[]);
    let id = page.rsplit('/').next().unwrap().to_string();
    let uri = a.url(&format!("/users/ana/statuses/{id}"));
    let mut browser = a.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    assert!(browser.get("/").body.contains(r#"action="/actions/pin""#));
    let pinned = browser.post_form(
        "/actions/pin",
        &[("csrf", &csrf), ("uri", &uri), ("back", "/")],
    );
    assert_eq!(pinned.status, 303, "{}", pinned.body);
    let featured = get(&a.url("/users/ana/collections/featured"), AS_JSON).json();
    assert_eq!(featured["totalItems"], 1);
    let added = probe::sent_of_type(&a, "Add");
    assert_eq!(added.len(), 1, "{added:?}");
    assert_eq!(added[0]["target"], a.url("/users/ana/collections/featured"));
    assert_eq!(added[0]["object"], uri);
    assert!(browser.get("/").body.contains(r#"action="/actions/unpin""#));
    let unpinned = browser.post_form(
        "/actions/unpin",
        &[("csrf", &csrf), ("uri", &uri), ("back", "/")],
    );
    assert_eq!(unpinned.status, 303);
    assert_eq!(
        get(&a.url("/users/ana/collections/featured"), AS_JSON).json()["totalItems"],
        0
    );
    let removed = probe::sent_of_type(&a, "Remove");
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert_eq!(
        removed[0]["target"],
        a.url("/users/ana/collections/featured")
    );
    assert_eq!(removed[0]["object"], uri);
    // Followers-only posts stay off the profile.
    let private = a.post("not for pins", &["--visibility", "followers"]);
    let private_uri = a.url(&format!(
        "/users/ana/statuses/{}",
        private.rsplit('/').next().unwrap()
    ));
    let refused = browser.post_form("/actions/pin", &[("csrf", &csrf), ("uri", &private_uri)]);
    assert_eq!(refused.status, 422);
}

#[test]
fn bookmarks_are_private_and_listed() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let page = instance.post("worth keeping", &[]);
    let uri = instance.url(&format!(
        "/users/ana/statuses/{}",
        page.rsplit('/').next().unwrap()
    ));
    let mut browser = instance.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    assert!(browser.get("/bookmarks").body.contains("No bookmarks yet"));
    let marked = browser.post_form(
        "/actions/bookmark",
        &[("csrf", &csrf), ("uri", &uri), ("back", "/")],
    );
    assert_eq!(marked.status, 303, "{}", marked.body);
    let list = browser.get("/bookmarks").body;
    assert!(list.contains("worth keeping"));
    assert!(list.contains("Remove bookmark"));
    assert_eq!(
        instance.browser().get("/bookmarks").status,
        303,
        "strangers are sent to log in"
    );
    assert_eq!(
        probe::sent(&instance),
        0,
        "nothing is sent (no followers, and bookmarks are private)"
    );
    let unmarked = browser.post_form("/actions/unbookmark", &[("csrf", &csrf), ("uri", &uri)]);
    assert_eq!(unmarked.status, 303);
    assert!(browser.get("/bookmarks").body.contains("No bookmarks yet"));
    let unknown = browser.post_form(
        "/actions/bookmark",
        &[("csrf", &csrf), ("uri", "https://nowhere.example/1")],
    );
    assert_eq!(unknown.status, 404);
}

pub fn follow_each_other(a: &Instance, b: &Instance) {
    for (from, to) in [(a, b), (b, a)] {
        let out = from.cli(&["follow", &handle(to)], "");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for side in [a, b] {
        eventually("both follows accepted", || {
            probe::accepted_follows(side) == 2
        });
    }
}

#[test]
fn the_script_is_external_and_the_newest_id_is_for_the_owner() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let script = get(&instance.url("/assets/app.js"), "*/*");
    assert_eq!(script.status, 200);
    assert!(script.content_type().starts_with("text/javascript"));
    let mut browser = instance.logged_in(PASSWORD);
    let home = browser.get("/").body;
    assert!(home.contains(r#"<script src="/assets/app.js" defer>"#));
    assert_eq!(home.matches("<script").count(), 1, "no inline scripts");
    assert!(!home.contains("style=\""), "no inline styles");

    assert_eq!(
        get(&instance.url("/api/timeline/newest"), "application/json").status,
        401
    );
    let before = browser.get("/api/timeline/newest").body;
    assert!(before.contains("null"), "{before}");
    let page = instance.post("fresh", &[]);
    let newest = browser.get("/api/timeline/newest").body;
    assert!(
        newest.contains(page.rsplit('/').next().unwrap()),
        "{newest}"
    );
}

#[test]
fn replies_prefill_the_thread_mentions() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    follow_each_other(&a, &b);
    b.post(&format!("hello {} and friends", handle(&a)), &[]);
    eventually("A keeps B's post", || probe::remote_posts(&a) == 1);
    let uri = probe::remote_post_uris(&a).remove(0);
    let mut browser = a.logged_in(PASSWORD);
    let page = browser
        .get(&format!(
            "/?reply_to={}",
            uri.replace(':', "%3A").replace('/', "%2F")
        ))
        .body;
    let textarea = page.split("<textarea").nth(1).unwrap();
    let textarea = &textarea[..textarea.find("</textarea>").unwrap()];
    assert!(textarea.contains(&format!("{} ", handle(&b))), "{textarea}");
    assert!(!textarea.contains(&handle(&a)), "not ourselves: {textarea}");
}
