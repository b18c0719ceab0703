//! The owner's web page under attack: script in remote notes and profiles delivered through a
//! real signed Create, login abuse and open redirects, uploads that pretend, and posts that are
//! not for strangers.

use serde_json::json;

use super::remote::{actor_document, eventually, Remote};
use crate::client::{post_multipart, Part};
use crate::harness::{form_encode, get, post_raw, Browser, Instance, AS_JSON, BROWSER};
use crate::probe::{self, settled};

const PASSWORD: &str = "correct horse battery";

/// A tag as written in a page: its name and attributes (values unquoted, entities left as is).
#[derive(Debug)]
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// Every start tag of an HTML page, read the way a browser's tokenizer would (quoted values may
/// hold '>').
fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        i += offset + 1;
        let name: String = html[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        i += name.len();
        let mut attributes = Vec::new();
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                break;
            }
            let start = i;
            while i < bytes.len() && !b" \t\n\r/>=".contains(&bytes[i]) {
                i += 1;
            }
            let key = html[start..i].to_ascii_lowercase();
            let mut value = String::new();
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                match bytes.get(i) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let end = html[i + 1..]
                            .find(q as char)
                            .map_or(html.len(), |e| i + 1 + e);
                        value = html[i + 1..end].to_string();
                        i = end + 1;
                    }
                    _ => {
                        let start = i;
                        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>'
                        {
                            i += 1;
                        }
                        value = html[start..i].to_string();
                    }
                }
            }
            if key.is_empty() {
                i += 1;
            } else {
                attributes.push((key, value));
            }
        }
        found.push(Tag { name, attributes });
    }
    found
}

/// No element a remote author could have slipped in (beyond the remote allow-list and what the
/// same pages use for benign remote content), no event handler, no script URL.
fn assert_no_script(page: &str, what: &str, own_tags: &[String]) {
    const REMOTE_ALLOWED: &[&str] = &[
        "p",
        "br",
        "span",
        "a",
        "del",
        "pre",
        "code",
        "em",
        "strong",
        "b",
        "i",
        "u",
        "ul",
        "ol",
        "li",
        "blockquote",
    ];
    for tag in tags(page) {
        assert!(
            REMOTE_ALLOWED.contains(&tag.name.as_str()) || own_tags.contains(&tag.name),
            "{what}: <{}> {:?}",
            tag.name,
            tag.attributes
        );
        for (key, value) in &tag.attributes {
            assert!(
                !key.starts_with("on"),
                "{what}: <{} {key}={value:?}>",
                tag.name
            );
            let url: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            let active = matches!(
                key.as_str(),
                "href" | "src" | "action" | "formaction" | "style" | "srcdoc" | "xlink:href"
            );
            assert!(
                !(active
                    && (url.contains("alert(")
                        || url.contains("script:")
                        || url.contains("evil.example"))),
                "{what}: <{} {key}={value:?}>",
                tag.name
            );
        }
    }
}

const XSS: &[&str] = &[
    "<script>alert(101)</script>",
    "<img src=x onerror=alert(102)>",
    "<svg onload=alert(103)>",
    "<a href=\"javascript:alert(104)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(105)\">x</a>",
    "<iframe src=\"javascript:alert(106)\"></iframe>",
    "<form action=\"https://evil.example\"><button formaction=javascript:alert(107)>go</button></form>",
    "<style>body{background:url(javascript:alert(108))}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(109)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(110)>\">",
    "\"><script>alert(111)</script>",
    "'><img src=x onerror=alert(112)>",
    "<details open ontoggle=alert(113)>",
    "<a href=\"https://ok.example/\" onclick=\"alert(114)\">ok</a>",
];

