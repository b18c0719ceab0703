//! The client API's statuses and media against live `perch serve`s, the second one following
//! the first: posts with images and a content warning, edits, deletes, replies in the context,
//! the owner's actions, Idempotency-Key, scheduled statuses, upload limits and scopes.

use serde_json::{json, Value};

use crate::client::png;
use crate::harness::{eventually, follow_and_wait, post_raw, Answer, Api, Instance};
use crate::probe;

const PASSWORD: &str = "correct horse battery";

fn instance() -> Instance {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    instance
}

/// `POST path` as multipart, with the token: `file` and text fields.
fn upload(api: &Api, path: &str, file: &[u8], fields: &[(&str, &str)]) -> Answer {
    let boundary = "perchapistatusesboundary7Qx";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    post_raw(
        &format!("{}{path}", api.origin),
        &[
            ("Authorization", &format!("Bearer {}", api.token)),
            ("Content-Type", &content_type),
        ],
        &body,
    )
}

fn post_with_key(api: &Api, key: &str, body: &Value) -> Answer {
    post_raw(
        &format!("{}/api/v1/statuses", api.origin),
        &[
            ("Authorization", &format!("Bearer {}", api.token)),
            ("Content-Type", "application/json"),
            ("Idempotency-Key", key),
        ],
        body.to_string().as_bytes(),
    )
}

/// Mastodon's shape: ids as strings of digits, times as `2026-12-02T18:25:44.196Z`.
fn assert_mastodon_shape(status: &Value) {
    let id = status["id"].as_str().expect("the id is a string");
    assert!(id.parse::<i64>().is_ok(), "{id}");
    let created = status["created_at"].as_str().expect("created_at");
    let bytes = created.as_bytes();
    assert_eq!(bytes.len(), 24, "{created}");
    assert!(
        created.ends_with('Z') && bytes[10] == b'T' && bytes[19] == b'.',
        "{created}"
    );
    assert!(status["account"]["id"].is_string());
    assert!(matches!(
        status["visibility"].as_str(),
        Some("public" | "unlisted" | "private" | "direct")
    ));
}

#[test]
fn an_api_post_with_an_image_and_a_cw_reaches_a_follower_and_its_edit_and_delete_follow() {
    let a = instance();
    let b = instance();
    follow_and_wait(&b, &a);
    let api = Api::login(&a, PASSWORD, "read write");

    let media = upload(
        &api,
        "/api/v2/media",
        &png(64, 48),
        &[("description", "A striped square"), ("focus", "0.5,-0.25")],
    );
    assert_eq!(media.status, 200, "{}", media.body);
    let media = media.json();
    assert_eq!(media["type"], "image");
    assert_eq!(media["description"], "A striped square");
    assert_eq!(media["meta"]["focus"], json!({"x": 0.5, "y": -0.25}));
    assert!(media["blurhash"].is_string());
    let media_id = media["id"].as_str().unwrap().to_string();
    let changed = api.send_json(
        "PUT",
        &format!("/api/v1/media/{media_id}"),
        &json!({"description": "A striped square, described"}),
    );
    assert_eq!(changed.json()["description"], "A striped square, described");

    let posted = api.post_json(
        "/api/v1/statuses",
        &json!({
            "status": "hello from an app",
            "spoiler_text": "a warning",
            "visibility": "public",
            "language": "en",
            "media_ids": [media_id],
        }),
    );
    assert_eq!(posted.status, 200, "{}", posted.body);
    let status = posted.json();
    assert_mastodon_shape(&status);
    assert_eq!(status["spoiler_text"], "a warning");
    assert_eq!(status["sensitive"], true);
    assert_eq!(status["language"], "en");
    assert_eq!(status["account"]["id"], "0");
    assert_eq!(status["media_attachments"][0]["id"], media_id.as_str());
    let id = status["id"].as_str().unwrap().to_string();
    eventually("B holds the post", || probe::remote_posts(&b) == 1);
    assert_eq!(
        probe::remote_attachment_names(&b),
        vec![vec!["A striped square, described".to_string()]]
    );
    // The image is the post's now: another status cannot take it.
    let again = api.post_json(
        "/api/v1/statuses",
        &json!({"status": "again", "media_ids": [media_id]}),
    );
    assert_eq!(again.status, 422, "{}", again.body);

    let edited = api.send_json(
        "PUT",
        &format!("/api/v1/statuses/{id}"),
        &json!({
            "status": "hello, edited from an app",
            "spoiler_text": "a warning",
            "media_ids": [media_id],
            "media_attributes": [{"id": media_id, "description": "New alt text"}],
        }),
    );
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert!(edited.json()["edited_at"].is_string());
    assert_eq!(
        edited.json()["media_attachments"][0]["description"],
        "New alt text"
    );
    eventually("B has the edit", || {
        probe::remote_posts_containing(&b, "edited from an app") == 1
    });
    let history = api.get(&format!("/api/v1/statuses/{id}/history")).json();
    assert_eq!(history.as_array().map(Vec::len), Some(2));
    let source = api.get(&format!("/api/v1/statuses/{id}/source")).json();
    assert_eq!(source["text"], "hello, edited from an app");

    let deleted = api.delete(&format!("/api/v1/statuses/{id}"));
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.json()["text"], "hello, edited from an app");
    assert_eq!(api.get(&format!("/api/v1/statuses/{id}")).status, 404);
    eventually("B dropped the post", || probe::remote_posts(&b) == 0);
}

