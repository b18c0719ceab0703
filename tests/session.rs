//! The owner's side: set-up link, login, sessions, CSRF and Origin checks, composing, editing,
//! settings, and what survives a restart.

use crate::harness::{get, Instance, AS_JSON, BROWSER};

const PASSWORD: &str = "correct horse battery";

#[test]
fn the_setup_link_sets_the_password_once() {
    let instance = Instance::start();
    let link = instance
        .setup_link
        .clone()
        .expect("serve prints a set-up link on first start");
    assert!(
        link.starts_with(&format!("{}/setup?token=", instance.origin)),
        "{link}"
    );
    let path = link.strip_prefix(&instance.origin).unwrap().to_string();
    let token = path.split("token=").nth(1).unwrap().to_string();

    let mut browser = instance.browser();
    let form = browser.get(&path);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("type=\"password\""));
    assert_eq!(browser.get("/setup?token=wrong").status, 404);

    let mismatch = browser.post_form(
        "/setup",
        &[
            ("token", &token),
            ("password", PASSWORD),
            ("confirm", "other"),
        ],
    );
    assert_eq!(mismatch.status, 400);
    let short = browser.post_form(
        "/setup",
        &[
            ("token", &token),
            ("password", "short"),
            ("confirm", "short"),
        ],
    );
    assert_eq!(short.status, 400);
    assert!(short.body.contains("at least 8"));

    let done = browser.post_form(
        "/setup",
        &[
            ("token", &token),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), Some("/settings?welcome=true"));
    let cookie = done.header("set-cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http on localhost");
    let welcome = browser.get("/settings?welcome=true");
    assert_eq!(welcome.status, 200);
    assert!(welcome.body.contains("Welcome"));

    // Spent: the link no longer works, and the password logs in.
    assert_eq!(instance.browser().get(&path).status, 404);
    instance.logged_in(PASSWORD);
}

#[test]
fn login_logout_and_the_rate_limit() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let mut browser = instance.browser();
    let home = browser.get("/settings");
    assert_eq!(home.status, 303, "settings need a login");
    assert_eq!(home.header("location"), Some("/login?next=%2Fsettings"));
    assert_eq!(
        browser.get("/").header("location"),
        Some(instance.url("/@ana").as_str())
    );

    let wrong = browser.post_form("/login", &[("password", "not it"), ("next", "/")]);
    assert_eq!(wrong.status, 401);
    // An open redirect is not followed.
    let ok = browser.post_form(
        "/login",
        &[("password", PASSWORD), ("next", "//evil.example/")],
    );
    assert_eq!(ok.status, 303);
    assert_eq!(ok.header("location"), Some("/"));
    let home = browser.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("name=\"source\""), "compose form");

    let csrf = crate::harness::csrf_from(&home.body);
    let out = browser.post_form("/logout", &[("csrf", &csrf)]);
    assert_eq!(out.status, 303);
    assert_eq!(browser.get("/settings").status, 303, "logged out");

    // One failure from this address already; four more reach the limit of five.
    let mut attacker = instance.browser();
    for _ in 0..4 {
        assert_eq!(
            attacker
                .post_form("/login", &[("password", "guess")])
                .status,
            401
        );
    }
    let limited = attacker.post_form("/login", &[("password", PASSWORD)]);
    assert_eq!(limited.status, 429, "even the right password waits");
    assert!(limited.body.contains("Too many"));
}

#[test]
fn a_guess_spread_over_many_addresses_is_limited_too() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    // Ten addresses, each staying at the per-address limit of five: fifty failures in all.
    for n in 1..=10 {
        let mut guesser = instance.browser();
        guesser.client_address = Some(format!("198.51.100.{n}"));
        for _ in 0..5 {
            let guess = guesser.post_form("/login", &[("password", "guess")]);
            assert_eq!(guess.status, 401, "address {n}: {}", guess.body);
        }
    }
    let mut owner = instance.browser();
    owner.client_address = Some("203.0.113.7".into());
    let limited = owner.post_form("/login", &[("password", PASSWORD)]);
    assert_eq!(
        limited.status, 429,
        "a fresh address waits once fifty guesses failed"
    );
    assert_eq!(owner.get("/settings").status, 303, "and gets no session");
}

