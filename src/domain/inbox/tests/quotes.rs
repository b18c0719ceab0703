//! Quotes (FEP-044f): incoming quotes checked against their authorization, QuoteRequests for our
//! posts answered by policy, revocation both ways, and the owner's own quotes settled.

use serde_json::{json, Value};

use super::*;
use crate::domain::quotes as owner_quotes;
use crate::model::{QuotePolicy, QuoteState};
use crate::store::{quotes, remote_posts};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn note(id: &str, author: &str, extra: Value) -> Value {
    let mut note = json!({
        "id": id, "type": "Note", "attributedTo": author,
        "content": "<p>look at this</p>",
        "published": "2023-11-14T22:00:00Z",
        "to": [PUBLIC], "cc": [format!("{author}/followers")],
    });
    for (key, value) in extra.as_object().unwrap() {
        note[key] = value.clone();
    }
    note
}

fn create(actor: &str, id: &str, object: Value) -> Value {
    activity_doc("Create", actor, id, object)
}

fn authorization(id: &str, author: &str, quoting: &str, quoted: &str) -> Value {
    json!({"@context": "https://www.w3.org/ns/activitystreams", "id": id,
           "type": "QuoteAuthorization", "attributedTo": author,
           "interactingObject": quoting, "interactionTarget": quoted})
}

fn state(w: &World, post_uri: &str) -> Option<QuoteState> {
    quotes::get(&w.conn, post_uri).unwrap().map(|q| q.state)
}

fn shown(w: &World, uri: &str) -> String {
    let post = remote_posts::get_by_uri(&w.conn, uri).unwrap().unwrap();
    crate::render::timeline::remote_post(
        &post,
        &crate::render::Viewer::default(),
        false,
        false,
        "/",
    )
    .into_string()
}

/// The real Misskey capture quoting another real note: `_misskey_quote`/`quoteUrl`, no consent
/// asked, so the quoted note (fetched, as we did not hold it) is shown as a card.
#[test]
fn a_misskey_quote_fixture_shows_the_quoted_note_as_a_card() {
    let Some(root) = crate::domain::testkit::fixtures() else {
        return;
    };
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(root.join(name)).unwrap()).unwrap()
    };
    let quoting = read("misskey/note-quote-_misskey_quote-quoteUrl.json");
    let mut w = world();
    w.remote.add(read("misskey/note-_misskey_content.json"));
    w.remote.add(read("misskey/actor-person-misskey.io.json"));
    w.remote.add(crate::domain::testkit::actor_doc(
        "https://misskey.io",
        "7rkrarq81i",
    ));
    let author = "https://misskey.io/users/7rkrarq81i";
    w.we_follow(author, FollowState::Accepted);
    w.applied(create(
        author,
        "https://misskey.io/notes/8vs6ylpfez/activity",
        quoting,
    ));
    let uri = "https://misskey.io/notes/8vs6ylpfez";
    assert_eq!(state(&w, uri), Some(QuoteState::Legacy));
    let post = remote_posts::get_by_uri(&w.conn, uri).unwrap().unwrap();
    let quote = post.quote.expect("the quote is read");
    assert_eq!(quote.uri, "https://misskey.io/notes/8vs6wxufd0");
    assert!(quote.shown_card().is_some(), "{quote:?}");
    let page = shown(&w, uri);
    assert!(page.contains("quote-card"), "{page}");
}

/// Mastodon 4.5's shape: `quote` + `quoteAuthorization` hosted by the quoted author's server.
#[test]
fn a_mastodon_quote_with_a_valid_authorization_is_a_card() {
    let mut w = world();
    let quoted = note(
        "https://b.example/n/q",
        BOB,
        json!({"content": "<p>the original</p>"}),
    );
    w.remote.add(quoted);
    let auth = "https://b.example/users/bob/quote_authorizations/1";
    w.remote.add(authorization(
        auth,
        BOB,
        "https://a.example/n/1",
        "https://b.example/n/q",
    ));
    w.we_follow(ALICE, FollowState::Accepted);
    let quoting = note(
        "https://a.example/n/1",
        ALICE,
        json!({"quote": "https://b.example/n/q", "quoteUri": "https://b.example/n/q",
               "_misskey_quote": "https://b.example/n/q", "quoteAuthorization": auth}),
    );
    w.applied(create(ALICE, "https://a.example/c/1", quoting));
    assert_eq!(
        state(&w, "https://a.example/n/1"),
        Some(QuoteState::Accepted)
    );
    let page = shown(&w, "https://a.example/n/1");
    assert!(
        page.contains("quote-card") && page.contains("the original"),
        "{page}"
    );
}