#[test]
fn script_in_remote_notes_and_profiles_never_reaches_the_page() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let mut owner = instance.logged_in(PASSWORD);
    let remote = Remote::start();
    let me = instance.url("/users/ana");
    let pages = |name: &str, note: &str| {
        let quoted = |text: &str| {
            form_encode(&[("", text)])
                .trim_start_matches('=')
                .to_string()
        };
        [
            "/".to_string(),
            "/notifications".to_string(),
            format!("/search?q={}", quoted(&remote.actor(name))),
            format!(
                "/thread?uri={}",
                quoted(&format!("{}/notes/{note}", remote.origin))
            ),
        ]
    };
    let note_by = |name: &str, n: &str, content: &str, summary: &str| {
        let note = json!({
            "id": format!("{}/notes/{n}", remote.origin),
            "type": "Note",
            "attributedTo": remote.actor(name),
            "to": [me],
            "summary": summary,
            "content": content,
            "url": format!("{}/notes/{n}", remote.origin),
            "tag": [{"type": "Mention", "href": me}],
        });
        remote
            .activity(name, "Create", &format!("creates/{n}"), note)
            .to_string()
    };

    // What the pages use for benign remote content: a profile with fields and an avatar, a note
    // with a content warning.
    let mut alice = actor_document(&remote.origin, "alice");
    alice["summary"] = json!("<p>hello</p>");
    alice["attachment"] = json!([{"type": "PropertyValue", "name": "site", "value": "<a href=\"https://a.example/\">a</a>"}]);
    alice["icon"] = json!({"type": "Image", "url": "https://a.example/a.png"});
    remote.set(alice);
    let benign = note_by(
        "alice",
        "0",
        "<p>hi <a href=\"https://a.example/\">there</a></p>",
        "cw",
    );
    assert_eq!(
        remote
            .post(&instance, "/users/ana/inbox", "alice", benign.as_bytes())
            .status,
        202
    );
    eventually("the benign note is kept", || settled(&instance));
    let mut own_tags: Vec<String> = Vec::new();
    for path in pages("alice", "0") {
        let page = owner.get(&path);
        assert_eq!(page.status, 200, "{path}");
        own_tags.extend(tags(&page.body).into_iter().map(|t| t.name));
    }
    own_tags.sort();
    own_tags.dedup();

    let create = note_by("mallory", "1", &XSS.concat(), "<script>alert(122)</script>");
    let answer = remote.post(&instance, "/users/ana/inbox", "mallory", create.as_bytes());
    assert_eq!(answer.status, 202, "{}", answer.body);
    eventually("the note is kept", || {
        settled(&instance) && probe::remote_posts(&instance) == 2
    });

    let pages = pages("mallory", "1");
    for path in &pages {
        let page = owner.get(path);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(
            page.body.contains("mallory"),
            "{path} shows the attacker's content"
        );
        assert_no_script(&page.body, path, &own_tags);
        assert!(page
            .header("content-security-policy")
            .unwrap()
            .contains("script-src 'self'"));
    }
}

/// Logs in with `password` from `address` (as the proxy's X-Real-IP); the answer's status and
/// Location.
fn login_from(
    instance: &Instance,
    address: &str,
    password: &str,
    next: &str,
) -> (u16, Option<String>) {
    let answer = post_raw(
        &instance.url("/login"),
        &[
            ("Origin", &instance.origin),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("X-Real-IP", address),
        ],
        form_encode(&[("password", password), ("next", next)]).as_bytes(),
    );
    (answer.status, answer.header("location").map(str::to_string))
}

#[test]
fn login_is_limited_per_address_logout_ends_the_session_and_next_stays_home() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);

    for _ in 0..5 {
        assert_eq!(login_from(&instance, "198.51.100.7", "guess", "/").0, 401);
    }
    assert_eq!(
        login_from(&instance, "198.51.100.7", PASSWORD, "/").0,
        429,
        "this address waits"
    );
    assert_eq!(
        login_from(&instance, "198.51.100.8", PASSWORD, "/").0,
        303,
        "another may log in"
    );

    // Only our own paths, however a browser would read the value.
    for next in [
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "https://evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        " //evil.example/",
        "http:evil.example",
        "/%2F/evil.example",
        "javascript:alert(1)",
    ] {
        let (status, location) = login_from(&instance, "198.51.100.9", PASSWORD, next);
        assert_eq!(status, 303, "{next:?}");
        let location = location.unwrap();
        // What a browser does to a Location before resolving it.
        let seen: String = location
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .map(|c| if c == '\\' { '/' } else { c })
            .collect();
        assert!(
            seen.starts_with('/') && !seen.starts_with("//"),
            "{next:?} went to {location:?}"
        );
        let form = get(
            &instance.url(&format!(
                "/login?next={}",
                form_encode(&[("", next)]).trim_start_matches('=')
            )),
            BROWSER,
        );
        assert_eq!(form.status, 200);
        let value = form
            .body
            .split("name=\"next\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let value = value.replace("&#x9;", "").replace('\\', "/");
        assert!(
            value.starts_with('/') && !value.starts_with("//"),
            "{next:?} kept as {value:?}"
        );
    }

    // Logging out ends the session on the server, not just in this browser.
    let mut browser = instance.logged_in(PASSWORD);
    let stolen = browser.cookies.clone();
    let csrf = browser.csrf("/settings");
    assert_eq!(browser.post_form("/logout", &[("csrf", &csrf)]).status, 303);
    let mut replay = Browser {
        origin: instance.origin.clone(),
        cookies: stolen,
        client_address: None,
    };
    assert_eq!(
        replay.get("/settings").status,
        303,
        "the old cookie no longer works"
    );
}