#[test]
fn a_reply_from_the_follower_shows_in_the_context_and_the_owners_actions_flip_the_flags() {
    let a = instance();
    let b = instance();
    follow_and_wait(&b, &a);
    let api = Api::login(&a, PASSWORD, "read write");
    let status = api
        .post_json("/api/v1/statuses", &json!({"status": "reply to me"}))
        .json();
    let (id, uri) = (
        status["id"].as_str().unwrap().to_string(),
        status["uri"].as_str().unwrap().to_string(),
    );
    eventually("B holds the post", || probe::remote_posts(&b) == 1);
    b.post("a reply from B", &["--reply-to", &uri]);
    let context = format!("/api/v1/statuses/{id}/context");
    eventually("the reply is in the context", || {
        api.get(&context).json()["descendants"]
            .as_array()
            .is_some_and(|d| d.len() == 1)
    });
    let reply = api.get(&context).json()["descendants"][0].clone();
    assert_mastodon_shape(&reply);
    assert_eq!(reply["in_reply_to_id"], id.as_str());
    assert_eq!(reply["in_reply_to_account_id"], "0");
    assert!(reply["account"]["acct"].as_str().unwrap().contains('@'));
    let reply_id = reply["id"].as_str().unwrap().to_string();
    let up = api
        .get(&format!("/api/v1/statuses/{reply_id}/context"))
        .json();
    assert_eq!(up["ancestors"][0]["id"], id.as_str());
    assert_eq!(
        api.get(&format!("/api/v1/statuses/{id}")).json()["replies_count"],
        1
    );

    let act = |action: &str, on: &str| {
        let answer = api.post_json(&format!("/api/v1/statuses/{on}/{action}"), &json!({}));
        assert_eq!(answer.status, 200, "{action}: {}", answer.body);
        answer.json()
    };
    let liked = act("favourite", &reply_id);
    assert_eq!(
        (
            liked["favourited"].clone(),
            liked["favourites_count"].clone()
        ),
        (json!(true), json!(1))
    );
    eventually("B got the like", || probe::likes(&b) == 1);
    assert_eq!(act("unfavourite", &reply_id)["favourited"], false);
    let boost = act("reblog", &reply_id);
    assert_ne!(boost["id"], reply_id.as_str());
    assert_eq!(boost["reblog"]["id"], reply_id.as_str());
    assert_eq!(boost["reblog"]["reblogged"], true);
    assert_eq!(
        api.get(&format!(
            "/api/v1/statuses/{}",
            boost["id"].as_str().unwrap()
        ))
        .json()["reblog"]["id"],
        reply_id.as_str()
    );
    assert_eq!(act("unreblog", &reply_id)["reblogged"], false);
    assert_eq!(act("bookmark", &reply_id)["bookmarked"], true);
    assert_eq!(act("unbookmark", &reply_id)["bookmarked"], false);
    assert_eq!(act("pin", &id)["pinned"], true);
    assert_eq!(act("unpin", &id)["pinned"], false);
    let foreign_pin = api.post_json(&format!("/api/v1/statuses/{reply_id}/pin"), &json!({}));
    assert_eq!(foreign_pin.status, 422);
    assert_eq!(act("mute", &reply_id)["muted"], true);
    assert_eq!(
        api.get(&format!("/api/v1/statuses/{id}")).json()["muted"],
        true
    );
    assert_eq!(act("unmute", &id)["muted"], false);

    let batch = api.get(&format!(
        "/api/v1/statuses?id[]={id}&id[]={reply_id}&id[]=1"
    ));
    assert_eq!(batch.status, 200, "{}", batch.body);
    let ids: Vec<Value> = batch
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(id), json!(reply_id)]);
}

