//! Outgoing ActivityPub documents, shaped like Mastodon's. Pure: values in, JSON out.

use serde_json::{json, Map, Value};

use crate::model::{Media, Page, Post, Profile, Visibility};
use crate::urls::{Urls, AS_PUBLIC};

const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
const SECURITY_CONTEXT: &str = "https://w3id.org/security/v1";

/// The `@context` of actors: ActivityStreams, security, and Mastodon's extensions.
fn actor_context() -> Value {
    json!([
        AS_CONTEXT,
        SECURITY_CONTEXT,
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "toot": "http://joinmastodon.org/ns#",
            "featured": {"@id": "toot:featured", "@type": "@id"},
            "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
            "movedTo": {"@id": "as:movedTo", "@type": "@id"},
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"}
        }
    ])
}

/// The `@context` of notes and activities carrying them.
fn object_context() -> Value {
    json!([
        AS_CONTEXT,
        {
            "ostatus": "http://ostatus.org#",
            "atomUri": "ostatus:atomUri",
            "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
            "conversation": "ostatus:conversation",
            "sensitive": "as:sensitive",
            "toot": "http://joinmastodon.org/ns#",
            "votersCount": "toot:votersCount",
            "blurhash": "toot:blurhash",
            "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
            "Hashtag": "as:Hashtag"
        }
    ])
}

fn image(urls: &Urls, media: &Media) -> Value {
    json!({
        "type": "Image",
        "mediaType": media.mime,
        "url": urls.media(media.id, &media.file_name())
    })
}

/// The owner as a `Person`. `fields_html` are the profile fields with values already rendered.
pub fn actor(
    urls: &Urls,
    profile: &Profile,
    fields_html: &[(String, String)],
    public_key_pem: &str,
) -> Value {
    let mut actor = json!({
        "@context": actor_context(),
        "id": urls.actor(),
        "type": "Person",
        "following": urls.following(),
        "followers": urls.followers(),
        "inbox": urls.inbox(),
        "outbox": urls.outbox(),
        "featured": urls.featured(),
        "preferredUsername": profile.username,
        "name": profile.display_name,
        "summary": profile.bio_html,
        "url": urls.profile(),
        "manuallyApprovesFollowers": profile.manually_approves_followers,
        "discoverable": profile.discoverable,
        "indexable": profile.discoverable,
        "published": profile.created_at.rfc3339(),
        "updated": profile.updated_at.rfc3339(),
        "publicKey": {
            "id": urls.key_id(),
            "owner": urls.actor(),
            "publicKeyPem": public_key_pem
        },
        "tag": [],
        "attachment": fields_html.iter().map(|(name, value)| json!({
            "type": "PropertyValue",
            "name": name,
            "value": value
        })).collect::<Vec<_>>(),
        "endpoints": {"sharedInbox": urls.shared_inbox()}
    });
    if let Some(avatar) = &profile.avatar {
        actor["icon"] = image(urls, avatar);
    }
    if let Some(header) = &profile.header {
        actor["image"] = image(urls, header);
    }
    actor
}

/// `to` and `cc` for a post, by visibility (DESIGN.md, "Addressing").
pub fn addressing(urls: &Urls, post: &Post) -> (Vec<String>, Vec<String>) {
    let mentions: Vec<String> = post.mentions.iter().map(|m| m.uri.clone()).collect();
    match post.visibility {
        Visibility::Public => {
            let mut cc = vec![urls.followers()];
            cc.extend(mentions);
            (vec![AS_PUBLIC.to_string()], cc)
        }
        Visibility::Unlisted => {
            let mut cc = vec![AS_PUBLIC.to_string()];
            cc.extend(mentions);
            (vec![urls.followers()], cc)
        }
        Visibility::Followers => (vec![urls.followers()], mentions),
        Visibility::Direct => (mentions, vec![]),
    }
}

fn attachment(urls: &Urls, media: &Media) -> Value {
    let mut document = json!({
        "type": "Document",
        "mediaType": media.mime,
        "url": urls.media(media.id, &media.file_name()),
        "name": if media.description.is_empty() { Value::Null } else { json!(media.description) },
        "width": media.width,
        "height": media.height
    });
    if !media.blurhash.is_empty() {
        document["blurhash"] = json!(media.blurhash);
    }
    document
}

/// A post as a `Note`, without `@context` (see `note_document`).
pub fn note(urls: &Urls, post: &Post) -> Value {
    let (to, cc) = addressing(urls, post);
    let mut tags: Vec<Value> = post
        .mentions
        .iter()
        .map(|m| json!({"type": "Mention", "href": m.uri, "name": m.handle}))
        .collect();
    tags.extend(post.tags.iter().map(
        |tag| json!({"type": "Hashtag", "href": urls.hashtag(tag), "name": format!("#{tag}")}),
    ));
    let mut note = Map::new();
    let mut put = |key: &str, value: Value| {
        note.insert(key.to_string(), value);
    };
    put("id", json!(urls.post(post.id)));
    put("type", json!("Note"));
    put(
        "summary",
        post.summary.as_ref().map_or(Value::Null, |s| json!(s)),
    );
    put(
        "inReplyTo",
        post.in_reply_to.as_ref().map_or(Value::Null, |s| json!(s)),
    );
    put("published", json!(post.created_at.rfc3339()));
    if let Some(updated) = post.updated_at {
        put("updated", json!(updated.rfc3339()));
    }
    put("url", json!(urls.post_page(post.id)));
    put("attributedTo", json!(urls.actor()));
    put("to", json!(to));
    put("cc", json!(cc));
    put("sensitive", json!(post.sensitive || post.summary.is_some()));
    put("atomUri", json!(urls.post(post.id)));
    put(
        "inReplyToAtomUri",
        post.in_reply_to.as_ref().map_or(Value::Null, |s| json!(s)),
    );
    put("content", json!(post.content_html));
    put("contentMap", json!({"en": post.content_html}));
    put(
        "attachment",
        json!(post
            .media
            .iter()
            .map(|m| attachment(urls, m))
            .collect::<Vec<_>>()),
    );
    put("tag", json!(tags));
    put(
        "replies",
        json!({
            "id": urls.post_replies(post.id),
            "type": "Collection",
            "first": {
                "type": "CollectionPage",
                "next": format!("{}?page=true", urls.post_replies(post.id)),
                "partOf": urls.post_replies(post.id),
                "items": []
            }
        }),
    );
    Value::Object(note)
}

