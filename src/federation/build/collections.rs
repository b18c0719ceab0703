//! The collections we serve: outbox, followers and following, featured, replies.

use serde_json::{json, Value};

use super::notes::{create, note};
use super::{object_context, to_value, with_context, AS_CONTEXT};
use crate::model::{Page, Post};
use crate::urls::Urls;

/// The outbox collection itself: a count and a link to its first page.
pub fn outbox(urls: &Urls, total: u64) -> Value {
    json!({
        "@context": AS_CONTEXT,
        "id": urls.outbox(),
        "type": "OrderedCollection",
        "totalItems": total,
        "first": urls.outbox_page(None),
        "last": urls.outbox_page_newer(0)
    })
}

/// One page of the outbox.
pub fn outbox_page(urls: &Urls, page: &Page<Post>, this_page: &str) -> Value {
    let mut document = json!({
        "@context": object_context(),
        "id": this_page,
        "type": "OrderedCollectionPage",
        "partOf": urls.outbox(),
        "orderedItems": page.items.iter().map(|post| to_value(&create(urls, post))).collect::<Vec<_>>()
    });
    if let Some(older) = page.older {
        document["next"] = json!(urls.outbox_page(Some(older)));
    }
    if let Some(newer) = page.newer {
        document["prev"] = json!(urls.outbox_page_newer(newer));
    }
    document
}

/// Followers or following: Mastodon shows only the count to strangers, and so do we.
pub fn counted_collection(id: &str, total: u64) -> Value {
    json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total
    })
}

/// The pinned posts, embedded as Notes.
pub fn featured(urls: &Urls, posts: &[Post]) -> Value {
    with_context(
        object_context(),
        json!({
            "id": urls.featured(),
            "type": "OrderedCollection",
            "totalItems": posts.len(),
            "orderedItems": posts.iter().map(|post| note(urls, post)).collect::<Vec<_>>()
        }),
    )
}

/// The replies collection of a post: its first page embedded. With `page`, that page alone, by
/// the URL our notes' `replies` name as `next` (so it is one request, its id being that URL).
pub fn replies(urls: &Urls, post_id: i64, reply_ids: &[String], page: bool) -> Value {
    if page {
        return json!({
            "@context": AS_CONTEXT,
            "id": format!("{}?page=true", urls.post_replies(post_id)),
            "type": "CollectionPage",
            "partOf": urls.post_replies(post_id),
            "items": reply_ids
        });
    }
    json!({
        "@context": AS_CONTEXT,
        "id": urls.post_replies(post_id),
        "type": "Collection",
        "first": {
            "type": "CollectionPage",
            "partOf": urls.post_replies(post_id),
            "items": reply_ids
        }
    })
}
