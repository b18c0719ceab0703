//! An actor document read into a capped, sanitised record ([`NewActor`]).

use serde_json::Value;

use super::{
    authority, cap_chars, capped_raw, http_url, id_of, kind, link, prefix_chars, same_authority,
    text,
};
use crate::federation::keys::VerifyingKey;
use crate::federation::proofs::parse_ed25519_multibase;
use crate::model::{Field, NewActor};

use crate::text::sanitize_remote;

pub const MAX_DISPLAY_NAME_CHARS: usize = 100;
pub const MAX_SUMMARY_CHARS: usize = 5_000;
pub const MAX_REMOTE_FIELDS: usize = 16;
pub const MAX_FIELD_CHARS: usize = 255;
const MAX_USERNAME_CHARS: usize = 100;
/// An RSA-8192 key in PEM is about 1.5 KB.
const MAX_PEM_BYTES: usize = 16 * 1024;
/// Most entries of a `publicKey` list we look at.
const MAX_KEYS: usize = 8;

/// What counts as an actor.
pub const ACTOR_TYPES: [&str; 5] = ["Person", "Service", "Application", "Group", "Organization"];

pub fn is_actor_type(kind: &str) -> bool {
    ACTOR_TYPES.contains(&kind)
}

/// Reads an actor document. With `wanted_key`, the key kept is the one with that id (when the
/// document lists it as its own); otherwise the first key whose id is the actor's id with a
/// fragment.
pub fn parse_actor(document: &Value, wanted_key: Option<&str>) -> Result<NewActor, &'static str> {
    let uri = document
        .get("id")
        .and_then(Value::as_str)
        .and_then(http_url)
        .ok_or("the actor has no usable id")?;
    let kind = kind(document)
        .filter(|k| is_actor_type(k))
        .ok_or("the document is not an actor")?;
    let domain = authority(&uri).ok_or("the actor has no usable id")?;
    let inbox = document
        .get("inbox")
        .and_then(id_of)
        .ok_or("the actor has no usable inbox")?;
    let username = text(document.get("preferredUsername"), MAX_USERNAME_CHARS)
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| last_path_segment(&uri));
    let display_name = text(document.get("name"), MAX_DISPLAY_NAME_CHARS)
        .map(|name| name.trim().to_string())
        .unwrap_or_default();
    let summary_html = document
        .get("summary")
        .and_then(Value::as_str)
        .map(|html| sanitize_remote(prefix_chars(html, MAX_SUMMARY_CHARS)))
        .unwrap_or_default();
    let shared_inbox = document
        .get("endpoints")
        .and_then(|e| e.get("sharedInbox"))
        .and_then(id_of);
    Ok(NewActor {
        kind,
        username,
        domain,
        display_name,
        summary_html,
        fields: fields(document),
        url: link(document.get("url")).unwrap_or_else(|| uri.clone()),
        avatar_url: link(document.get("icon")),
        header_url: link(document.get("image")),
        inbox,
        shared_inbox,
        followers_uri: document.get("followers").and_then(id_of),
        manually_approves_followers: document
            .get("manuallyApprovesFollowers")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        moved_to: document.get("movedTo").and_then(id_of),
        key: own_key(document, &uri, wanted_key),
        ed25519_keys: ed25519_keys(document, &uri),
        raw: capped_raw(document),
        uri,
    })
}

/// The `PropertyValue` attachments: names as plain text, values sanitised, both capped.
fn fields(document: &Value) -> Vec<Field> {
    let Some(Value::Array(items)) = document.get("attachment") else {
        return Vec::new();
    };
    items
        .iter()
        .filter(|item| kind(item).as_deref() == Some("PropertyValue"))
        .filter_map(|item| {
            let name = cap_chars(item.get("name")?.as_str()?, MAX_FIELD_CHARS);
            let value = item.get("value")?.as_str()?;
            Some(Field {
                name: name.trim().to_string(),
                value: sanitize_remote(prefix_chars(value, MAX_FIELD_CHARS)),
            })
        })
        .take(MAX_REMOTE_FIELDS)
        .collect()
}

/// A key the document proves is its own: listed under `publicKey` with `owner` equal to the
/// actor's id, its id on the actor's host, and a PEM that reads as an RSA key.
fn own_key(document: &Value, actor_id: &str, wanted: Option<&str>) -> Option<(String, String)> {
    let entries: Vec<&Value> = match document.get("publicKey")? {
        Value::Array(items) => items.iter().take(MAX_KEYS).collect(),
        single => vec![single],
    };
    entries.into_iter().find_map(|entry| {
        let key_id = entry.get("id")?.as_str().and_then(http_url)?;
        let owner = entry.get("owner").and_then(Value::as_str)?;
        let pem = entry.get("publicKeyPem")?.as_str()?;
        // A key id other than `{actor id}#fragment` names a key document of its own; that is
        // believed only when fetched by that id and found to name this owner (`keys::fetch_key`).
        let on_actor = key_id.split('#').next() == Some(actor_id);
        let usable = owner == actor_id
            && same_authority(&key_id, actor_id)
            && match wanted {
                Some(wanted) => wanted == key_id,
                None => on_actor,
            }
            && pem.len() <= MAX_PEM_BYTES
            && VerifyingKey::from_pem(pem).is_ok();
        usable.then(|| (key_id, pem.to_string()))
    })
}

/// The Ed25519 Multikeys (FEP-521a) the actor lists under `assertionMethod` as its own: its
/// `controller` the actor's id, its id on the actor's host, and a `z6Mk…` key. `(key id, multibase)`.
fn ed25519_keys(document: &Value, actor_id: &str) -> Vec<(String, String)> {
    let entries: Vec<&Value> = match document.get("assertionMethod") {
        Some(Value::Array(items)) => items.iter().take(MAX_KEYS).collect(),
        Some(single) => vec![single],
        None => return Vec::new(),
    };
    entries
        .into_iter()
        .filter(|entry| kind(entry).as_deref() == Some("Multikey"))
        .filter_map(|entry| {
            let key_id = entry.get("id")?.as_str().and_then(http_url)?;
            let controller = entry.get("controller").and_then(Value::as_str)?;
            let multibase = entry.get("publicKeyMultibase")?.as_str()?;
            let usable = controller == actor_id
                && same_authority(&key_id, actor_id)
                && parse_ed25519_multibase(multibase).is_some();
            usable.then(|| (key_id, multibase.to_string()))
        })
        .collect()
}

fn last_path_segment(uri: &str) -> String {
    let segment = url::Url::parse(uri)
        .ok()
        .and_then(|u| {
            u.path_segments()
                .and_then(|mut s| s.rfind(|p| !p.is_empty()).map(str::to_string))
        })
        .unwrap_or_default();
    cap_chars(&segment, MAX_USERNAME_CHARS)
}

#[cfg(test)]
mod tests;
