//! Timelines, lists, notifications, markers, bookmarks and favourites through the client API,
//! against live `perch serve` processes (a second Perch as the remote side).

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::harness::{eventually, follow_and_wait, handle, Answer, Api, Instance};
use crate::probe;

const PASSWORD: &str = "correct horse battery";

fn instance() -> Instance {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    instance
}

/// The URL of a `rel` in a Link header, without the origin.
fn link(answer: &Answer, rel: &str, origin: &str) -> Option<String> {
    let header = answer.header("link")?;
    header.split(", ").find_map(|part| {
        let (url, kind) = part.split_once("; ")?;
        (kind == format!("rel=\"{rel}\"")).then(|| {
            url.trim_matches(['<', '>'])
                .trim_start_matches(origin)
                .to_string()
        })
    })
}

fn ids(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["id"].as_str().expect("string id").to_string())
        .collect()
}

fn numeric(ids: &[String]) -> Vec<i64> {
    ids.iter().map(|id| id.parse().unwrap()).collect()
}

#[test]
fn home_pages_over_155_statuses_with_every_paging_parameter_each_seen_once() {
    let a = instance();
    for i in 0..155 {
        let visibility = ["public", "unlisted", "followers"][i % 3];
        a.post(&format!("post number {i}"), &["--visibility", visibility]);
    }
    let api = Api::login(&a, PASSWORD, "read");
    let origin = a.url("");

    // Backwards with the Link header's next, as a client does.
    let mut seen: Vec<String> = Vec::new();
    let mut path = Some("/api/v1/timelines/home?limit=40".to_string());
    let mut pages = 0;
    while let Some(p) = path {
        let answer = api.get(&p);
        let page = ids(&answer);
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 40);
        seen.extend(page);
        path = link(&answer, "next", &origin);
        pages += 1;
        assert!(pages < 10, "the walk ends");
    }
    assert_eq!(seen.len(), 155, "every status once");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 155, "no repeats");
    let all = numeric(&seen);
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert!(
        api.get("/api/v1/timelines/home?limit=500")
            .json()
            .as_array()
            .unwrap()
            .len()
            <= 40
    );

    // Forwards from the oldest with min_id, following prev: the pages right after it.
    let oldest = all[154];
    let mut forward: Vec<i64> = vec![oldest];
    let mut path = Some(format!("/api/v1/timelines/home?limit=30&min_id={oldest}"));
    while let Some(p) = path {
        let answer = api.get(&p);
        let page = numeric(&ids(&answer));
        if page.is_empty() {
            break;
        }
        assert!(
            page.windows(2).all(|w| w[0] > w[1]),
            "each page newest first"
        );
        assert_eq!(
            page.last().copied(),
            all.iter()
                .rev()
                .find(|&&id| id > *forward.last().unwrap())
                .copied()
        );
        forward.extend(page.iter().rev());
        path = link(&answer, "prev", &origin);
    }
    forward.reverse();
    assert_eq!(forward, all, "forward paging misses nothing");

    // since_id: the newest ones above it; max_id with since_id: the slice between.
    let page = numeric(&ids(&api.get(&format!(
        "/api/v1/timelines/home?since_id={}&limit=5",
        all[100]
    ))));
    assert_eq!(page, all[..5].to_vec());
    let page = numeric(&ids(&api.get(&format!(
        "/api/v1/timelines/home?max_id={}&since_id={}&limit=40",
        all[10], all[20]
    ))));
    assert_eq!(page, all[11..20].to_vec());

    // The public timeline holds the public ones only; local=true is ours.
    let public = numeric(&ids(
        &api.get("/api/v1/timelines/public?local=true&limit=40")
    ));
    assert_eq!(public.len(), 40);
    let statuses = api
        .get("/api/v1/timelines/public?local=true&limit=40")
        .json();
    assert!(statuses
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["visibility"] == "public"));
    // Without a token too, as Mastodon allows.
    let anonymous = crate::harness::get(&a.url("/api/v1/timelines/public?limit=3"), "*/*");
    assert_eq!(anonymous.status, 200);
    let home = crate::harness::get(&a.url("/api/v1/timelines/home"), "*/*");
    assert_eq!(home.status, 401);
}

