//! Remote actors' signing keys: the cache in `actors`, fetching a key by its id, and the rule for
//! refetching one that failed (key rotation).
//!
//! A key is only ever believed to belong to the actor whose own document lists it: `publicKey.id`
//! equal to the key id, `publicKey.owner` equal to the document's id, and both on one host.

use rusqlite::Connection;

use crate::federation::keys::VerifyingKey;
use crate::federation::proofs::parse_ed25519_multibase;
use crate::federation::vocab::{http_url, id_of, same_authority};
use crate::model::NewActor;
use crate::model::Timestamp;
use crate::store::actors;

use super::{invalid, parse_actor, refuse_blocked, ActorError, Fetch};

/// A key that failed to verify is fetched again only if we fetched it longer ago than this, so
/// that a stream of bad signatures cannot make us fetch the same key over and over.
pub const REFETCH_AFTER_MS: i64 = 5 * 60 * 1000;

/// A key and the actor it belongs to.
#[derive(Clone, Debug)]
pub struct KeyOwner {
    pub actor_id: i64,
    pub actor_uri: String,
    pub key: VerifyingKey,
    pub fetched_at: Option<Timestamp>,
}

impl KeyOwner {
    /// Whether a failed verification may fetch the key again (see [`REFETCH_AFTER_MS`]).
    pub fn may_refetch(&self, now: Timestamp) -> bool {
        self.fetched_at
            .is_none_or(|at| now.0.saturating_sub(at.0) > REFETCH_AFTER_MS)
    }
}

/// The key named `key_id`, if we hold it.
pub fn cached_key(conn: &Connection, key_id: &str) -> rusqlite::Result<Option<KeyOwner>> {
    let Some(stored) = actors::key_by_id(conn, key_id)? else {
        return Ok(None);
    };
    // A key stored by an older Perch that no longer reads is as good as none.
    Ok(VerifyingKey::from_pem(&stored.pem)
        .ok()
        .map(|key| KeyOwner {
            actor_id: stored.actor_id,
            actor_uri: stored.actor_uri,
            key,
            fetched_at: stored.key_fetched_at,
        }))
}

/// Fetches the key `key_id` and its owner, proves that the owner lists it as its own, and stores
/// both. The key id is usually the actor's id with a fragment (`…/users/a#main-key`); a key
/// published as a document of its own must name an owner on its host, whose document lists it.
pub fn fetch_key(
    conn: &Connection,
    remote: &dyn Fetch,
    key_id: &str,
    now: Timestamp,
) -> Result<KeyOwner, ActorError> {
    let key_url = http_url(key_id).ok_or_else(|| invalid("the keyId is not an http(s) URL"))?;
    refuse_blocked(conn, &key_url)?;
    let fetched = fetch_key_document(remote, key_id)?;
    store_key(conn, fetched, now)
}

/// A key and its owner's document, fetched and proven as [`fetch_key`] says, not yet stored.
pub struct FetchedKey {
    actor: NewActor,
    key: VerifyingKey,
}

/// The network half of [`fetch_key`]: needs no database, so no connection is held meanwhile.
/// The caller has refused blocked domains already.
pub fn fetch_key_document(remote: &dyn Fetch, key_id: &str) -> Result<FetchedKey, ActorError> {
    let key_url = http_url(key_id).ok_or_else(|| invalid("the keyId is not an http(s) URL"))?;
    let document = remote.get_activity(&key_url)?;
    let without_fragment = key_url.split('#').next().unwrap_or_default();
    let actor_document = if document.get("inbox").is_some() {
        // The key id is the actor's id with a fragment: that document must be that actor.
        if document.get("id").and_then(|id| id.as_str()) != Some(without_fragment) {
            return Err(invalid("the key's document is not the actor it names"));
        }
        document
    } else {
        let owner = document
            .get("owner")
            .and_then(id_of)
            .ok_or_else(|| invalid("the key document names no owner"))?;
        if !same_authority(&owner, key_id) {
            return Err(invalid("the key's owner is on another host"));
        }
        let owner_document = remote.get_activity(&owner)?;
        if owner_document.get("id").and_then(|id| id.as_str()) != Some(owner.as_str()) {
            return Err(invalid("the key's owner is not the actor it names"));
        }
        owner_document
    };
    let actor = parse_actor(&actor_document, Some(key_id)).map_err(invalid)?;
    let Some((_, pem)) = &actor.key else {
        return Err(invalid("the actor does not list this key as its own"));
    };
    let key = VerifyingKey::from_pem(pem).map_err(|e| ActorError::Invalid(e.to_string()))?;
    Ok(FetchedKey { actor, key })
}

