//! The owner's actor document and its Update.

use serde::Serialize;
use serde_json::{json, Value};

use super::{actor_context, Document};
use crate::model::{Media, Profile, Timestamp};
use crate::urls::{Urls, AS_PUBLIC};

pub(super) fn image(urls: &Urls, media: &Media) -> Value {
    json!({
        "type": "Image",
        "mediaType": media.mime,
        "url": urls.media(media.id, &media.file_name())
    })
}

/// The owner as a `Person`. `fields_html` are the profile fields with values already rendered;
/// the RSA key signs HTTP requests, the Ed25519 one (`z6Mk…`, FEP-521a) object proofs.
pub fn actor(
    urls: &Urls,
    profile: &Profile,
    fields_html: &[(String, String)],
    public_key_pem: &str,
    ed25519_multibase: &str,
) -> Value {
    let mut actor = json!({
        "@context": actor_context(),
        "id": urls.actor(),
        // Mastodon shows a `Service` as a bot.
        "type": if profile.bot { "Service" } else { "Person" },
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
        "assertionMethod": [{
            "id": urls.ed25519_key_id(),
            "type": "Multikey",
            "controller": urls.actor(),
            "publicKeyMultibase": ed25519_multibase
        }],
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
    // Mastodon leaves both out when there is nothing to say.
    if !profile.also_known_as.is_empty() {
        let aliases: Vec<&str> = profile
            .also_known_as
            .iter()
            .map(|a| a.uri.as_str())
            .collect();
        actor["alsoKnownAs"] = json!(aliases);
    }
    if let Some(target) = &profile.moved_to {
        actor["movedTo"] = json!(target.uri);
    }
    actor
}

/// `Update` of the owner's profile, to followers and the public.
#[derive(Clone, Debug, Serialize)]
pub struct UpdatePerson {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub to: [String; 1],
    pub cc: [String; 1],
    /// The actor document, without its `@context` (the Update carries it).
    pub object: Value,
}

/// The Update of the owner's profile, carrying `actor_document` (from [`actor`]).
pub fn update_actor(
    urls: &Urls,
    actor_document: Value,
    updated: Timestamp,
) -> Document<UpdatePerson> {
    let mut object = actor_document;
    let context = object
        .as_object_mut()
        .and_then(|o| o.remove("@context"))
        .unwrap_or_else(actor_context);
    Document::new(
        context,
        UpdatePerson {
            id: format!("{}#updates/{}", urls.actor(), updated.0),
            kind: "Update",
            actor: urls.actor(),
            to: [AS_PUBLIC.to_string()],
            cc: [urls.followers()],
            object,
        },
    )
}