#[test]
fn notifications_lists_markers_and_favourites_with_a_second_perch() {
    let a = instance();
    let b = instance();
    follow_and_wait(&b, &a);
    follow_and_wait(&a, &b);
    let a_post = a.post("A speaks #perchtest", &[]);
    let a_uri = a.url(&format!(
        "/users/ana/statuses/{}",
        a_post.rsplit('/').next().unwrap()
    ));
    eventually("B keeps A's post", || probe::remote_posts(&b) == 1);
    let mut browser = b.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    let liked = browser.post_form(
        "/actions/like",
        &[("csrf", &csrf), ("uri", &a_uri), ("back", "/")],
    );
    assert_eq!(liked.status, 303, "{}", liked.body);
    b.post("B answers A", &["--reply-to", &a_uri]);
    eventually("A is told of the follow, the like and the reply", || {
        probe::notifications(&a, "follow") == 1
            && probe::notifications(&a, "like") == 1
            && probe::notifications(&a, "reply") == 1
    });

    let api = Api::login(&a, PASSWORD, "read write");
    // The home timeline shows the reply threaded under A's post and A's post with B's like.
    let home = api.get("/api/v1/timelines/home").json();
    let statuses = home.as_array().unwrap();
    let reply = statuses
        .iter()
        .find(|s| s["content"].as_str().unwrap().contains("B answers A"))
        .expect("B's reply on A's home");
    let own = statuses
        .iter()
        .find(|s| s["content"].as_str().unwrap().contains("A speaks"))
        .expect("A's post on A's home");
    assert_eq!(reply["in_reply_to_id"], own["id"], "{reply}");
    assert_eq!(reply["in_reply_to_account_id"], own["account"]["id"]);
    assert_eq!(own["favourites_count"], 1, "{own}");
    assert_eq!(own["replies_count"], 1, "{own}");
    let all = api.get("/api/v1/notifications");
    assert_eq!(all.status, 200, "{}", all.body);
    let mention = &all.json()[0]["status"];
    assert_eq!(mention["in_reply_to_id"], own["id"], "{mention}");
    let types: Vec<String> = all
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types, ["mention", "favourite", "follow"], "newest first");
    let list = all.json();
    let mention = &list[0];
    assert_eq!(
        mention["status"]["content"]
            .as_str()
            .map(|c| c.contains("B answers A")),
        Some(true)
    );
    assert!(mention["account"]["acct"]
        .as_str()
        .unwrap()
        .starts_with("ana@127.0.0.1:"));
    assert_eq!(list[1]["status"]["uri"], a_uri.as_str());
    let b_account = mention["account"]["id"].as_str().unwrap().to_string();

    let only = api.get("/api/v1/notifications?types[]=favourite&types[]=follow");
    let kinds: Vec<Value> = only
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].clone())
        .collect();
    assert_eq!(kinds, [json!("favourite"), json!("follow")]);
    let except = api.get("/api/v1/notifications?exclude_types[]=mention&exclude_types[]=follow");
    assert_eq!(except.json().as_array().unwrap().len(), 1);
    assert_eq!(except.json()[0]["type"], "favourite");
    let by = api.get(&format!(
        "/api/v1/notifications?account_id={b_account}&limit=2"
    ));
    assert_eq!(by.json().as_array().unwrap().len(), 2);
    assert!(by
        .header("link")
        .is_some_and(|l| l.contains("rel=\"next\"")));
    let none = api.get("/api/v1/notifications?account_id=999999");
    assert_eq!(none.json(), json!([]));

    // Markers and the web page's read state are one thing.
    assert_eq!(
        api.get("/api/v1/notifications/unread_count").json()["count"],
        3
    );
    assert_eq!(
        api.get("/api/v1/markers?timeline[]=notifications").json(),
        json!({})
    );
    let follow_id = list[2]["id"].as_str().unwrap().to_string();
    let set = api.post_json(
        "/api/v1/markers",
        &json!({"notifications": {"last_read_id": follow_id}, "home": {"last_read_id": "12345"}}),
    );
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(
        set.json()["notifications"]["last_read_id"],
        follow_id.as_str()
    );
    assert_eq!(set.json()["home"]["last_read_id"], "12345");
    assert_eq!(
        api.get("/api/v1/notifications/unread_count").json()["count"],
        2
    );
    let web = a.logged_in(PASSWORD).get("/notifications");
    assert_eq!(web.status, 200);
    let markers = api.get("/api/v1/markers?timeline[]=home&timeline[]=notifications");
    assert_eq!(
        markers.json()["notifications"]["last_read_id"],
        list[0]["id"]
    );
    assert_eq!(markers.json()["home"]["version"], 1);
    assert_eq!(
        api.get("/api/v1/notifications/unread_count").json()["count"],
        0
    );

    // One, dismiss, clear.
    let one = api.get(&format!("/api/v1/notifications/{follow_id}"));
    assert_eq!(one.json()["type"], "follow");
    assert_eq!(
        api.post_json(
            &format!("/api/v1/notifications/{follow_id}/dismiss"),
            &json!({})
        )
        .status,
        200
    );
    assert_eq!(
        api.get(&format!("/api/v1/notifications/{follow_id}"))
            .status,
        404
    );

    // Lists: B's posts on a list A made, with its timeline.
    b.post("B on a list", &[]);
    eventually("A keeps B's posts", || probe::remote_posts(&a) >= 2);
    let made = api.post_json(
        "/api/v1/lists",
        &json!({"title": "Friends", "exclusive": "true"}),
    );
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!(made.json()["replies_policy"], "list");
    assert_eq!(made.json()["exclusive"], true);
    let list_id = made.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        api.post_json("/api/v1/lists", &json!({"title": " "}))
            .status,
        422
    );
    let added = api.post_form(
        &format!("/api/v1/lists/{list_id}/accounts"),
        &[("account_ids[]", &b_account)],
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let members = api.get(&format!("/api/v1/lists/{list_id}/accounts"));
    assert_eq!(members.json()[0]["id"], b_account.as_str());
    let timeline = api.get(&format!("/api/v1/timelines/list/{list_id}"));
    let texts: Vec<String> = timeline
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[0].contains("B on a list"));
    // An exclusive list keeps its members off home.
    let home = api.get("/api/v1/timelines/home").body;
    assert!(!home.contains("B on a list"));
    let renamed = api.send_json(
        "PUT",
        &format!("/api/v1/lists/{list_id}"),
        &json!({"title": "Pals", "exclusive": false}),
    );
    assert_eq!(renamed.json()["title"], "Pals");
    assert!(api
        .get("/api/v1/timelines/home")
        .body
        .contains("B on a list"));
    assert_eq!(
        api.get(&format!("/api/v1/accounts/{b_account}/lists"))
            .json()[0]["title"],
        "Pals"
    );
    let removed = api.delete(&format!(
        "/api/v1/lists/{list_id}/accounts?account_ids[]={b_account}"
    ));
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(
        api.get(&format!("/api/v1/timelines/list/{list_id}")).json(),
        json!([])
    );
    assert_eq!(api.delete(&format!("/api/v1/lists/{list_id}")).status, 200);
    assert_eq!(api.get(&format!("/api/v1/lists/{list_id}")).status, 404);
    assert_eq!(api.get("/api/v1/timelines/list/1").status, 404);

    // Favourites and bookmarks, paged by when they were made.
    let mut browser = a.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    let b_uris = probe::remote_post_uris(&a);
    for uri in &b_uris {
        for action in ["/actions/like", "/actions/bookmark"] {
            let answer = browser.post_form(action, &[("csrf", &csrf), ("uri", uri), ("back", "/")]);
            assert!(
                answer.status == 303 || answer.status == 200,
                "{action}: {}",
                answer.body
            );
        }
    }
    for kind in ["favourites", "bookmarks"] {
        let first = api.get(&format!("/api/v1/{kind}?limit=1"));
        assert_eq!(
            first.json().as_array().unwrap().len(),
            1,
            "{kind}: {}",
            first.body
        );
        let next = link(&first, "next", &a.url("")).expect("a next page");
        let second = api.get(&next);
        assert_eq!(second.json().as_array().unwrap().len(), 1, "{kind}");
        assert_ne!(first.json()[0]["id"], second.json()[0]["id"]);
        let third = api.get(&link(&second, "next", &a.url("")).unwrap());
        assert_eq!(third.json(), json!([]), "{kind}");
        assert_eq!(first.json()[0]["favourited"], true);
        assert_eq!(first.json()[0]["bookmarked"], true);
    }

    // Tags: the tag timeline, following a tag, trends.
    let tagged = api.get("/api/v1/timelines/tag/perchtest");
    assert_eq!(
        tagged.json().as_array().unwrap().len(),
        1,
        "{}",
        tagged.body
    );
    assert_eq!(
        api.post_json("/api/v1/tags/perchtest/follow", &json!({}))
            .json()["following"],
        true
    );
    assert_eq!(
        api.get("/api/v1/followed_tags").json()[0]["name"],
        "perchtest"
    );
    assert_eq!(api.get("/api/v1/tags/PerchTest").json()["following"], true);
    assert_eq!(
        api.post_json("/api/v1/tags/perchtest/unfollow", &json!({}))
            .json()["following"],
        false
    );
    assert_eq!(api.get("/api/v1/trends/tags").json(), json!([]));

    assert_eq!(
        api.post_json("/api/v1/notifications/clear", &json!({}))
            .status,
        200
    );
    assert_eq!(api.get("/api/v1/notifications").json(), json!([]));
}

