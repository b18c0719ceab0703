//! Outgoing ActivityPub documents, shaped like Mastodon's. Pure: values in, JSON out.
//!
//! One typed builder per outgoing activity (a `Serialize` struct and a `fn`, as Mitra's
//! `builders/` do): the domain picks the recipients, never the fields. Documents served as they
//! are (the actor, a Note, the collections) are built as `Value`s. Everything leaves through a
//! `serde_json::Value` (`delivery::enqueue`, the web's replies), whose keys are sorted, so a
//! struct's field order never shows on the wire.

mod activities;
mod actor;
mod collections;
mod moving;
mod notes;
mod quotes;

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::proofs;

pub use activities::{
    accept_follow, add_featured, announce, block, emoji_react, follow, like, reject_follow,
    remove_featured, undo_announce, undo_block, undo_emoji_react, undo_follow, undo_like, Announce,
    Answer, Block, EmojiReact, FeaturedChange, Follow, Like, TheirFollow, Undo,
};
pub use actor::{actor, update_actor, UpdatePerson};
pub use collections::{
    context, counted, counted_collection, counted_document, featured, network, network_page,
    outbox, outbox_page, replies, replies_page,
};
pub use moving::{move_account, Move};
pub use notes::{
    addressing, create, create_document, delete_note, note, note_document, note_document_with,
    update_note, update_question, vote, Create, Delete, NoteExtras, Tombstone, UpdateNote,
};
pub use quotes::{
    accept_quote, delete_authorization, interaction_policy, quote_authorization, quote_request,
    quote_terms, reject_quote,
};

pub const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
const SECURITY_CONTEXT: &str = "https://w3id.org/security/v1";

/// An activity with its `@context`, as sent; the same activity embedded in another (an Undo's
/// object, an outbox page's items) goes without.
#[derive(Clone, Debug, Serialize)]
pub struct Document<T> {
    #[serde(rename = "@context")]
    pub context: Value,
    #[serde(flatten)]
    pub activity: T,
}

impl<T: Serialize> Document<T> {
    fn new(context: Value, activity: T) -> Self {
        Document { context, activity }
    }

    /// With the plain ActivityStreams context.
    fn plain(activity: T) -> Self {
        Document::new(json!(AS_CONTEXT), activity)
    }

    /// As JSON, for the documents served as they are.
    pub fn to_value(&self) -> Value {
        to_value(self)
    }
}

/// A builder's struct as JSON: they hold strings, numbers and `Value`s only, which cannot fail.
fn to_value(document: &impl Serialize) -> Value {
    serde_json::to_value(document).unwrap_or(Value::Null)
}

/// The `@context` of actors: ActivityStreams, security (with Multikey and `assertionMethod`, in
/// Fedify's order), and Mastodon's extensions.
fn actor_context() -> Value {
    json!([
        AS_CONTEXT,
        SECURITY_CONTEXT,
        proofs::DATA_INTEGRITY_CONTEXT,
        proofs::DID_CONTEXT,
        proofs::MULTIKEY_CONTEXT,
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
        },
        quotes::quote_terms()
    ])
}

fn with_context(context: Value, document: Value) -> Value {
    let mut out = Map::new();
    out.insert("@context".into(), context);
    if let Value::Object(fields) = document {
        out.extend(fields);
    }
    Value::Object(out)
}

/// The JSON as sent (keys sorted, as `Value` keeps them).
impl<T: Serialize> std::fmt::Display for Document<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.to_value().fmt(f)
    }
}

#[cfg(test)]
mod tests;