#[test]
fn idempotency_keys_scheduled_statuses_upload_limits_and_scopes() {
    let a = instance();
    let api = Api::login(&a, PASSWORD, "read write");
    let body = json!({"status": "only once", "visibility": "unlisted"});
    let first = post_with_key(&api, "retry-1", &body);
    let second = post_with_key(&api, "retry-1", &body);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.json()["id"], second.json()["id"]);
    assert_eq!(first.json()["visibility"], "unlisted");
    assert_eq!(probe::posts(&a), 1);

    let poll = api.post_json(
        "/api/v1/statuses",
        &json!({"status": "a poll", "poll": {"options": ["a"], "expires_in": 600}}),
    );
    assert_eq!(poll.status, 422, "a poll of one option is refused");
    assert!(poll.json()["error"].as_str().unwrap().contains("options"));
    let bad = api.post_form(
        "/api/v1/statuses",
        &[("status", "x"), ("visibility", "friends")],
    );
    assert_eq!(bad.status, 422);

    // Scheduled: listed, rescheduled, cancelled; too soon is refused.
    let soon = time::OffsetDateTime::now_utc() + time::Duration::minutes(1);
    let later = time::OffsetDateTime::now_utc() + time::Duration::hours(2);
    let rfc = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let refused = api.post_form(
        "/api/v1/statuses",
        &[("status", "soon"), ("scheduled_at", &rfc(soon))],
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    let scheduled = api.post_form(
        "/api/v1/statuses",
        &[
            ("status", "later"),
            ("visibility", "private"),
            ("scheduled_at", &rfc(later)),
        ],
    );
    assert_eq!(scheduled.status, 200, "{}", scheduled.body);
    let scheduled = scheduled.json();
    assert_eq!(scheduled["params"]["text"], "later");
    assert_eq!(scheduled["params"]["visibility"], "private");
    let sid = scheduled["id"].as_str().unwrap().to_string();
    assert_eq!(
        api.get("/api/v1/scheduled_statuses")
            .json()
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let moved = api.send_json(
        "PUT",
        &format!("/api/v1/scheduled_statuses/{sid}"),
        &json!({"scheduled_at": rfc(later + time::Duration::hours(1))}),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_ne!(moved.json()["scheduled_at"], scheduled["scheduled_at"]);
    assert_eq!(
        api.delete(&format!("/api/v1/scheduled_statuses/{sid}"))
            .status,
        200
    );
    assert_eq!(
        api.get(&format!("/api/v1/scheduled_statuses/{sid}")).status,
        404
    );
    assert_eq!(
        probe::posts(&a),
        1,
        "a scheduled post is not published early"
    );

    // An upload over the limit, and a file that is no image.
    let mut huge = png(16, 16);
    huge.resize(16 * 1024 * 1024 + 4096, 0);
    let too_large = upload(&api, "/api/v1/media", &huge, &[]);
    assert!(
        matches!(too_large.status, 413 | 422),
        "{}",
        too_large.status
    );
    let not_image = upload(&api, "/api/v1/media", b"plain text, not a picture", &[]);
    assert_eq!(not_image.status, 422, "{}", not_image.body);
    assert_eq!(probe::media(&a), 0);

    // A token without `write` reads but cannot post.
    let reader = Api::login(&a, PASSWORD, "read");
    let refused = reader.post_json("/api/v1/statuses", &json!({"status": "no"}));
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.json()["error"],
        "This action is outside the authorized scopes"
    );
    let id = first.json()["id"].as_str().unwrap().to_string();
    assert_eq!(reader.get(&format!("/api/v1/statuses/{id}")).status, 200);
    assert_eq!(probe::posts(&a), 1);
}