#[test]
fn forms_need_the_csrf_token_and_our_origin() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let mut browser = instance.logged_in(PASSWORD);
    let csrf = browser.csrf("/");

    let no_token = browser.post_form("/posts", &[("source", "sneaky"), ("visibility", "public")]);
    assert_eq!(no_token.status, 422, "missing field");
    let bad_token = browser.post_form(
        "/posts",
        &[
            ("csrf", "forged"),
            ("source", "sneaky"),
            ("visibility", "public"),
        ],
    );
    assert_eq!(bad_token.status, 403);
    let foreign = browser.post_form_from(
        "/posts",
        &[
            ("csrf", &csrf),
            ("source", "sneaky"),
            ("visibility", "public"),
        ],
        "http://evil.example",
    );
    assert_eq!(foreign.status, 403);
    let login_from_elsewhere = instance.browser().post_form_from(
        "/login",
        &[("password", PASSWORD)],
        "http://evil.example",
    );
    assert_eq!(login_from_elsewhere.status, 403);
    assert!(!get(&instance.url("/@ana"), BROWSER).body.contains("sneaky"));
}

#[test]
fn compose_edit_and_delete_from_the_web_page() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let mut browser = instance.logged_in(PASSWORD);
    let csrf = browser.csrf("/");

    let empty = browser.post_form(
        "/posts",
        &[("csrf", &csrf), ("source", " "), ("visibility", "public")],
    );
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("the post is empty"));

    let posted = browser.post_form(
        "/posts",
        &[
            ("csrf", &csrf),
            ("source", "From the *web*"),
            ("summary", "a warning"),
            ("visibility", "public"),
        ],
    );
    assert_eq!(posted.status, 303, "{}", posted.body);
    let page = posted.header("location").unwrap().to_string();
    let id = page.rsplit('/').next().unwrap().to_string();
    let note = get(&page, AS_JSON).json();
    assert_eq!(note["summary"], "a warning");
    assert_eq!(note["sensitive"], true);

    let private = browser.post_form(
        "/posts",
        &[
            ("csrf", &csrf),
            ("source", "only mine"),
            ("visibility", "direct"),
        ],
    );
    let private_page = private.header("location").unwrap().to_string();
    assert_eq!(
        browser
            .get(private_page.strip_prefix(&instance.origin).unwrap())
            .status,
        200,
        "the owner sees it"
    );
    assert_eq!(get(&private_page, BROWSER).status, 404, "strangers do not");

    let edit_form = browser.get(&format!("/posts/{id}/edit"));
    assert!(edit_form.body.contains("From the *web*"));
    let edited = browser.post_form(
        &format!("/posts/{id}/edit"),
        &[
            ("csrf", &csrf),
            ("source", "Now **edited**"),
            ("summary", ""),
        ],
    );
    assert_eq!(edited.status, 303);
    let note = get(&page, AS_JSON).json();
    assert!(note["content"]
        .as_str()
        .unwrap()
        .contains("<strong>edited</strong>"));
    assert!(note["updated"].is_string());
    assert!(note["summary"].is_null());
    let history = get(&page, BROWSER).body;
    assert!(history.contains("Edit history") && history.contains("From the <em>web</em>"));

    let deleted = browser.post_form(&format!("/posts/{id}/delete"), &[("csrf", &csrf)]);
    assert_eq!(deleted.status, 303);
    assert_eq!(get(&page, AS_JSON).status, 404);
}

#[test]
fn settings_change_the_profile_and_actor() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let mut browser = instance.logged_in(PASSWORD);
    let csrf = browser.csrf("/settings");
    let saved = browser.post_form(
        "/settings/profile",
        &[
            ("csrf", &csrf),
            ("display_name", "Ana <B>"),
            ("bio", "I write *things* about #rust"),
            ("fields[0].name", "Website"),
            ("fields[0].value", "https://ana.example/"),
            ("fields[1].name", "Pronouns"),
            ("fields[1].value", "she/her <i>"),
            ("manually_approves_followers", "true"),
            ("discoverable", "false"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    let actor = get(&instance.url("/users/ana"), AS_JSON).json();
    assert_eq!(actor["name"], "Ana <B>");
    assert!(actor["summary"]
        .as_str()
        .unwrap()
        .contains("<em>things</em>"));
    assert_eq!(actor["manuallyApprovesFollowers"], true);
    assert_eq!(actor["discoverable"], false);
    let fields = actor["attachment"].as_array().unwrap();
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0]["type"], "PropertyValue");
    assert!(fields[0]["value"]
        .as_str()
        .unwrap()
        .contains("rel=\"nofollow noopener noreferrer me\""));
    assert_eq!(fields[1]["value"], "she/her &lt;i&gt;");

    let profile = get(&instance.url("/@ana"), BROWSER).body;
    assert!(
        profile.contains("Ana &lt;B&gt;"),
        "display names are escaped"
    );
    assert!(profile.contains("rel=\"nofollow noopener noreferrer me\""));

    let too_many: Vec<(String, String)> = (0..5)
        .flat_map(|i| {
            [
                (format!("fields[{i}].name"), format!("n{i}")),
                (format!("fields[{i}].value"), "v".into()),
            ]
        })
        .collect();
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("display_name", "x"), ("bio", "")];
    form.extend(too_many.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let refused = browser.post_form("/settings/profile", &form);
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("at most 4"));
}

