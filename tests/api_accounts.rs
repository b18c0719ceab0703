//! Accounts and the instance documents through the client API, against live `perch serve`s (a
//! second Perch as the remote side): credentials, lookup and search by WebFinger, follows with
//! their options, follow requests, blocks, mutes, notes, domain blocks, an account's statuses;
//! and Mastodon.py and toot driving Perch as they drive Mastodon.

use serde_json::{json, Value};

use crate::client::png;
use crate::harness::{
    all_sent_and_handled, eventually, get, handle, local_tool, run_python, Answer, Api, Instance,
    AS_JSON,
};
use crate::probe;

const PASSWORD: &str = "correct horse battery";
const ALL: &str = "read write follow push";

fn instance() -> Instance {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    instance
}

fn ok(answer: Answer) -> Value {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

/// `?id[]=…`'s relationship to the account `id`.
fn relationship(api: &Api, id: &str) -> Value {
    let list = ok(api.get(&format!("/api/v1/accounts/relationships?id[]={id}")));
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    list[0].clone()
}

/// `b`'s owner as `a` knows it, by `lookup` (found by WebFinger the first time).
fn remote_id(api: &Api, b: &Instance) -> String {
    let acct = handle(b).trim_start_matches('@').to_string();
    let found = ok(api.get(&format!("/api/v1/accounts/lookup?acct={acct}")));
    assert_eq!(found["acct"], acct, "{found}");
    found["id"].as_str().unwrap().to_string()
}

#[test]
fn instance_documents_carry_the_version_limits_and_contact() {
    let a = instance();
    a.post("hello world", &[]);
    for path in ["/api/v1/instance", "/api/v1/instance/"] {
        let v1 = ok(get(&a.url(path), "application/json"));
        let version = v1["version"].as_str().unwrap();
        assert!(
            version.starts_with("4.3.0 (compatible; Perch "),
            "{version}"
        );
        assert_eq!(v1["uri"], format!("127.0.0.1:{}", a.port));
        assert_eq!(v1["stats"]["status_count"], 1);
        assert_eq!(v1["configuration"]["statuses"]["max_characters"], 5000);
        assert_eq!(v1["contact_account"]["username"], "ana");
        assert!(v1["urls"]["streaming_api"]
            .as_str()
            .unwrap()
            .starts_with("ws://"));
    }
    for path in ["/api/v2/instance", "/api/v2/instance/"] {
        let v2 = ok(get(&a.url(path), "application/json"));
        assert_eq!(v2["api_versions"]["mastodon"], 2);
        assert_eq!(v2["domain"], format!("127.0.0.1:{}", a.port));
        let media = &v2["configuration"]["media_attachments"];
        assert_eq!(media["image_size_limit"], 16 * 1024 * 1024);
        assert_eq!(media["description_limit"], 1500);
        assert!(media["supported_mime_types"]
            .as_array()
            .unwrap()
            .contains(&json!("image/webp")));
        assert_eq!(v2["configuration"]["statuses"]["max_media_attachments"], 4);
        assert_eq!(v2["contact"]["account"]["id"], "0");
        assert_eq!(v2["registrations"]["enabled"], false);
        // The Web Push key, base64url of an uncompressed P-256 point (65 bytes).
        let vapid = v2["configuration"]["vapid"]["public_key"].as_str().unwrap();
        assert_eq!(vapid.len(), 87, "{vapid}");
        assert_eq!(v2["rules"], json!([]));
    }
    assert_eq!(
        get(&a.url("/api/v1/instance/nothing"), "application/json").status,
        404
    );
    assert_eq!(
        ok(get(&a.url("/api/v1/custom_emojis"), "application/json")),
        json!([])
    );
    let weeks = ok(get(&a.url("/api/v1/instance/activity"), "application/json"));
    assert_eq!(weeks.as_array().unwrap().len(), 12);
    assert_eq!(weeks[0]["statuses"], "1");
    assert!(ok(get(&a.url("/api/v1/instance/peers"), "application/json")).is_array());

    let api = Api::login(&a, PASSWORD, "read");
    assert_eq!(ok(api.get("/api/v1/announcements")), json!([]));
    assert_eq!(
        ok(get(
            &a.url("/api/v1/instance/translation_languages"),
            "application/json"
        )),
        json!({})
    );
    let preferences = ok(api.get("/api/v1/preferences"));
    assert_eq!(preferences["posting:default:visibility"], "public");
}

#[test]
fn credentials_are_read_and_updated_as_json_form_and_multipart() {
    let a = instance();
    let api = Api::login(&a, PASSWORD, ALL);
    let me = ok(api.get("/api/v1/accounts/verify_credentials"));
    assert_eq!(me["id"], "0");
    assert_eq!(me["acct"], "ana");
    assert_eq!(me["source"]["follow_requests_count"], 0);
    // Asked again, it comes from memory; the update below must not leave that copy served.
    assert_eq!(ok(api.get("/api/v1/accounts/verify_credentials")), me);

    let changed = ok(api.send_json(
        "PATCH",
        "/api/v1/accounts/update_credentials",
        &json!({
            "display_name": "Ana API",
            "note": "I *write* here",
            "locked": true,
            "bot": true,
            "fields_attributes": [
                {"name": "Site", "value": "https://ana.example"},
                {"name": "Pronouns", "value": "she/her"}
            ]
        }),
    ));
    assert_eq!(changed["display_name"], "Ana API");
    assert_eq!(changed["locked"], true);
    assert_eq!(changed["bot"], true);
    assert_eq!(changed["source"]["note"], "I *write* here");
    assert!(changed["note"].as_str().unwrap().contains("<em>write</em>"));
    assert_eq!(changed["fields"][1]["value"], "she/her");
    let me = ok(api.get("/api/v1/accounts/verify_credentials"));
    assert_eq!(me["display_name"], "Ana API");
    assert_eq!(me["source"]["note"], "I *write* here");
    assert!(changed["fields"][0]["value"]
        .as_str()
        .unwrap()
        .contains("rel=\"nofollow noopener noreferrer me\""));
    // The actor document says so too: a bot is a Service.
    let actor = ok(get(&a.url("/users/ana"), AS_JSON));
    assert_eq!(actor["type"], "Service");
    assert_eq!(actor["manuallyApprovesFollowers"], true);

    // A form changes only what it names.
    let form = ok(api.send_raw(
        "PATCH",
        "/api/v1/accounts/update_credentials",
        "application/x-www-form-urlencoded",
        b"locked=false&fields_attributes[0][name]=Only&fields_attributes[0][value]=one",
    ));
    assert_eq!(form["locked"], false);
    assert_eq!(form["display_name"], "Ana API");
    assert_eq!(form["fields"].as_array().unwrap().len(), 1);

    // Multipart, with an avatar through the image pipeline.
    let boundary = "perchaccountsboundary1Zq";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"display_name\"\r\n\r\nAna Pictured\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"bot\"\r\n\r\nfalse\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(&png(600, 600));
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let multipart = ok(api.send_raw(
        "PATCH",
        "/api/v1/accounts/update_credentials",
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
    ));
    assert_eq!(multipart["display_name"], "Ana Pictured");
    assert_eq!(multipart["bot"], false);
    let avatar = multipart["avatar"].as_str().unwrap();
    assert!(avatar.starts_with(&a.url("/media/")), "{avatar}");
    assert_eq!(get(avatar, "*/*").status, 200);

    // Refusals are Mastodon's 422; a token without write:accounts is 403.
    let long = "x".repeat(101);
    let refused = api.send_json(
        "PATCH",
        "/api/v1/accounts/update_credentials",
        &json!({ "display_name": long }),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    let reader = Api::login(&a, PASSWORD, "read");
    let forbidden = reader.send_json(
        "PATCH",
        "/api/v1/accounts/update_credentials",
        &json!({ "display_name": "no" }),
    );
    assert_eq!(forbidden.status, 403);
    assert_eq!(
        ok(api.get("/api/v1/accounts/0"))["display_name"],
        "Ana Pictured"
    );
}

#[test]
fn a_remote_account_is_resolved_followed_noted_muted_and_blocked() {
    let (a, b) = (instance(), instance());
    b.post("a post from b #perchtest", &[]);
    let api = Api::login(&a, PASSWORD, ALL);

    // Search resolves by WebFinger; without resolve an unknown handle finds nothing.
    let acct = handle(&b).trim_start_matches('@').to_string();
    let none = ok(api.get(&format!("/api/v1/accounts/search?q={acct}")));
    assert_eq!(none, json!([]));
    let found = ok(api.get(&format!(
        "/api/v2/search?q=@{acct}&resolve=true&type=accounts"
    )));
    assert_eq!(found["accounts"][0]["acct"], acct, "{found}");
    let id = found["accounts"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(remote_id(&api, &b), id);
    let by_url = ok(api.get(&format!(
        "/api/v2/search?q={}&resolve=true",
        b.url("/users/ana")
    )));
    assert_eq!(by_url["accounts"][0]["id"], id);
    let local = ok(api.get("/api/v1/accounts/search?q=an"));
    assert_eq!(local[0]["id"], "0", "the owner matches first: {local}");
    assert_eq!(local.as_array().unwrap().len(), 2, "{local}");
    let shown = ok(api.get(&format!("/api/v1/accounts/{id}")));
    assert_eq!(shown["acct"], acct);
    assert_eq!(shown["uri"], b.url("/users/ana"));

    // Follow with options: requested until B accepts, then following.
    let followed = ok(api.post_json(
        &format!("/api/v1/accounts/{id}/follow"),
        &json!({"reblogs": false, "notify": true}),
    ));
    assert_eq!(followed["id"], id);
    assert!(followed["following"] == true || followed["requested"] == true);
    eventually("B accepts", || relationship(&api, &id)["following"] == true);
    let now = relationship(&api, &id);
    assert_eq!(now["showing_reblogs"], false);
    assert_eq!(now["notifying"], true);
    assert_eq!(now["followed_by"], false);
    // The bell: B's next post is a `status` notification.
    b.post("rung the bell", &[]);
    eventually("A is told of B's post", || {
        let told = ok(api.get("/api/v1/notifications?types[]=status"));
        told.as_array().is_some_and(|n| {
            n.iter().any(|n| {
                n["type"] == "status"
                    && n["status"]["content"]
                        .as_str()
                        .unwrap_or("")
                        .contains("rung the bell")
            })
        })
    });
    let following = ok(api.get("/api/v1/accounts/0/following"));
    assert_eq!(following[0]["id"], id);
    // Following again changes only the options.
    let again = ok(api.post_form(
        &format!("/api/v1/accounts/{id}/follow"),
        &[("reblogs", "true")],
    ));
    assert_eq!(again["showing_reblogs"], true);
    assert_eq!(again["notifying"], true);

    // The account's statuses: the backfill brings what B posted before the follow.
    eventually("B's post is held", || {
        let page = ok(api.get(&format!("/api/v1/accounts/{id}/statuses")));
        page.as_array().is_some_and(|p| !p.is_empty())
    });
    let tagged = ok(api.get(&format!("/api/v1/accounts/{id}/statuses?tagged=perchtest")));
    assert_eq!(tagged.as_array().unwrap().len(), 1, "{tagged}");
    let untagged = ok(api.get(&format!("/api/v1/accounts/{id}/statuses?tagged=other")));
    assert_eq!(untagged, json!([]));

    // A note, a mute with a duration, then a block.
    let noted = ok(api.post_json(
        &format!("/api/v1/accounts/{id}/note"),
        &json!({"comment": "met at the fair"}),
    ));
    assert_eq!(noted["note"], "met at the fair");
    let muted = ok(api.post_form(
        &format!("/api/v1/accounts/{id}/mute"),
        &[("duration", "3600")],
    ));
    assert_eq!(muted["muting"], true);
    let mutes = ok(api.get("/api/v1/mutes"));
    assert_eq!(mutes[0]["id"], id);
    assert!(mutes[0]["mute_expires_at"].is_string());
    assert_eq!(
        ok(api.post_json(&format!("/api/v1/accounts/{id}/unmute"), &json!({})))["muting"],
        false
    );
    let blocked = ok(api.post_json(&format!("/api/v1/accounts/{id}/block"), &json!({})));
    assert_eq!(blocked["blocking"], true);
    assert_eq!(blocked["following"], false);
    assert_eq!(ok(api.get("/api/v1/blocks"))[0]["id"], id);
    eventually("B hears of the block", || probe::followers(&b) == 0);
    let refused = api.post_json(&format!("/api/v1/accounts/{id}/follow"), &json!({}));
    assert_eq!(refused.status, 403, "{}", refused.body);
    let unblocked = ok(api.post_json(&format!("/api/v1/accounts/{id}/unblock"), &json!({})));
    assert_eq!(unblocked["blocking"], false);
    assert_eq!(ok(api.get("/api/v1/blocks")), json!([]));

    // Domain blocks, as JSON and as a form.
    ok(api.post_json("/api/v1/domain_blocks", &json!({"domain": "spam.example"})));
    ok(api.post_form(
        "/api/v1/domain_blocks",
        &[("domain", "https://other.example/x")],
    ));
    assert_eq!(
        ok(api.get("/api/v1/domain_blocks")),
        json!(["other.example", "spam.example"])
    );
    let lifted = api.send_raw(
        "DELETE",
        "/api/v1/domain_blocks",
        "application/json",
        br#"{"domain":"spam.example"}"#,
    );
    assert_eq!(lifted.status, 200, "{}", lifted.body);
    assert_eq!(
        ok(api.get("/api/v1/domain_blocks")),
        json!(["other.example"])
    );

    // Scopes: a read token cannot follow; the owner is not an account to act on; ids that
    // name nothing are 404.
    let reader = Api::login(&a, PASSWORD, "read");
    assert_eq!(
        reader
            .post_json(&format!("/api/v1/accounts/{id}/follow"), &json!({}))
            .status,
        403
    );
    assert_eq!(
        api.post_json("/api/v1/accounts/0/follow", &json!({}))
            .status,
        422
    );
    assert_eq!(api.get("/api/v1/accounts/999999").status, 404);
    assert_eq!(api.get("/api/v1/accounts/nope").status, 404);
    assert_eq!(ok(api.get("/api/v1/suggestions")), json!([]));
    assert_eq!(
        ok(api.get(&format!("/api/v1/accounts/familiar_followers?id[]={id}"))),
        json!([{"id": id, "accounts": []}])
    );
    assert_eq!(
        ok(api.get(&format!(
            "/api/v1/accounts/lookup?acct=ana@127.0.0.1:{}",
            a.port
        )))["id"],
        "0"
    );
    assert_eq!(api.get("/api/v1/accounts/lookup?acct=nobody").status, 404);
    assert_eq!(
        ok(api.get(&format!("/api/v1/accounts/{id}/featured_tags"))),
        json!([])
    );
    let peers = ok(get(&a.url("/api/v1/instance/peers"), "application/json"));
    assert!(peers
        .as_array()
        .unwrap()
        .contains(&json!(format!("127.0.0.1:{}", b.port))));
}

#[test]
fn follow_requests_are_authorized_and_rejected() {
    let (a, b) = (instance(), instance());
    let api_a = Api::login(&a, PASSWORD, ALL);
    let api_b = Api::login(&b, PASSWORD, ALL);
    ok(api_b.send_json(
        "PATCH",
        "/api/v1/accounts/update_credentials",
        &json!({"locked": true}),
    ));
    let b_id = remote_id(&api_a, &b);
    let asked = ok(api_a.post_json(&format!("/api/v1/accounts/{b_id}/follow"), &json!({})));
    assert_eq!(asked["requested"], true);
    eventually("B holds the request", || probe::follow_requests(&b) == 1);
    let requests = ok(api_b.get("/api/v1/follow_requests"));
    let a_id = requests[0]["id"].as_str().unwrap().to_string();
    assert_eq!(requests[0]["acct"], handle(&a).trim_start_matches('@'));
    assert_eq!(relationship(&api_b, &a_id)["requested_by"], true);
    assert_eq!(
        ok(api_b.get("/api/v1/accounts/verify_credentials"))["source"]["follow_requests_count"],
        1
    );
    let authorized = ok(api_b.post_json(
        &format!("/api/v1/follow_requests/{a_id}/authorize"),
        &json!({}),
    ));
    assert_eq!(authorized["followed_by"], true);
    eventually("A hears of the Accept", || {
        relationship(&api_a, &b_id)["following"] == true
    });
    assert_eq!(ok(api_b.get("/api/v1/accounts/0/followers"))[0]["id"], a_id);
    // A second request, refused.
    ok(api_a.post_json(&format!("/api/v1/accounts/{b_id}/unfollow"), &json!({})));
    eventually("B drops the follower", || probe::followers(&b) == 0);
    ok(api_a.post_json(&format!("/api/v1/accounts/{b_id}/follow"), &json!({})));
    eventually("B holds the new request", || {
        probe::follow_requests(&b) == 1
    });
    let rejected = ok(api_b.post_json(
        &format!("/api/v1/follow_requests/{a_id}/reject"),
        &json!({}),
    ));
    assert_eq!(rejected["requested_by"], false);
    assert_eq!(ok(api_b.get("/api/v1/follow_requests")), json!([]));
    all_sent_and_handled(&b, &a);
    let after = relationship(&api_a, &b_id);
    assert_eq!(after["following"], false);
    assert_eq!(after["requested"], false);
    assert_eq!(
        api_b
            .post_json(
                &format!("/api/v1/follow_requests/{a_id}/authorize"),
                &json!({})
            )
            .status,
        404
    );
}

#[test]
fn the_owners_statuses_are_filtered_pinned_and_paged() {
    let a = instance();
    let api = Api::login(&a, PASSWORD, ALL);
    let mut ids = Vec::new();
    for i in 0..25 {
        let text = if i % 5 == 0 {
            format!("number {i} #fives")
        } else {
            format!("number {i}")
        };
        let made = ok(api.post_json("/api/v1/statuses", &json!({"status": text})));
        ids.push(made["id"].as_str().unwrap().to_string());
    }
    let reply = ok(api.post_json(
        "/api/v1/statuses",
        &json!({"status": "and a thread", "in_reply_to_id": ids[3]}),
    ));
    ok(api.post_json(
        "/api/v1/statuses",
        &json!({"status": "a direct one @nobody@example.com", "visibility": "direct"}),
    ));
    ok(api.post_json(&format!("/api/v1/statuses/{}/pin", ids[1]), &json!({})));
    let private = ok(api.post_json(
        "/api/v1/statuses",
        &json!({"status": "for followers", "visibility": "private"}),
    ));

    // Paged by the Link header: every status once, newest first, the direct one left out.
    let mut seen: Vec<String> = Vec::new();
    let mut path = Some("/api/v1/accounts/0/statuses?limit=10".to_string());
    while let Some(next) = path.take() {
        let page = api.get(&next);
        assert_eq!(page.status, 200, "{}", page.body);
        let body = page.json();
        let items = body.as_array().unwrap();
        if items.is_empty() {
            break;
        }
        seen.extend(items.iter().map(|s| s["id"].as_str().unwrap().to_string()));
        path = page.header("link").and_then(|l| {
            l.split(", ")
                .find(|p| p.ends_with("rel=\"next\""))
                .map(|p| {
                    p.split(';')
                        .next()
                        .unwrap()
                        .trim_matches(['<', '>'])
                        .trim_start_matches(&a.url(""))
                        .to_string()
                })
        });
    }
    assert_eq!(seen.len(), 27, "{seen:?}");
    assert_eq!(seen[0], private["id"]);
    assert_eq!(seen[1], reply["id"]);
    let tagged = ok(api.get("/api/v1/accounts/0/statuses?tagged=fives&limit=40"));
    assert_eq!(tagged.as_array().unwrap().len(), 5);
    let no_replies = ok(api.get("/api/v1/accounts/0/statuses?exclude_replies=true&limit=40"));
    // Self-replies are threads: Mastodon keeps them.
    assert_eq!(no_replies.as_array().unwrap().len(), 27);
    let media = ok(api.get("/api/v1/accounts/0/statuses?only_media=true"));
    assert_eq!(media, json!([]));
    let pinned = ok(api.get("/api/v1/accounts/0/statuses?pinned=true"));
    assert_eq!(pinned.as_array().unwrap().len(), 1);
    assert_eq!(pinned[0]["id"], ids[1]);
    assert_eq!(pinned[0]["pinned"], true);
    // Without a token (or with an app's own token), as Mastodon: public and unlisted only.
    let visitor = ok(get(
        &a.url("/api/v1/accounts/0/statuses?limit=40"),
        "application/json",
    ));
    let visible: Vec<&str> = visitor
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(visible.len(), 26);
    assert!(!visible.contains(&private["id"].as_str().unwrap()));
    // A visitor's lookup never makes us fetch from elsewhere.
    let unknown = get(
        &a.url("/api/v1/accounts/lookup?acct=someone@127.0.0.1:1"),
        "application/json",
    );
    assert_eq!(unknown.status, 404);
}

fn python() -> Option<String> {
    local_tool(
        "PERCH_PYTHON",
        "venv/bin/python",
        "Mastodon.py and toot tests",
    )
}

#[test]
fn mastodon_py_logs_in_and_works_the_accounts_api() {
    let Some(python) = python() else { return };
    let (a, b) = (instance(), instance());
    b.post("hello from the other perch", &[]);
    run_python(
        &python,
        "mastodon_accounts.py",
        &[&a.url(""), PASSWORD, &handle(&b), &b.url(""), PASSWORD],
    );
    assert_eq!(probe::followers(&b), 1);
}

#[test]
fn toot_logs_in_posts_and_reads() {
    let Some(python) = python() else { return };
    let (a, b) = (instance(), instance());
    crate::harness::follow_and_wait(&b, &a);
    run_python(
        &python,
        "toot_client.py",
        &[&a.url(""), PASSWORD, &handle(&b)],
    );
    eventually("the post reaches B", || {
        probe::remote_posts_containing(&b, "posted with toot") == 1
    });
}
