use serde_json::{json, Value};

use super::*;

/// A captured document, or None (with a note) when the fixtures are not there.
fn fixture(name: &str) -> Option<Value> {
    let root = std::env::var("PERCH_FIXTURES")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures").into());
    match std::fs::read_to_string(format!("{root}/{name}")) {
        Ok(text) => Some(serde_json::from_str(&text).expect("fixture is JSON")),
        Err(e) => {
            println!("skipped: fixture {root}/{name}: {e} (set PERCH_FIXTURES)");
            None
        }
    }
}

/// The post object of a fixture that is a Create or the post itself.
fn post(document: Value) -> Value {
    document.get("object").cloned().unwrap_or(document)
}

#[test]
fn mastodon_replies_embed_their_first_page_with_items_and_next() {
    let Some(document) = fixture("mastodon/create-note-cw-sensitive-mention.json") else {
        return;
    };
    let note = post(document);
    let link = collection_link(&note, "replies");
    assert_eq!(
        link.as_deref(),
        Some("http://mastodon.example.org/users/admin/statuses/99512778738411822/replies")
    );
    let replies = embedded_collection(&note, "replies").expect("a collection");
    assert!(replies.items.is_empty());
    let Some(First::Embedded(page)) = replies.first else {
        panic!("the first page is embedded");
    };
    assert_eq!(page.items.len(), 2);
    assert_eq!(
        page.items[0],
        json!("http://mastodon.example.org/users/admin/statuses/99512778738411823")
    );
    assert_eq!(
        page.next.as_deref(),
        Some("http://mastodon.example.org/users/admin/statuses/99512778738411822/replies?min_id=99512778738411824&page=true")
    );
}

#[test]
fn an_empty_first_page_still_leads_to_the_other_accounts_replies() {
    let Some(note) = fixture("mastodon/note-with-image-attachment.json") else {
        return;
    };
    let replies = embedded_collection(&note, "replies").expect("a collection");
    let Some(First::Embedded(page)) = replies.first else {
        panic!("the first page is embedded");
    };
    assert!(page.items.is_empty());
    assert!(page
        .next
        .as_deref()
        .is_some_and(|next| next.ends_with("only_other_accounts=true&page=true")));
}

#[test]
fn gotosocial_names_its_first_page_by_id_only() {
    let Some(document) = fixture("gotosocial/create-note-reply-interactionpolicy.json") else {
        return;
    };
    let replies = embedded_collection(&post(document), "replies").expect("a collection");
    match replies.first {
        Some(First::Url(url)) => assert!(url.ends_with("/replies?page=true"), "{url}"),
        other => panic!("a page to fetch: {other:?}"),
    }
}

#[test]
fn a_featured_collection_holds_its_notes() {
    let Some(document) = fixture("mastodon/collection-featured.json") else {
        return;
    };
    let featured = parse_collection(&document).unwrap();
    assert_eq!(featured.items.len(), 1);
    assert_eq!(
        id_of(&featured.items[0]).as_deref(),
        Some("https://mastodon.social/users/LemmyDev/statuses/104246642906910728")
    );
    assert!(featured.first.is_none() && featured.next.is_none());
}

#[test]
fn context_links_are_read_and_tag_uris_are_not() {
    for (name, expected) in [
        (
            "pleroma/create-note-reply-mention.json",
            "https://greenish.red/contexts/",
        ),
        (
            "mitra/create-note.json",
            "https://mitra.social/collections/conversations/",
        ),
        (
            "lemmy/page.json",
            "https://enterprise.lemmy.ml/post/55143/context",
        ),
    ] {
        let Some(document) = fixture(name) else {
            return;
        };
        let link = collection_link(&post(document), "context");
        assert!(
            link.as_deref().is_some_and(|l| l.starts_with(expected)),
            "{name}: {link:?}"
        );
    }
    let mastodon =
        json!({"context": "tag:mastodon.social,2020-05-28:objectId=1:objectType=Conversation"});
    assert_eq!(collection_link(&mastodon, "context"), None);
}

#[test]
fn anything_else_is_refused_and_lists_are_capped() {
    assert!(parse_collection(&json!({"type": "Note"})).is_err());
    assert!(parse_collection(&json!([1, 2])).is_err());
    let many: Vec<Value> = (0..1_000)
        .map(|i| json!(format!("https://a.example/{i}")))
        .collect();
    let page = parse_collection(
        &json!({"type": "OrderedCollectionPage", "orderedItems": many,
        "next": "javascript:alert(1)"}),
    )
    .unwrap();
    assert_eq!(page.items.len(), MAX_COLLECTION_ITEMS);
    assert_eq!(page.next, None);
    // An embedded first page is read one level deep only.
    let nested = json!({"type": "Collection", "first": {"type": "CollectionPage",
        "first": {"type": "CollectionPage", "items": ["https://a.example/deep"]}}});
    let Some(First::Embedded(first)) = parse_collection(&nested).unwrap().first else {
        panic!("embedded");
    };
    assert!(first.first.is_none());
}