/// The database half of [`fetch_key`]: stores the owner (and so the key), unless its domain is
/// blocked.
pub fn store_key(
    conn: &Connection,
    fetched: FetchedKey,
    now: Timestamp,
) -> Result<KeyOwner, ActorError> {
    let FetchedKey { actor, key } = fetched;
    refuse_blocked(conn, &actor.uri)?;
    let actor_id = actors::upsert(conn, &actor, now)?;
    Ok(KeyOwner {
        actor_id,
        actor_uri: actor.uri,
        key,
        fetched_at: Some(now),
    })
}

/// An actor's Ed25519 key (FEP-521a), as its own document lists it under `assertionMethod`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofKeyOwner {
    pub actor_id: i64,
    pub key: [u8; 32],
}

/// What the store says about the Ed25519 key `key_id` of the actor `actor_uri`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CachedProofKey {
    /// The actor, fetched at this time, lists it.
    Listed(ProofKeyOwner, Timestamp),
    /// The actor, fetched at this time, does not list it.
    NotListed(Timestamp),
    /// We do not know the actor.
    UnknownActor,
}

impl CachedProofKey {
    /// Whether fetching the actor again may change the answer (see [`REFETCH_AFTER_MS`]).
    pub fn may_refetch(&self, now: Timestamp) -> bool {
        match self {
            CachedProofKey::Listed(_, fetched) | CachedProofKey::NotListed(fetched) => {
                now.0.saturating_sub(fetched.0) > REFETCH_AFTER_MS
            }
            CachedProofKey::UnknownActor => true,
        }
    }
}

/// The Ed25519 key `key_id` of `actor_uri`, from the store.
pub fn cached_proof_key(
    conn: &Connection,
    actor_uri: &str,
    key_id: &str,
) -> rusqlite::Result<CachedProofKey> {
    let Some(stored) = actors::ed25519_keys(conn, actor_uri)? else {
        return Ok(CachedProofKey::UnknownActor);
    };
    let key = stored
        .keys
        .iter()
        .find(|(id, _)| id == key_id)
        .and_then(|(_, multibase)| parse_ed25519_multibase(multibase));
    Ok(match key {
        Some(key) => CachedProofKey::Listed(
            ProofKeyOwner {
                actor_id: stored.actor_id,
                key,
            },
            stored.fetched_at,
        ),
        None => CachedProofKey::NotListed(stored.fetched_at),
    })
}

/// The network half of refreshing an actor for its Ed25519 keys: its document, by its id, read;
/// no connection is held meanwhile. The caller has refused blocked domains already.
pub fn fetch_actor_keys(remote: &dyn Fetch, actor_uri: &str) -> Result<NewActor, ActorError> {
    let document = remote.get_activity(actor_uri)?;
    let actor = parse_actor(&document, None).map_err(invalid)?;
    if actor.uri != actor_uri {
        return Err(invalid("the actor's id is not the URL it was fetched from"));
    }
    Ok(actor)
}

/// The database half: stores the actor (unless its domain is blocked), then reads the key again.
pub fn store_actor_keys(
    conn: &Connection,
    actor: NewActor,
    key_id: &str,
    now: Timestamp,
) -> Result<CachedProofKey, ActorError> {
    refuse_blocked(conn, &actor.uri)?;
    actors::upsert(conn, &actor, now)?;
    Ok(cached_proof_key(conn, &actor.uri, key_id)?)
}

#[cfg(test)]
mod tests;