#[test]
fn a_restart_keeps_key_posts_and_sessions() {
    let mut instance = Instance::start();
    instance.set_password(PASSWORD);
    let mut browser = instance.logged_in(PASSWORD);
    let page = instance.post("survives restarts", &[]);
    let key = get(&instance.url("/users/ana"), AS_JSON).json()["publicKey"]["publicKeyPem"].clone();
    instance.kill();
    instance.serve();
    assert!(
        instance.setup_link.is_none(),
        "no set-up link once a password is set"
    );
    assert_eq!(
        get(&instance.url("/users/ana"), AS_JSON).json()["publicKey"]["publicKeyPem"],
        key
    );
    assert_eq!(get(&page, BROWSER).status, 200);
    assert_eq!(browser.get("/settings").status, 200, "the session survived");
}

#[test]
fn a_password_change_ends_other_sessions() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let mut first = instance.logged_in(PASSWORD);
    let mut second = instance.logged_in(PASSWORD);
    let csrf = first.csrf("/settings");
    let wrong = first.post_form(
        "/settings/password",
        &[
            ("csrf", &csrf),
            ("current", "nope"),
            ("password", "another one"),
        ],
    );
    assert_eq!(wrong.status, 403);
    let changed = first.post_form(
        "/settings/password",
        &[
            ("csrf", &csrf),
            ("current", PASSWORD),
            ("password", "a brand new password"),
        ],
    );
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(first.get("/settings").status, 200, "this browser stays in");
    assert_eq!(second.get("/settings").status, 303, "the other one is out");
    instance.logged_in("a brand new password");
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

#[test]
fn avatar_and_header_uploads_are_stored_and_served_as_images() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let mut browser = instance.logged_in(PASSWORD);
    let csrf = browser.csrf("/settings");

    let uploaded = browser.post_file(
        "/settings/avatar",
        &[("csrf", &csrf)],
        &png(900, 600),
        "image/png",
    );
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    let header = browser.post_file(
        "/settings/header",
        &[("csrf", &csrf)],
        &png(2000, 900),
        "image/png",
    );
    assert_eq!(header.status, 303, "{}", header.body);

    let actor = get(&instance.url("/users/ana"), AS_JSON).json();
    assert_eq!(actor["icon"]["type"], "Image");
    let icon_url = actor["icon"]["url"].as_str().unwrap().to_string();
    let icon = get(&icon_url, "*/*");
    assert_eq!(icon.status, 200);
    assert_eq!(
        icon.content_type(),
        actor["icon"]["mediaType"].as_str().unwrap()
    );
    assert!(icon.content_type().starts_with("image/"));
    assert_eq!(icon.header("x-content-type-options"), Some("nosniff"));
    assert!(icon
        .header("cache-control")
        .unwrap()
        .contains("max-age=31536000"));
    let decoded = image::load_from_memory(&icon.bytes).unwrap();
    assert_eq!(
        (decoded.width(), decoded.height()),
        (400, 400),
        "avatars are cropped square"
    );
    let banner_url = actor["image"]["url"].as_str().unwrap();
    let banner = image::load_from_memory(&get(banner_url, "*/*").bytes).unwrap();
    assert_eq!((banner.width(), banner.height()), (1500, 500));
    assert!(get(&instance.url("/@ana"), BROWSER)
        .body
        .contains(&icon_url));

    // Not an image: refused with a reason, the old avatar stays.
    let html = browser.post_file(
        "/settings/avatar",
        &[("csrf", &csrf)],
        b"<html><script>alert(1)</script></html>",
        "image/png",
    );
    assert_eq!(html.status, 422);
    let still = get(&instance.url("/users/ana"), AS_JSON).json();
    assert_eq!(still["icon"]["url"], icon_url.as_str());
    let without_token = browser.post_file(
        "/settings/avatar",
        &[("csrf", "forged")],
        &png(10, 10),
        "image/png",
    );
    assert_eq!(without_token.status, 403);
}
