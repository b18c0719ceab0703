//! The ActivityPub read side and discovery, held against Mastodon's shapes.

use serde_json::Value;

use crate::harness::{fixtures, get, Instance, AS_JSON, BROWSER, LD_JSON};

fn id_of(page_url: &str) -> String {
    page_url.rsplit('/').next().unwrap().to_string()
}

#[test]
fn webfinger_answers_for_the_owner_only() {
    let instance = Instance::start();
    let host = format!("127.0.0.1:{}", instance.port);
    for resource in [format!("acct:ana@{host}"), instance.url("/users/ana")] {
        let answer = get(
            &instance.url(&format!("/.well-known/webfinger?resource={resource}")),
            "*/*",
        );
        assert_eq!(answer.status, 200, "{resource}");
        assert!(answer.content_type().starts_with("application/jrd+json"));
        let jrd = answer.json();
        assert_eq!(jrd["subject"], format!("acct:ana@{host}"));
        let links = jrd["links"].as_array().unwrap();
        let self_link = links.iter().find(|l| l["rel"] == "self").unwrap();
        assert_eq!(self_link["type"], "application/activity+json");
        assert_eq!(self_link["href"], instance.url("/users/ana"));
        assert!(links
            .iter()
            .any(|l| l["rel"] == "http://webfinger.net/rel/profile-page"));
        let subscribe = links
            .iter()
            .find(|l| l["rel"] == "http://ostatus.org/schema/1.0/subscribe")
            .unwrap();
        assert!(subscribe["template"].as_str().unwrap().contains("{uri}"));
    }
    for other in [
        format!("acct:bob@{host}"),
        "acct:ana@elsewhere.example".to_string(),
    ] {
        let answer = get(
            &instance.url(&format!("/.well-known/webfinger?resource={other}")),
            "*/*",
        );
        assert_eq!(answer.status, 404, "{other}");
    }
    assert_eq!(
        get(&instance.url("/.well-known/webfinger"), "*/*").status,
        400
    );
    let long = "a".repeat(2000);
    assert_eq!(
        get(
            &instance.url(&format!("/.well-known/webfinger?resource={long}")),
            "*/*"
        )
        .status,
        400
    );
}

