//! Changing what was already published: a post's images on edit, and the profile's pictures,
//! seen by a second real Perch that follows the owner.

use crate::client::{png, PASSWORD};
use crate::harness::{count, eventually, follow_and_wait, get, Instance, AS_JSON, BROWSER};

#[test]
fn removing_the_avatar_and_header_updates_followers() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    b.set_password(PASSWORD);
    let mut browser = a.logged_in(PASSWORD);
    let csrf = browser.csrf("/settings");
    assert!(!browser.get("/settings").body.contains("Remove avatar"));
    for (path, picture) in [
        ("/settings/avatar", png(300, 300)),
        ("/settings/header", png(900, 300)),
    ] {
        let uploaded = browser.post_file(path, &[("csrf", &csrf)], &picture, "image/png");
        assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    }
    let actor = get(&a.url("/users/ana"), AS_JSON).json();
    assert!(actor["icon"].is_object() && actor["image"].is_object());
    follow_and_wait(&b, &a);
    let known = "SELECT count(*) FROM actors WHERE avatar_url IS NOT NULL
                 AND json_extract(raw, '$.image') IS NOT NULL";
    assert_eq!(count(&b, known), 1, "B fetched A with both pictures");

    let settings = browser.get("/settings").body;
    assert!(settings.contains("Remove avatar") && settings.contains("Remove header"));
    let forged = browser.post_form("/settings/avatar/remove", &[("csrf", "forged")]);
    assert_eq!(forged.status, 403);
    for path in ["/settings/avatar/remove", "/settings/header/remove"] {
        let removed = browser.post_form(path, &[("csrf", &csrf)]);
        assert_eq!(removed.status, 303, "{path}: {}", removed.body);
    }

    let actor = get(&a.url("/users/ana"), AS_JSON).json();
    assert!(actor.get("icon").is_none(), "{actor}");
    assert!(actor.get("image").is_none(), "{actor}");
    let profile = get(&a.url("/@ana"), BROWSER).body;
    assert!(profile.contains("/assets/avatar.svg"), "the default avatar");
    assert!(!browser.get("/settings").body.contains("Remove avatar"));
    eventually("B applies the Update(Person)", || {
        count(
            &b,
            "SELECT count(*) FROM actors WHERE avatar_url IS NULL
             AND json_extract(raw, '$.icon') IS NULL AND json_extract(raw, '$.image') IS NULL",
        ) == 1
    });
}