/// The texts of a timeline page's statuses (a boost's inner status).
fn texts(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["content"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn filters_hide_and_warn_on_the_api_timelines_and_the_web_page() {
    let a = instance();
    let b = instance();
    follow_and_wait(&a, &b);
    b.post("Big spoiler: the butler did it", &[]);
    b.post("Cabbages are in season", &[]);
    b.post("Nothing to see", &[]);
    eventually("A keeps B's three posts", || probe::remote_posts(&a) == 3);
    let api = Api::login(&a, PASSWORD, "read write");

    // A warn filter by form, as Mastodon.py sends it (keys grouped Rails' way), and a hide
    // filter by JSON.
    let warn = api.post_form(
        "/api/v2/filters",
        &[
            ("title", "Films"),
            ("context[]", "home"),
            ("context[]", "thread"),
            ("filter_action", "warn"),
            ("keywords_attributes[][keyword]", "spoiler"),
            ("keywords_attributes[][whole_word]", "true"),
            ("keywords_attributes[][keyword]", "plot"),
        ],
    );
    assert_eq!(warn.status, 200, "{}", warn.body);
    let warn = warn.json();
    assert_eq!(warn["context"], json!(["home", "thread"]));
    assert_eq!(warn["keywords"].as_array().unwrap().len(), 2, "{warn}");
    assert_eq!(warn["keywords"][1]["whole_word"], true, "the default");
    let hide = api.post_json(
        "/api/v2/filters",
        &json!({"title": "Veg", "context": ["home", "public"], "filter_action": "hide",
                "expires_in": 3600,
                "keywords_attributes": [{"keyword": "cabbage", "whole_word": false}]}),
    );
    assert_eq!(hide.status, 200, "{}", hide.body);
    let hide = hide.json();
    assert!(hide["expires_at"].is_string(), "{hide}");

    let home = api.get("/api/v1/timelines/home");
    let shown = texts(&home);
    assert_eq!(shown.len(), 2, "the cabbage post is hidden: {shown:?}");
    let spoiler = home
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["content"].as_str().unwrap().contains("spoiler"))
        .cloned()
        .expect("the spoiler post");
    let filtered = &spoiler["filtered"][0];
    assert_eq!(filtered["filter"]["title"], "Films", "{spoiler}");
    assert_eq!(filtered["keyword_matches"], json!(["spoiler"]));
    let plain = home
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["content"].as_str().unwrap().contains("Nothing"))
        .cloned()
        .unwrap();
    assert_eq!(plain["filtered"], json!([]));
    // The public timeline has only the hide filter; the warn filter is not in its context.
    let public = api.get("/api/v1/timelines/public");
    assert!(texts(&public).iter().all(|t| !t.contains("Cabbages")));
    assert!(public
        .json()
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["filtered"] == json!([])));

    // The web page hides what the API hides and folds the warned post under the filter's name.
    let mut browser = a.logged_in(PASSWORD);
    let page = browser.get("/");
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Cabbages"), "hidden on the web page");
    assert!(
        page.body.contains("Filtered: </span>Films"),
        "{}",
        page.body
    );

    // A post added to the warn filter by id matches by id.
    let plain_id = plain["id"].as_str().unwrap();
    let warn_id = warn["id"].as_str().unwrap();
    let added = api.post_json(
        &format!("/api/v2/filters/{warn_id}/statuses"),
        &json!({ "status_id": plain_id }),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let listed = api.get(&format!("/api/v1/statuses/{plain_id}/context"));
    assert_eq!(listed.status, 200);
    let home = api.get("/api/v1/timelines/home").json();
    let plain = home
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == plain_id)
        .unwrap();
    assert_eq!(plain["filtered"][0]["status_matches"], json!([plain_id]));

    // Keywords by their own endpoints; an update removes one; v1 lists one per keyword.
    let keywords = api
        .get(&format!("/api/v2/filters/{warn_id}/keywords"))
        .json();
    let plot = keywords.as_array().unwrap()[1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let changed = api.send_json(
        "PUT",
        &format!("/api/v2/filters/{warn_id}"),
        &json!({"keywords_attributes": [{"id": plot, "_destroy": true}]}),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["keywords"].as_array().unwrap().len(), 1);
    assert_eq!(
        api.get(&format!("/api/v2/filters/keywords/{plot}")).status,
        404
    );
    let v1 = api.get("/api/v1/filters").json();
    assert_eq!(v1.as_array().unwrap().len(), 2, "{v1}");
    assert!(v1
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["irreversible"] == true));

    // Bad input: a context Mastodon does not have, a blank title, someone else's keyword.
    for bad in [
        json!({"title": "x", "context": ["elsewhere"]}),
        json!({"title": " ", "context": ["home"]}),
    ] {
        let refused = api.post_json("/api/v2/filters", &bad);
        assert_eq!(refused.status, 422, "{bad}: {}", refused.body);
        assert!(refused.json()["error"].is_string());
    }
    let hide_id = hide["id"].as_str().unwrap();
    let stolen = api.send_json(
        "PUT",
        &format!("/api/v2/filters/{hide_id}"),
        &json!({"keywords_attributes": [{"id": warn["keywords"][0]["id"], "_destroy": true}]}),
    );
    assert_eq!(stolen.status, 404, "{}", stolen.body);
    let read_only = Api::login(&a, PASSWORD, "read");
    let refused = read_only.post_json(
        "/api/v2/filters",
        &json!({"title": "t", "context": ["home"]}),
    );
    assert_eq!(refused.status, 403);

    // Deleting the hide filter brings the post back.
    assert_eq!(
        api.delete(&format!("/api/v2/filters/{hide_id}")).status,
        200
    );
    assert_eq!(texts(&api.get("/api/v1/timelines/home")).len(), 3);
    assert_eq!(api.get(&format!("/api/v2/filters/{hide_id}")).status, 404);
}

