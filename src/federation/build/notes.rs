//! Our posts: the Note, and the Create, Update and Delete that carry it.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{object_context, with_context, Document, AS_CONTEXT};
use crate::model::{Media, Poll, Post, Timestamp, Visibility};
use crate::urls::{Urls, AS_PUBLIC};

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
    if let Some(poll) = &post.poll {
        question(&mut note, poll);
    }
    note.insert(
        "interactionPolicy".into(),
        super::interaction_policy(urls, post.quote_policy),
    );
    if let Some(quote) = &post.quote {
        // FEP-044f's field, and the older spellings Fedibird, Akkoma and Misskey read.
        for key in ["quote", "quoteUri", "_misskey_quote"] {
            note.insert(key.into(), json!(quote.uri));
        }
        if let (crate::model::QuoteState::Accepted, Some(authorization)) =
            (quote.state, &quote.authorization)
        {
            note.insert("quoteAuthorization".into(), json!(authorization));
        }
    }
    Value::Object(note)
}

/// Makes the Note a `Question` as Mastodon serialises one: the options under `oneOf` (single
/// choice) or `anyOf` (multiple), each a Note with `name` and its count as `replies.totalItems`;
/// `endTime`, `closed` once ended, `votersCount`.
fn question(note: &mut Map<String, Value>, poll: &Poll) {
    note.insert("type".into(), json!("Question"));
    let options: Vec<Value> = poll
        .options
        .iter()
        .map(|option| {
            json!({
                "type": "Note",
                "name": option.title,
                "replies": {"type": "Collection", "totalItems": option.votes}
            })
        })
        .collect();
    let key = if poll.multiple { "anyOf" } else { "oneOf" };
    note.insert(key.into(), json!(options));
    if let Some(end) = poll.expires_at {
        note.insert("endTime".into(), json!(end.rfc3339()));
        if poll.closed {
            note.insert("closed".into(), json!(end.rfc3339()));
        }
    }
    if let Some(voters) = poll.voters_count {
        note.insert("votersCount".into(), json!(voters));
    }
}

/// A standalone Note document, with its `@context`.
pub fn note_document(urls: &Urls, post: &Post) -> Value {
    with_context(object_context(), note(urls, post))
}

/// What a fetched Note shows beyond the post itself: its counts and its conversation.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoteExtras {
    pub likes: u64,
    pub shares: u64,
    /// Our post the conversation grows from (`context`, FEP-f228).
    pub context_root: Option<i64>,
}

/// The Note as its URL answers it: with `likes` and `shares` counts and its `context`.
pub fn note_document_with(urls: &Urls, post: &Post, extras: &NoteExtras) -> Value {
    let mut note = note(urls, post);
    note["likes"] =
        super::collections::counted(&urls.post_likes(post.id), "Collection", extras.likes);
    note["shares"] =
        super::collections::counted(&urls.post_shares(post.id), "Collection", extras.shares);
    if let Some(root) = extras.context_root {
        note["context"] = json!(urls.post_context(root));
    }
    with_context(object_context(), note)
}

/// The `Create` of a post.
#[derive(Clone, Debug, Serialize)]
pub struct Create {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub published: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// The Note, from [`note`].
    pub object: Value,
}

/// The `Create` of a post, without `@context` (as an outbox page embeds it).
pub fn create(urls: &Urls, post: &Post) -> Create {
    let (to, cc) = addressing(urls, post);
    Create {
        id: urls.post_activity(post.id),
        kind: "Create",
        actor: urls.actor(),
        published: post.created_at.rfc3339(),
        to,
        cc,
        object: note(urls, post),
    }
}

/// The `Create` of a post as sent, and as served at its activity URL.
pub fn create_document(urls: &Urls, post: &Post) -> Document<Create> {
    Document::new(object_context(), create(urls, post))
}

/// `Update` of an edited post, to the post's own audience.
#[derive(Clone, Debug, Serialize)]
pub struct UpdateNote {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub published: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub object: Value,
}

pub fn update_note(urls: &Urls, post: &Post) -> Document<UpdateNote> {
    update_at(urls, post, post.updated_at.unwrap_or(post.created_at))
}

/// `Update` of a poll's Question with its new totals, sent by the poll worker; its id names
/// the time it was sent, so each is a new activity to the receivers' deduplication.
pub fn update_question(urls: &Urls, post: &Post, sent: Timestamp) -> Document<UpdateNote> {
    update_at(urls, post, sent)
}

fn update_at(urls: &Urls, post: &Post, updated: Timestamp) -> Document<UpdateNote> {
    let (to, cc) = addressing(urls, post);
    Document::new(
        object_context(),
        UpdateNote {
            id: format!("{}#updates/{}", urls.post(post.id), updated.0),
            kind: "Update",
            actor: urls.actor(),
            published: updated.rfc3339(),
            to,
            cc,
            object: note(urls, post),
        },
    )
}

/// `Delete` of a post, with a Tombstone as Mastodon sends it.
#[derive(Clone, Debug, Serialize)]
pub struct Delete {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub object: Tombstone,
}

#[derive(Clone, Debug, Serialize)]
pub struct Tombstone {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "atomUri")]
    pub atom_uri: String,
}

pub fn delete_note(urls: &Urls, post: &Post) -> Document<Delete> {
    let (to, cc) = addressing(urls, post);
    Document::new(
        json!(AS_CONTEXT),
        Delete {
            id: format!("{}#delete", urls.post(post.id)),
            kind: "Delete",
            actor: urls.actor(),
            to,
            cc,
            object: Tombstone {
                id: urls.post(post.id),
                kind: "Tombstone",
                atom_uri: urls.post(post.id),
            },
        },
    )
}

/// A vote in someone else's poll: a `Create` of a `Note` whose `name` is the option, in reply to
/// the Question, addressed to its author alone (as Mastodon sends one per chosen option).
pub fn vote(
    urls: &Urls,
    id: &str,
    question: &str,
    author: &str,
    option: &str,
    now: Timestamp,
) -> Document<Create> {
    Document::new(
        json!(AS_CONTEXT),
        Create {
            id: format!("{id}/activity"),
            kind: "Create",
            actor: urls.actor(),
            published: now.rfc3339(),
            to: vec![author.to_string()],
            cc: Vec::new(),
            object: json!({
                "id": id,
                "type": "Note",
                "name": option,
                "attributedTo": urls.actor(),
                "inReplyTo": question,
                "to": author
            }),
        },
    )
}