/// Hostile: the authorization lives on a third server, not the quoted author's: refused, and
/// the quote is only a link.
#[test]
fn an_authorization_hosted_on_a_third_server_is_refused() {
    let mut w = world();
    w.remote.add(note(
        "https://b.example/n/q",
        BOB,
        json!({"content": "<p>the original</p>"}),
    ));
    let auth = "https://c.example/quote_authorizations/1";
    // Claims to be Bob's, but it is not on Bob's server.
    w.remote.add(authorization(
        auth,
        BOB,
        "https://a.example/n/1",
        "https://b.example/n/q",
    ));
    w.we_follow(ALICE, FollowState::Accepted);
    let quoting = note(
        "https://a.example/n/1",
        ALICE,
        json!({"quote": "https://b.example/n/q", "quoteAuthorization": auth}),
    );
    w.applied(create(ALICE, "https://a.example/c/1", quoting));
    assert_eq!(
        state(&w, "https://a.example/n/1"),
        Some(QuoteState::Rejected)
    );
    let page = shown(&w, "https://a.example/n/1");
    assert!(
        !page.contains("quote-card") && page.contains("quote-link"),
        "{page}"
    );
    assert!(!page.contains("the original"), "{page}");
}

/// Without an authorization a FEP-044f quote is pending (a link); Akkoma's `quoteUri` asks no
/// one and is a card.
#[test]
fn pending_and_akkoma_quotes() {
    let mut w = world();
    w.remote.add(note(
        "https://b.example/n/q",
        BOB,
        json!({"content": "<p>the original</p>"}),
    ));
    w.we_follow(ALICE, FollowState::Accepted);
    w.applied(create(
        ALICE,
        "https://a.example/c/1",
        note(
            "https://a.example/n/1",
            ALICE,
            json!({"quote": "https://b.example/n/q"}),
        ),
    ));
    assert_eq!(
        state(&w, "https://a.example/n/1"),
        Some(QuoteState::Pending)
    );
    assert!(shown(&w, "https://a.example/n/1").contains("waiting for its author"));
    w.applied(create(
        ALICE,
        "https://a.example/c/2",
        note(
            "https://a.example/n/2",
            ALICE,
            json!({"quoteUri": "https://b.example/n/q", "quoteUrl": "https://b.example/n/q"}),
        ),
    ));
    assert_eq!(state(&w, "https://a.example/n/2"), Some(QuoteState::Legacy));
    assert!(shown(&w, "https://a.example/n/2").contains("the original"));
}

/// Delete of the authorization by its author's server revokes the quote.
#[test]
fn a_deleted_authorization_revokes_the_quote() {
    let mut w = world();
    w.remote.add(note("https://b.example/n/q", BOB, json!({})));
    let auth = "https://b.example/users/bob/quote_authorizations/1";
    w.remote.add(authorization(
        auth,
        BOB,
        "https://a.example/n/1",
        "https://b.example/n/q",
    ));
    w.we_follow(ALICE, FollowState::Accepted);
    w.applied(create(
        ALICE,
        "https://a.example/c/1",
        note(
            "https://a.example/n/1",
            ALICE,
            json!({"quote": "https://b.example/n/q", "quoteAuthorization": auth}),
        ),
    ));
    assert_eq!(
        state(&w, "https://a.example/n/1"),
        Some(QuoteState::Accepted)
    );
    w.applied(activity_doc(
        "Delete",
        BOB,
        "https://b.example/d/1",
        json!(auth),
    ));
    assert_eq!(
        state(&w, "https://a.example/n/1"),
        Some(QuoteState::Revoked)
    );
    assert!(shown(&w, "https://a.example/n/1").contains("withdrawn"));
}

fn quote_request(ours: &str, quoting_id: &str) -> Value {
    let quoting = note(quoting_id, ALICE, json!({"quote": ours}));
    json!({"@context": "https://www.w3.org/ns/activitystreams",
           "id": "https://a.example/users/alice/quote_requests/1", "type": "QuoteRequest",
           "actor": ALICE, "object": ours, "instrument": quoting})
}

fn our_post_with(w: &mut World, policy: QuotePolicy) -> String {
    let uri = w.our_post(Visibility::Public);
    let id = w.urls.parse_post_reference(&uri).unwrap();
    crate::store::posts::set_quote_policy(&w.conn, id, policy).unwrap();
    uri
}

fn last_delivery(w: &World, kind: &str) -> Value {
    w.deliveries()
        .into_iter()
        .rev()
        .find(|(_, d)| d["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} delivered"))
        .1
}