/// The conversations of `api`'s owner: (id, unread, last status's text, accounts' uris).
fn conversations(api: &Api) -> Vec<(String, bool, String, Vec<String>)> {
    let listed = api.get("/api/v1/conversations");
    assert_eq!(listed.status, 200, "{}", listed.body);
    listed
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            let accounts = c["accounts"].as_array().unwrap();
            (
                c["id"].as_str().unwrap().to_string(),
                c["unread"].as_bool().unwrap(),
                c["last_status"]["content"].as_str().unwrap().to_string(),
                accounts
                    .iter()
                    .map(|a| a["uri"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn conversations_group_direct_messages_by_thread_with_read_state() {
    let a = instance();
    let b = instance();
    follow_and_wait(&a, &b);
    let b_actor = b.url("/users/ana");
    let api = Api::login(&a, PASSWORD, "read write");
    assert!(conversations(&api).is_empty());

    // B writes to A directly; a public post of B's is no conversation.
    b.post("a public word", &[]);
    let first = b.post(&format!("psst {}", handle(&a)), &["--visibility", "direct"]);
    let first = b.url(&format!(
        "/users/ana/statuses/{}",
        first.rsplit('/').next().unwrap()
    ));
    eventually("A keeps both of B's posts", || probe::remote_posts(&a) == 2);
    let listed = conversations(&api);
    assert_eq!(listed.len(), 1, "{listed:?}");
    let (id, unread, text, accounts) = &listed[0];
    assert!(*unread && text.contains("psst"), "{listed:?}");
    assert_eq!(accounts, &[b_actor]);

    let read = api.post_json(&format!("/api/v1/conversations/{id}/read"), &json!({}));
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json()["unread"], false);
    assert!(!conversations(&api)[0].1);

    // A answers in the thread from the app: still one conversation, now ending with A's answer.
    let statuses = api.get("/api/v1/timelines/home").json();
    let psst = statuses
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["content"].as_str().unwrap().contains("psst"))
        .expect("B's message on A's home")["id"]
        .clone();
    let answer = api.post_json(
        "/api/v1/statuses",
        &json!({"status": format!("{} hush", handle(&b)), "visibility": "direct",
                "in_reply_to_id": psst}),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let listed = conversations(&api);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(&listed[0].0, id, "the same conversation");
    assert!(!listed[0].1 && listed[0].2.contains("hush"), "{listed:?}");

    // B answers in the thread (A then holds `held` of B's posts).
    let b_answers = |text: &str, held: i64| {
        b.post(
            &format!("{} {text}", handle(&a)),
            &["--visibility", "direct", "--reply-to", &first],
        );
        eventually("B's answer reaches A", || probe::remote_posts(&a) == held);
    };
    // Unread again. Removed, it leaves the list until a new message comes.
    b_answers("again", 3);
    let listed = conversations(&api);
    assert_eq!(listed.len(), 1, "{listed:?}");
    // (Which of A's answer and B's is the last status depends on their `published` seconds.)
    assert!(listed[0].1, "{listed:?}");
    let removed = api.delete(&format!("/api/v1/conversations/{id}"));
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert!(conversations(&api).is_empty());
    assert_eq!(api.delete("/api/v1/conversations/12345").status, 404);
    b_answers("still there?", 4);
    let listed = conversations(&api);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(&listed[0].0, id, "the same conversation comes back");
    assert!(listed[0].1, "{listed:?}");

    // A token without read cannot list them.
    let writer = Api::login(&a, PASSWORD, "write");
    assert_eq!(writer.get("/api/v1/conversations").status, 403);
}
