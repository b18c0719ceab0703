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

/// `kind` (`Collection`) with only its size: a Note's `likes` and `shares`.
pub fn counted(id: &str, kind: &str, total: u64) -> Value {
    json!({"id": id, "type": kind, "totalItems": total})
}

/// A Note's likes or shares served on their own, with `@context`.
pub fn counted_document(id: &str, total: u64) -> Value {
    with_context(json!(AS_CONTEXT), counted(id, "Collection", total))
}

/// Followers or following with their pages, for an owner who shows their network.
pub fn network(id: &str, total: u64) -> Value {
    json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total,
        "first": format!("{id}?page=1")
    })
}

/// One page of followers or following: actor ids, newest first; `next` by keyset.
pub fn network_page(
    id: &str,
    this_page: &str,
    total: u64,
    items: &[String],
    next: Option<i64>,
) -> Value {
    let mut page = json!({
        "@context": AS_CONTEXT,
        "id": this_page,
        "type": "OrderedCollectionPage",
        "totalItems": total,
        "partOf": id,
        "orderedItems": items
    });
    if let Some(next) = next {
        page["next"] = json!(format!("{id}?page=1&max_id={next}"));
    }
    page
}

fn replies_page_value(
    urls: &Urls,
    post_id: i64,
    page: usize,
    items: &[String],
    more: bool,
) -> Value {
    let collection = urls.post_replies(post_id);
    let mut value = json!({
        "id": format!("{collection}?page={page}"),
        "type": "CollectionPage",
        "partOf": collection,
        "items": items
    });
    if more {
        value["next"] = json!(format!("{collection}?page={}", page + 1));
    }
    value
}

/// The replies collection of a post (FEP-7458): the replies we hold, ours and others', the first
/// page embedded.
pub fn replies(urls: &Urls, post_id: i64, first: &[String], more: bool) -> Value {
    json!({
        "@context": AS_CONTEXT,
        "id": urls.post_replies(post_id),
        "type": "Collection",
        "first": replies_page_value(urls, post_id, 1, first, more)
    })
}

/// A later page of the replies collection.
pub fn replies_page(urls: &Urls, post_id: i64, page: usize, items: &[String], more: bool) -> Value {
    with_context(
        json!(AS_CONTEXT),
        replies_page_value(urls, post_id, page, items, more),
    )
}

/// The conversation under one of our posts (FEP-f228): every post of it we hold, in one
/// request, the root first.
pub fn context(urls: &Urls, root_id: i64, items: &[String]) -> Value {
    json!({
        "@context": AS_CONTEXT,
        "id": urls.post_context(root_id),
        "type": "OrderedCollection",
        "attributedTo": urls.actor(),
        "totalItems": items.len(),
        "orderedItems": items
    })
}
