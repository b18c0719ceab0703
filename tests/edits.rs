//! Changing what was already published: a post's images on edit, and the profile's pictures,
//! seen by a second real Perch that follows the owner.

use crate::client::{png, post_multipart, Part, PASSWORD};
use crate::harness::{eventually, follow_and_wait, get, Instance, AS_JSON, BROWSER};
use crate::probe;

/// The `value` of the input named `name` in a page.
fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

fn attachment_names(note: &serde_json::Value) -> Vec<String> {
    note["attachment"]
        .as_array()
        .expect("attachments")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn editing_images_updates_the_note_and_the_follower_copy() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    b.set_password(PASSWORD);
    follow_and_wait(&b, &a);

    let mut browser = a.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    let posted = post_multipart(
        &mut browser,
        "/posts",
        &[
            Part::Text("csrf", &csrf),
            Part::Text("source", "two pictures"),
            Part::Text("visibility", "public"),
            Part::File("media[0].file", &png(60, 40)),
            Part::Text("media[0].description", "A red square"),
            Part::File("media[1].file", &png(30, 30)),
            Part::Text("media[1].description", "A blue circle"),
        ],
    );
    assert_eq!(posted.status, 303, "{}", posted.body);
    let page = posted.header("location").unwrap().to_string();
    let id = page.rsplit('/').next().unwrap().to_string();
    eventually("B holds the post", || probe::remote_posts(&b) == 1);

    // The form shows each image with its alt text and a removal box, and says visibility stays.
    let form = browser.get(&format!("/posts/{id}/edit")).body;
    assert!(form.contains(r#"enctype="multipart/form-data""#));
    assert!(form.contains("A blue circle"));
    assert!(form.contains(r#"name="existing[1].remove""#));
    assert!(form.contains("cannot be changed after posting"));
    let (first, second) = (
        input_value(&form, "existing[0].id"),
        input_value(&form, "existing[1].id"),
    );

    // New alt text on the first, the second removed, a third added.
    let edited = post_multipart(
        &mut browser,
        &format!("/posts/{id}/edit"),
        &[
            Part::Text("csrf", &csrf),
            Part::Text("source", "two pictures, one changed"),
            Part::Text("summary", ""),
            Part::Text("existing[0].id", &first),
            Part::Text("existing[0].description", "A red square on white"),
            Part::Text("existing[1].id", &second),
            Part::Text("existing[1].description", "A blue circle"),
            Part::Text("existing[1].remove", "true"),
            Part::File("media[0].file", &png(50, 50)),
            Part::Text("media[0].description", "A green triangle"),
            Part::File("media[1].file", b""),
            Part::Text("media[1].description", ""),
        ],
    );
    assert_eq!(edited.status, 303, "{}", edited.body);

    let note = get(&a.url(&format!("/users/ana/statuses/{id}")), AS_JSON).json();
    assert_eq!(
        attachment_names(&note),
        ["A red square on white", "A green triangle"]
    );
    assert!(note["updated"].is_string());
    let removed = get(&a.url(&format!("/media/{second}/x.png")), "*/*");
    assert_eq!(removed.status, 404, "the removed image is gone");

    // B gets the Update with the new attachments and shows them.
    eventually("B applies the Update", || {
        probe::remote_attachment_names(&b) == [["A red square on white", "A green triangle"]]
    });
    let timeline = b.logged_in(PASSWORD).get("/").body;
    assert!(timeline.contains("A green triangle"), "{timeline}");
    assert!(!timeline.contains("A blue circle"));

    // The history on A's page lists the images the earlier version had.
    let page = get(&page, BROWSER).body;
    assert!(page.contains("Edit history"));
    assert!(page.contains("Image: A blue circle"), "{page}");

    // Five images in all are refused, and the post stays as it was.
    let mut parts = vec![Part::Text("csrf", &csrf), Part::Text("source", "too many")];
    let picture = png(10, 10);
    let fields: Vec<(String, String)> = (0..3)
        .map(|i| {
            (
                format!("media[{i}].file"),
                format!("media[{i}].description"),
            )
        })
        .collect();
    for (file, description) in &fields {
        parts.push(Part::File(file, &picture));
        parts.push(Part::Text(description, "extra"));
    }
    let refused = post_multipart(&mut browser, &format!("/posts/{id}/edit"), &parts);
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("at most 4 images"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(">too many</textarea>"),
        "the text is kept"
    );
    let note = get(&a.url(&format!("/users/ana/statuses/{id}")), AS_JSON).json();
    assert_eq!(attachment_names(&note).len(), 2);
}

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
    assert_eq!(
        probe::actors_with_both_pictures(&b),
        1,
        "B fetched A with both pictures"
    );

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
        probe::actors_without_pictures(&b) == 1
    });
}

/// A script (`curl -F`) may send the fields in any order; the images keep the order of their
/// indexes, on posting and on editing.
#[test]
fn compose_and_edit_accept_the_fields_in_any_order() {
    let a = Instance::start();
    a.set_password(PASSWORD);
    let mut browser = a.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    let posted = post_multipart(
        &mut browser,
        "/posts",
        &[
            Part::Text("media[1].description", "Second"),
            Part::File("media[0].file", &png(20, 20)),
            Part::Text("visibility", "public"),
            Part::File("media[1].file", &png(30, 30)),
            Part::Text("source", "shuffled"),
            Part::Text("media[0].description", "First"),
            Part::Text("csrf", &csrf),
        ],
    );
    assert_eq!(posted.status, 303, "{}", posted.body);
    let page = posted.header("location").unwrap().to_string();
    let id = page.rsplit('/').next().unwrap().to_string();
    let note_url = a.url(&format!("/users/ana/statuses/{id}"));
    assert_eq!(
        attachment_names(&get(&note_url, AS_JSON).json()),
        ["First", "Second"]
    );

    let form = browser.get(&format!("/posts/{id}/edit")).body;
    let (first, second) = (
        input_value(&form, "existing[0].id"),
        input_value(&form, "existing[1].id"),
    );
    let edited = post_multipart(
        &mut browser,
        &format!("/posts/{id}/edit"),
        &[
            Part::Text("existing[1].description", "Second, renamed"),
            Part::Text("existing[0].id", &first),
            Part::Text("source", "shuffled, edited"),
            Part::Text("existing[1].id", &second),
            Part::Text("csrf", &csrf),
            Part::Text("existing[0].description", "First"),
            Part::Text("existing[0].remove", "true"),
        ],
    );
    assert_eq!(edited.status, 303, "{}", edited.body);
    assert_eq!(
        attachment_names(&get(&note_url, AS_JSON).json()),
        ["Second, renamed"]
    );
}