/// A QuoteRequest for a post anyone may quote: Accept with our authorization, which we host and
/// which the quote's Update then carries; the quote shows on our post's page.
#[test]
fn a_quote_request_is_accepted_by_policy_and_the_authorization_is_hosted() {
    let mut w = world();
    let ours = our_post_with(&mut w, QuotePolicy::Public);
    w.applied(quote_request(&ours, "https://a.example/n/1"));
    let accept = last_delivery(&w, "Accept");
    assert_eq!(accept["object"]["type"], "QuoteRequest");
    let result = accept["result"].as_str().unwrap().to_string();
    let id = w.urls.parse_quote_authorization(&result).expect("our URL");
    let document = owner_quotes::authorization_document(&w.conn, &w.urls, id).unwrap();
    assert_eq!(document["type"], "QuoteAuthorization");
    assert_eq!(document["interactingObject"], "https://a.example/n/1");
    assert_eq!(document["interactionTarget"], ours.as_str());
    assert_eq!(document["attributedTo"], ME);
    let post_id = w.urls.parse_post_reference(&ours).unwrap();
    assert_eq!(owner_quotes::quotes_of(&w.conn, post_id).unwrap().len(), 1);
    // Their Update with our authorization keeps it accepted; a forged one does not.
    let edited = note(
        "https://a.example/n/1",
        ALICE,
        json!({"quote": ours, "quoteAuthorization": result}),
    );
    w.applied(activity_doc(
        "Update",
        ALICE,
        "https://a.example/u/1",
        edited,
    ));
    assert_eq!(
        state(&w, "https://a.example/n/1"),
        Some(QuoteState::Accepted)
    );
    let forged = note(
        "https://a.example/n/1",
        ALICE,
        json!({"quote": ours, "quoteAuthorization": w.urls.quote_authorization(id + 1)}),
    );
    w.applied(activity_doc(
        "Update",
        ALICE,
        "https://a.example/u/2",
        forged,
    ));
    assert_eq!(
        state(&w, "https://a.example/n/1"),
        Some(QuoteState::Rejected)
    );
}

/// "Only me", and "followers" for a stranger: Reject, and nothing is hosted.
#[test]
fn a_quote_request_refused_by_policy_is_rejected() {
    for policy in [QuotePolicy::Nobody, QuotePolicy::Followers] {
        let mut w = world();
        let ours = our_post_with(&mut w, policy);
        w.applied(quote_request(&ours, "https://a.example/n/1"));
        let reject = last_delivery(&w, "Reject");
        assert_eq!(
            reject["object"]["id"],
            "https://a.example/users/alice/quote_requests/1"
        );
        assert!(w.deliveries().iter().all(|(_, d)| d["type"] != "Accept"));
        assert!(quotes::authorization_for(&w.conn, "https://a.example/n/1")
            .unwrap()
            .is_none());
    }
}

/// The owner revokes: the authorization is gone, its Delete goes out, the page drops the quote.
#[test]
fn the_owner_revokes_a_quote() {
    let mut w = world();
    let ours = our_post_with(&mut w, QuotePolicy::Public);
    w.applied(quote_request(&ours, "https://a.example/n/1"));
    let result = last_delivery(&w, "Accept")["result"]
        .as_str()
        .unwrap()
        .to_string();
    let id = w.urls.parse_quote_authorization(&result).unwrap();
    owner_quotes::revoke(&mut w.conn, &w.urls, "https://a.example/n/1", w.now).unwrap();
    assert!(owner_quotes::authorization_document(&w.conn, &w.urls, id).is_err());
    assert_eq!(last_delivery(&w, "Delete")["object"], result.as_str());
    let post_id = w.urls.parse_post_reference(&ours).unwrap();
    assert!(owner_quotes::quotes_of(&w.conn, post_id)
        .unwrap()
        .is_empty());
}

/// The owner quotes Bob's post: a QuoteRequest goes to Bob; his Accept with an authorization
/// that verifies settles it and our Note goes out again with it; a Reject leaves a link.
#[test]
fn the_owners_quote_is_settled_by_the_answer() {
    for accept in [true, false] {
        let mut w = world();
        w.we_follow(BOB, FollowState::Accepted);
        w.applied(create(
            BOB,
            "https://b.example/c/q",
            note("https://b.example/n/q", BOB, json!({})),
        ));
        let compose = Compose {
            source: "so true".into(),
            summary: None,
            visibility: Visibility::Public,
            in_reply_to: None,
        };
        let extra = crate::domain::posts::Extra {
            quote: Some("https://b.example/n/q"),
            ..Default::default()
        };
        let post =
            posts::publish_extra(&mut w.conn, &w.urls, None, &compose, &extra, w.now).unwrap();
        let ours = w.urls.post(post.id);
        assert_eq!(state(&w, &ours), Some(QuoteState::Pending));
        let request = last_delivery(&w, "QuoteRequest");
        assert_eq!(request["object"], "https://b.example/n/q");
        assert_eq!(request["instrument"]["quote"], "https://b.example/n/q");
        let request_id = request["id"].as_str().unwrap().to_string();
        if accept {
            let auth = "https://b.example/users/bob/quote_authorizations/9";
            w.remote
                .add(authorization(auth, BOB, &ours, "https://b.example/n/q"));
            let mut answer =
                activity_doc("Accept", BOB, "https://b.example/a/1", json!(request_id));
            answer["result"] = json!(auth);
            w.applied(answer);
            assert_eq!(state(&w, &ours), Some(QuoteState::Accepted));
            let update = last_delivery(&w, "Update");
            assert_eq!(update["object"]["quoteAuthorization"], auth);
        } else {
            w.applied(activity_doc(
                "Reject",
                BOB,
                "https://b.example/r/1",
                json!(request_id),
            ));
            assert_eq!(state(&w, &ours), Some(QuoteState::Rejected));
        }
    }
}