#[test]
fn host_meta_and_nodeinfo() {
    let instance = Instance::start();
    instance.post("one public post", &[]);
    instance.post("one private post", &["--visibility", "followers"]);

    let host_meta = get(&instance.url("/.well-known/host-meta"), "*/*");
    assert_eq!(host_meta.status, 200);
    assert!(host_meta.content_type().starts_with("application/xrd+xml"));
    assert!(host_meta.body.contains(&format!(
        "template=\"{}/.well-known/webfinger?resource={{uri}}\"",
        instance.origin
    )));

    let links = get(&instance.url("/.well-known/nodeinfo"), "*/*").json();
    let hrefs: Vec<&str> = links["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["href"].as_str().unwrap())
        .collect();
    assert_eq!(
        hrefs,
        [instance.url("/nodeinfo/2.0"), instance.url("/nodeinfo/2.1")]
    );
    for version in ["2.0", "2.1"] {
        let info = get(&instance.url(&format!("/nodeinfo/{version}")), "*/*").json();
        assert_eq!(info["version"], version);
        assert_eq!(info["software"]["name"], "perch");
        assert_eq!(info["software"]["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(info["protocols"], serde_json::json!(["activitypub"]));
        assert_eq!(info["usage"]["users"]["total"], 1);
        assert_eq!(
            info["usage"]["localPosts"], 1,
            "followers-only posts are not counted publicly"
        );
        assert_eq!(info["openRegistrations"], false);
    }
    assert_eq!(get(&instance.url("/nodeinfo/3.0"), "*/*").status, 404);
}

/// The keys every Mastodon actor document has must be in ours, with the same JSON types.
#[test]
fn actor_is_shaped_like_mastodons() {
    let instance = Instance::start();
    for accept in [AS_JSON, LD_JSON] {
        let answer = get(&instance.url("/users/ana"), accept);
        assert_eq!(answer.status, 200);
        assert!(
            answer
                .content_type()
                .starts_with("application/activity+json"),
            "{}",
            answer.content_type()
        );
        assert!(answer.header("vary").unwrap_or("").contains("Accept"));
        let actor = answer.json();
        assert_eq!(actor["id"], instance.url("/users/ana"));
        assert_eq!(actor["type"], "Person");
        assert_eq!(actor["preferredUsername"], "ana");
        assert_eq!(actor["name"], "Ana Example");
        assert_eq!(actor["inbox"], instance.url("/users/ana/inbox"));
        assert_eq!(actor["outbox"], instance.url("/users/ana/outbox"));
        assert_eq!(
            actor["featured"],
            instance.url("/users/ana/collections/featured")
        );
        assert_eq!(actor["endpoints"]["sharedInbox"], instance.url("/inbox"));
        assert_eq!(actor["url"], instance.url("/@ana"));
        assert_eq!(
            actor["publicKey"]["id"],
            instance.url("/users/ana#main-key")
        );
        assert_eq!(actor["publicKey"]["owner"], instance.url("/users/ana"));
        let pem = actor["publicKey"]["publicKeyPem"].as_str().unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(perch::federation::keys::VerifyingKey::from_pem(pem).is_ok());
        let context = actor["@context"].as_array().unwrap();
        assert_eq!(context[0], "https://www.w3.org/ns/activitystreams");
        assert_eq!(context[1], "https://w3id.org/security/v1");
        // Then Multikey and `assertionMethod` (the Ed25519 key of object proofs), as Fedify has them.
        assert_eq!(context[2], "https://w3id.org/security/data-integrity/v1");
        assert_eq!(context[3], "https://www.w3.org/ns/did/v1");
        assert_eq!(context[4], "https://w3id.org/security/multikey/v1");
        assert_eq!(context[5]["toot"], "http://joinmastodon.org/ns#");
        // The same document on the profile URL for servers.
        assert_eq!(
            get(&instance.url("/@ana"), accept).json()["id"],
            actor["id"]
        );
    }

    let Some(fixtures) = fixtures() else { return };
    let ours = get(&instance.url("/users/ana"), AS_JSON).json();
    for name in [
        "actor-person-mastodon.madrid.json",
        "actor-person-activitypub.academy.json",
    ] {
        let text = std::fs::read_to_string(fixtures.join("mastodon").join(name)).unwrap();
        let theirs: Value = serde_json::from_str(&text).unwrap();
        for key in [
            "id",
            "type",
            "following",
            "followers",
            "inbox",
            "outbox",
            "featured",
            "preferredUsername",
            "name",
            "summary",
            "url",
            "manuallyApprovesFollowers",
            "discoverable",
            "published",
            "publicKey",
            "tag",
            "attachment",
            "endpoints",
        ] {
            let Some(expected) = theirs.get(key) else {
                continue;
            };
            let got = ours
                .get(key)
                .unwrap_or_else(|| panic!("our actor lacks {key} (in {name})"));
            assert_eq!(
                json_kind(got),
                json_kind(expected),
                "{key} has another type than in {name}"
            );
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[test]
fn browsers_get_pages_and_servers_get_json_on_the_same_urls() {
    let instance = Instance::start();
    let page = instance.post("negotiated", &[]);
    let id = id_of(&page);

    let actor_page = get(&instance.url("/users/ana"), BROWSER);
    assert_eq!(actor_page.status, 303);
    assert_eq!(
        actor_page.header("location"),
        Some(instance.url("/@ana").as_str())
    );

    let profile = get(&instance.url("/@ana"), BROWSER);
    assert!(profile.content_type().starts_with("text/html"));
    assert!(profile.header("vary").unwrap_or("").contains("Accept"));

    let note_page = get(&instance.url(&format!("/users/ana/statuses/{id}")), BROWSER);
    assert_eq!(note_page.status, 303);
    assert_eq!(note_page.header("location"), Some(page.as_str()));
    let note = get(&page, LD_JSON);
    assert!(note.content_type().starts_with("application/activity+json"));
    assert_eq!(
        note.json()["id"],
        instance.url(&format!("/users/ana/statuses/{id}"))
    );
}

#[test]
fn notes_creates_and_the_outbox() {
    let instance = Instance::start();
    let mut pages = Vec::new();
    for i in 0..25 {
        pages.push(instance.post(&format!("post {i} #Counting"), &[]));
    }
    let hidden = instance.post("for followers", &["--visibility", "followers"]);
    let direct = instance.post("for one", &["--visibility", "direct"]);
    let unlisted = instance.post("quietly", &["--visibility", "unlisted"]);

    let id = id_of(&pages[3]);
    let note = get(&instance.url(&format!("/users/ana/statuses/{id}")), AS_JSON).json();
    assert_eq!(note["type"], "Note");
    assert_eq!(note["attributedTo"], instance.url("/users/ana"));
    assert_eq!(note["url"], pages[3]);
    assert_eq!(
        note["to"],
        serde_json::json!(["https://www.w3.org/ns/activitystreams#Public"])
    );
    assert_eq!(
        note["cc"],
        serde_json::json!([instance.url("/users/ana/followers")])
    );
    assert!(note["published"].as_str().unwrap().ends_with('Z'));
    let tag = &note["tag"][0];
    assert_eq!(tag["type"], "Hashtag");
    assert_eq!(tag["name"], "#Counting");
    assert_eq!(tag["href"], instance.url("/tags/counting"));
    let tag_link = format!("href=\"{}\"", instance.url("/tags/counting"));
    assert!(note["content"].as_str().unwrap().contains(&tag_link));

    let create = get(
        &instance.url(&format!("/users/ana/statuses/{id}/activity")),
        AS_JSON,
    )
    .json();
    assert_eq!(create["type"], "Create");
    assert_eq!(create["actor"], instance.url("/users/ana"));
    assert_eq!(create["object"]["id"], note["id"]);

    let unlisted_note = get(&unlisted, AS_JSON).json();
    assert_eq!(
        unlisted_note["to"],
        serde_json::json!([instance.url("/users/ana/followers")])
    );
    assert_eq!(
        unlisted_note["cc"],
        serde_json::json!(["https://www.w3.org/ns/activitystreams#Public"])
    );

    // Not for strangers: 404, not 403, on every URL of the post.
    for page in [&hidden, &direct] {
        let id = id_of(page);
        for url in [
            page.to_string(),
            instance.url(&format!("/users/ana/statuses/{id}")),
            instance.url(&format!("/users/ana/statuses/{id}/activity")),
            instance.url(&format!("/users/ana/statuses/{id}/replies")),
        ] {
            assert_eq!(get(&url, AS_JSON).status, 404, "{url}");
            assert_eq!(get(&url, BROWSER).status, 404, "{url}");
        }
    }

    let outbox = get(&instance.url("/users/ana/outbox"), AS_JSON).json();
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["totalItems"], 26, "public and unlisted only");
    let first = get(outbox["first"].as_str().unwrap(), AS_JSON).json();
    assert_eq!(first["type"], "OrderedCollectionPage");
    assert_eq!(first["partOf"], instance.url("/users/ana/outbox"));
    let items = first["orderedItems"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    assert_eq!(
        items[0]["object"]["id"], unlisted_note["id"],
        "newest first"
    );
    assert!(items.iter().all(|i| i["type"] == "Create"));
    assert!(first.get("prev").is_none());
    let second = get(first["next"].as_str().unwrap(), AS_JSON).json();
    let rest = second["orderedItems"].as_array().unwrap();
    assert_eq!(rest.len(), 6);
    assert!(second.get("next").is_none());
    let back = get(second["prev"].as_str().unwrap(), AS_JSON).json();
    assert_eq!(
        back["orderedItems"].as_array().unwrap()[19]["id"],
        items[19]["id"]
    );
    let all: Vec<&Value> = items.iter().chain(rest).collect();
    assert!(all
        .iter()
        .all(|i| i["object"]["content"] != "<p>for followers</p>"));

    for (path, total) in [("/users/ana/followers", 0), ("/users/ana/following", 0)] {
        let collection = get(&instance.url(path), AS_JSON).json();
        assert_eq!(collection["type"], "OrderedCollection");
        assert_eq!(collection["totalItems"], total);
    }
    let featured = get(&instance.url("/users/ana/collections/featured"), AS_JSON).json();
    assert_eq!(featured["type"], "OrderedCollection");
    assert_eq!(featured["totalItems"], 0);
    assert_eq!(get(&instance.url("/users/bob/outbox"), AS_JSON).status, 404);
}

#[test]
fn unknown_users_and_posts_are_404() {
    let instance = Instance::start();
    for path in [
        "/users/bob",
        "/@bob",
        "/@bob/1",
        "/users/ana/statuses/99",
        "/@ana/99",
        "/@ana/abc",
        "/nothing/here",
    ] {
        let answer = get(&instance.url(path), AS_JSON);
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.json()["error"], "not found");
    }
}