/// The ids in the `/media/<id>/` addresses of a page, each once, in order.
fn media_ids(html: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for rest in html.split("/media/").skip(1) {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(id) = digits.parse() {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

fn png() -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8 * 4, y as u8 * 4, 90]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

#[test]
fn uploads_are_served_as_the_image_they_are_and_hidden_posts_hide_theirs() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let mut owner = instance.logged_in(PASSWORD);
    let csrf = owner.csrf("/settings");

    // A PNG that says it is a GIF, with HTML after its end.
    let mut polyglot = png();
    polyglot.extend_from_slice(b"<html><script>alert(1)</script></html>");
    let uploaded = owner.post_file(
        "/settings/avatar",
        &[("csrf", &csrf)],
        &polyglot,
        "image/gif",
    );
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    let icon = get(&instance.url("/users/ana"), AS_JSON).json()["icon"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let served = get(&icon, "text/html,*/*");
    assert_eq!(served.status, 200);
    let format = image::guess_format(&served.bytes).expect("an image");
    let expected = match format {
        image::ImageFormat::Png => "image/png",
        image::ImageFormat::Jpeg => "image/jpeg",
        image::ImageFormat::Gif => "image/gif",
        image::ImageFormat::WebP => "image/webp",
        other => panic!("served as {other:?}"),
    };
    assert_eq!(served.content_type(), expected);
    assert_eq!(served.header("x-content-type-options"), Some("nosniff"));
    assert!(served
        .header("content-security-policy")
        .unwrap()
        .starts_with("default-src 'none'"));
    assert!(
        !served.body.contains("<script"),
        "the trailing HTML is gone"
    );

    // Posts not for everyone: their media and every listing are as hidden as they are.
    let image = png();
    let hidden = post_multipart(
        &mut owner,
        "/posts",
        &[
            Part::Text("csrf", &csrf),
            Part::Text("source", "hidden words #secret"),
            Part::Text("visibility", "followers"),
            Part::File("media[0].file", &image),
            Part::Text("media[0].description", "a hidden picture"),
        ],
    );
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    let direct = instance.post("direct words #secret", &["--visibility", "direct"]);
    instance.post("public words #secret", &[]);
    let hidden_page = hidden.header("location").unwrap();
    let hidden_page = owner.get(
        hidden_page
            .strip_prefix(&instance.origin)
            .unwrap_or(hidden_page),
    );
    let avatar: i64 = icon.split('/').nth_back(1).unwrap().parse().unwrap();
    let mut media_id = media_ids(&hidden_page.body);
    media_id.retain(|id| *id != avatar);
    let [media_id] = media_id[..] else {
        panic!("one image on the hidden post besides the avatar: {media_id:?}")
    };
    let attached = format!("/media/{media_id}/a.png");
    let preview = format!("/media/{media_id}/preview/a.png");
    for path in [&attached, &preview] {
        assert_eq!(get(&instance.url(path), "*/*").status, 404, "{path}");
        assert_eq!(owner.get(path).status, 200, "the owner sees {path}");
    }
    for path in [
        "/@ana",
        "/@ana.atom",
        "/@ana.rss",
        "/tags/secret",
        "/users/ana/outbox?page=true",
    ] {
        let page = get(&instance.url(path), BROWSER);
        assert_eq!(page.status, 200, "{path}");
        assert!(
            page.body.contains("public words"),
            "{path} lists public posts"
        );
        assert!(
            !page.body.contains("hidden words") && !page.body.contains("direct words"),
            "{path}"
        );
    }
    assert!(
        owner.get("/tags/secret").body.contains("hidden words"),
        "the owner sees them"
    );
    let _ = direct;
}