/// A standalone Note document, with its `@context`.
pub fn note_document(urls: &Urls, post: &Post) -> Value {
    with_context(object_context(), note(urls, post))
}

fn with_context(context: Value, document: Value) -> Value {
    let mut out = Map::new();
    out.insert("@context".into(), context);
    if let Value::Object(fields) = document {
        out.extend(fields);
    }
    Value::Object(out)
}

/// The `Create` of a post, without `@context`.
fn create(urls: &Urls, post: &Post) -> Value {
    let (to, cc) = addressing(urls, post);
    json!({
        "id": urls.post_activity(post.id),
        "type": "Create",
        "actor": urls.actor(),
        "published": post.created_at.rfc3339(),
        "to": to,
        "cc": cc,
        "object": note(urls, post)
    })
}

pub fn create_document(urls: &Urls, post: &Post) -> Value {
    with_context(object_context(), create(urls, post))
}

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
        "orderedItems": page.items.iter().map(|post| create(urls, post)).collect::<Vec<_>>()
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

/// The empty replies collection of a post: replies by others are theirs to list.
pub fn replies(urls: &Urls, post_id: i64, reply_ids: &[String]) -> Value {
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

/// `Update` of an edited post, to the post's own audience.
pub fn update_note(urls: &Urls, post: &Post) -> Value {
    let (to, cc) = addressing(urls, post);
    let updated = post.updated_at.unwrap_or(post.created_at);
    with_context(
        object_context(),
        json!({
            "id": format!("{}#updates/{}", urls.post(post.id), updated.0),
            "type": "Update",
            "actor": urls.actor(),
            "published": updated.rfc3339(),
            "to": to,
            "cc": cc,
            "object": note(urls, post)
        }),
    )
}

/// `Delete` of a post, with a Tombstone as Mastodon sends it.
pub fn delete_note(urls: &Urls, post: &Post) -> Value {
    let (to, cc) = addressing(urls, post);
    json!({
        "@context": AS_CONTEXT,
        "id": format!("{}#delete", urls.post(post.id)),
        "type": "Delete",
        "actor": urls.actor(),
        "to": to,
        "cc": cc,
        "object": {"id": urls.post(post.id), "type": "Tombstone", "atomUri": urls.post(post.id)}
    })
}

/// `Update` of the owner's profile, to followers and the public.
pub fn update_actor(urls: &Urls, actor_document: Value, updated: crate::model::Timestamp) -> Value {
    let mut object = actor_document;
    let context = object
        .as_object_mut()
        .and_then(|o| o.remove("@context"))
        .unwrap_or_else(actor_context);
    json!({
        "@context": context,
        "id": format!("{}#updates/{}", urls.actor(), updated.0),
        "type": "Update",
        "actor": urls.actor(),
        "to": [AS_PUBLIC],
        "cc": [urls.followers()],
        "object": object
    })
}

/// An activity of the owner about one remote object or actor: Follow, Like, Announce, Block.
pub fn simple(urls: &Urls, id: &str, kind: &str, object: &str, to: &[&str]) -> Value {
    json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": kind,
        "actor": urls.actor(),
        "object": object,
        "to": to
    })
}

/// `Undo` of one of the owner's earlier activities, embedding it as sent.
pub fn undo(urls: &Urls, activity: &Value) -> Value {
    let mut inner = activity.clone();
    if let Some(fields) = inner.as_object_mut() {
        fields.remove("@context");
    }
    let id = activity["id"].as_str().unwrap_or_default();
    json!({
        "@context": AS_CONTEXT,
        "id": format!("{id}#undo"),
        "type": "Undo",
        "actor": urls.actor(),
        "object": inner,
        "to": activity.get("to").cloned().unwrap_or(Value::Array(vec![]))
    })
}

/// A boost of a remote post: public, to the post's author and our followers.
pub fn announce(
    urls: &Urls,
    id: &str,
    object: &str,
    author: &str,
    now: crate::model::Timestamp,
) -> Value {
    json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": "Announce",
        "actor": urls.actor(),
        "published": now.rfc3339(),
        "to": [AS_PUBLIC],
        "cc": [author, urls.followers()],
        "object": object
    })
}

/// `Add` or `Remove` of one of our posts to or from the featured collection (pinning), to the
/// public and our followers as Mastodon sends it.
pub fn featured_change(urls: &Urls, id: &str, kind: &str, post_id: i64) -> Value {
    json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": kind,
        "actor": urls.actor(),
        "to": [AS_PUBLIC],
        "cc": [urls.followers()],
        "object": urls.post(post_id),
        "target": urls.featured()
    })
}
