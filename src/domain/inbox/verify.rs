//! The verify half: proves that an inbox POST may do what it claims, before anything is stored.
//!
//! Read this file alone to audit inbound security. The signature's shape, coverage, Digest and
//! Date were checked by `signatures::check` (no key needed); here the body is read, the key found
//! (cached, or fetched with a signed GET, refetched once on failure for key rotation), the
//! signature verified, and the key's owner, the activity's actor and the activity's host tied
//! together. An activity carrying an integrity proof (FEP-8b32) by a key its actor lists is
//! verified with that key too: a valid one makes it the actor's even when another server signed
//! the request (a forward, taken as it is), an invalid one is refused.

use std::ops::Deref;

use rusqlite::Connection;
use serde_json::Value;

use crate::federation::proofs::{self, ProofError};
use crate::federation::signatures::PendingSignature;
use crate::federation::vocab::{authority, same_authority};
use crate::model::Timestamp;
use crate::store::moderation::{self, Restriction};
use crate::store::{actors, follows};
use crate::urls::Urls;

use super::super::actors::keys::{
    cached_key, cached_proof_key, fetch_actor_keys, fetch_key_document, store_actor_keys,
    store_key, CachedProofKey, KeyOwner, ProofKeyOwner,
};
use super::super::actors::{ActorError, Fetch};
use super::activity::{self, Activity};

/// Why a request is refused; the message is one line, safe to send back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 400: the body is not an activity.
    Malformed(String),
    /// 401: signature, key or actor problems.
    Unauthorized(String),
    /// 403: the sender's domain is blocked here.
    Forbidden(String),
    /// 503: our database failed; the sender should try again.
    Unavailable(String),
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Malformed(_) => 400,
            Refusal::Unauthorized(_) => 401,
            Refusal::Forbidden(_) => 403,
            Refusal::Unavailable(_) => 503,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Refusal::Malformed(m)
            | Refusal::Unauthorized(m)
            | Refusal::Forbidden(m)
            | Refusal::Unavailable(m) => m,
        }
    }
}

fn unauthorized(why: impl Into<String>) -> Refusal {
    Refusal::Unauthorized(why.into())
}

/// What to do with a verified activity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Queue it.
    Accept,
    /// Answer 202 and keep nothing (the sender is blocked, or it deletes an actor we never knew).
    Drop(&'static str),
    /// Answer 202 and fetch this object from its origin (a forwarded activity).
    Forwarded(String),
}

/// The body as an activity: JSON (valid UTF-8, no lone surrogates, nested at most 128 deep, as
/// serde_json enforces) holding an object with an id, a type and one actor.
pub fn parse_body(body: &[u8]) -> Result<Activity, Refusal> {
    let document: Value = serde_json::from_slice(body)
        .map_err(|_| Refusal::Malformed("the body is not valid JSON".into()))?;
    activity::parse(document).map_err(|why| Refusal::Malformed(why.into()))
}

/// Proves that `activity` comes from its actor. Blocking: reads the database and may fetch the
/// key; run it off the async threads. `connect` lends a connection for each step that needs one,
/// so that none is held while a key is fetched.
pub fn authenticate<C: Deref<Target = Connection>>(
    connect: impl Fn() -> Result<C, Refusal>,
    remote: &dyn Fetch,
    urls: &Urls,
    signature: &PendingSignature,
    activity: &Activity,
    now: Timestamp,
) -> Result<Verdict, Refusal> {
    let key_id = signature.key_id.as_str();
    if same_authority(&activity.actor, urls.origin()) || same_authority(key_id, urls.origin()) {
        return Err(unauthorized("the actor claims to be on this server"));
    }
    let conn = connect()?;
    for uri in [key_id, activity.actor.as_str()] {
        let host = authority(uri).ok_or_else(|| unauthorized("the keyId is not an http(s) URL"))?;
        let blocked = actors::is_domain_blocked(&conn, &host).map_err(internal)?;
        if blocked {
            return Err(Refusal::Forbidden(
                "this server does not accept activities from your domain".into(),
            ));
        }
    }
    if !same_authority(&activity.id, &activity.actor) {
        return Err(unauthorized("the activity's id is not on its actor's host"));
    }

    let cached = cached_key(&conn, key_id).map_err(internal)?;
    if cached.is_none() && deletes_itself(activity) {
        // Servers announce deleted accounts to everyone; their keys are gone, and we never
        // knew this one: nothing to do, and nothing to fetch.
        return Ok(Verdict::Drop("a Delete of an actor we never knew"));
    }
    let (owner, conn) = match cached {
        Some(owner) if signature.verify(&owner.key).is_ok() => (owner, conn),
        // Key rotation: a cached key that fails is fetched again, at most every five minutes.
        Some(owner) if !owner.may_refetch(now) => {
            return Err(unauthorized("the signature does not match the key"))
        }
        _ => {
            drop(conn);
            let fetched = fetch_key_document(remote, key_id).map_err(cannot_get_key)?;
            let conn = connect()?;
            let owner = store_key(&conn, fetched, now).map_err(cannot_get_key)?;
            (verified(owner, signature)?, conn)
        }
    };
    let (proof, conn) = check_proof(conn, &connect, remote, activity, now)?;
    let actor_id = match proof {
        // The actor's own proof: the activity is theirs, whichever server passed it on.
        Proof::Valid(author) => author.actor_id,
        Proof::Absent if owner.actor_uri != activity.actor => {
            return forwarded(&conn, &owner, activity)
        }
        Proof::Absent => owner.actor_id,
    };
    if moderation::has(&conn, actor_id, Restriction::Block).map_err(internal)? {
        return Ok(Verdict::Drop("the actor is blocked"));
    }
    Ok(Verdict::Accept)
}

/// What an activity's own integrity proof (FEP-8b32) says of it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Proof {
    /// No proof by a key its actor lists (none, another suite, a key on another host, or one the
    /// actor's document does not name): the signature rules alone decide.
    Absent,
    /// A key of the actor verifies it.
    Valid(ProofKeyOwner),
}

/// Checks the proof made with a key of the activity's actor, when there is one. A proof by such a
/// key that does not verify is refused, however the request was signed. The key comes from the stored actor, which is fetched
/// again (at most every five minutes) when it does not list the key or the key fails: rotation.
fn check_proof<C: Deref<Target = Connection>>(
    conn: C,
    connect: &impl Fn() -> Result<C, Refusal>,
    remote: &dyn Fetch,
    activity: &Activity,
    now: Timestamp,
) -> Result<(Proof, C), Refusal> {
    let Some((method, document)) = proofs::verification_methods(&activity.document)
        .into_iter()
        .find(|method| same_authority(method, &activity.actor))
        .and_then(|method| {
            let mut document = proofs::only_proof_by(&activity.document, method)?;
            // An LD Signature (RsaSignature2017) is added after the proof (Fedify does both):
            // the proof never covers it, so it is set aside as Fedify's own inbox does.
            if let Some(fields) = document.as_object_mut() {
                fields.remove("signature");
            }
            Some((method, document))
        })
    else {
        return Ok((Proof::Absent, conn));
    };
    match proofs::check_shape(&document) {
        Ok(()) => {}
        Err(ProofError::Unsupported) => return Ok((Proof::Absent, conn)),
        Err(e) => return Err(unauthorized(format!("the activity's proof: {e}"))),
    }
    let bad = || unauthorized("the activity's proof does not verify with its actor's key");
    let cached = cached_proof_key(&conn, &activity.actor, method).map_err(internal)?;
    let failed = match &cached {
        CachedProofKey::Listed(owner, _) => match proofs::verify(&document, &owner.key) {
            Ok(()) => return Ok((Proof::Valid(owner.clone()), conn)),
            Err(_) => true,
        },
        _ => false,
    };
    if !cached.may_refetch(now) {
        return if failed {
            Err(bad())
        } else {
            Ok((Proof::Absent, conn))
        };
    }
    drop(conn);
    let fetched = fetch_actor_keys(remote, &activity.actor);
    let conn = connect()?;
    let refreshed = match fetched {
        Ok(actor) => store_actor_keys(&conn, actor, method, now).map_err(cannot_get_key)?,
        Err(_) if failed => return Err(bad()),
        // The actor's server cannot tell us its keys now: the signature rules decide.
        Err(_) => return Ok((Proof::Absent, conn)),
    };
    match refreshed {
        CachedProofKey::Listed(owner, _) => match proofs::verify(&document, &owner.key) {
            Ok(()) => Ok((Proof::Valid(owner), conn)),
            Err(_) => Err(bad()),
        },
        _ => Ok((Proof::Absent, conn)),
    }
}

/// An activity signed by another server than its actor's: inbox forwarding (Mastodon forwards
/// replies to the followers of the thread's author). Its body proves nothing, so it is never
/// stored; a Create of an object on its actor's host, forwarded by an account the owner follows
/// (who is not blocked, about an actor who is not), has the object fetched from its own origin.
fn forwarded(
    conn: &Connection,
    signer: &KeyOwner,
    activity: &Activity,
) -> Result<Verdict, Refusal> {
    let refuse = || unauthorized("the activity's actor is not the owner of the signing key");
    let object = activity
        .object_id()
        .filter(|_| activity.kind == "Create")
        .filter(|id| same_authority(id, &activity.actor))
        .ok_or_else(refuse)?;
    let signer_followed = follows::is_following(conn, signer.actor_id).map_err(internal)?;
    if !signer_followed
        || moderation::has(conn, signer.actor_id, Restriction::Block).map_err(internal)?
    {
        return Err(refuse());
    }
    if moderation::has_uri(conn, &activity.actor, Restriction::Block).map_err(internal)? {
        return Ok(Verdict::Drop("the actor is blocked"));
    }
    Ok(Verdict::Forwarded(object))
}

fn cannot_get_key(e: ActorError) -> Refusal {
    unauthorized(format!("cannot get the signing key: {e}"))
}

fn verified(owner: KeyOwner, signature: &PendingSignature) -> Result<KeyOwner, Refusal> {
    signature
        .verify(&owner.key)
        .map_err(|e| unauthorized(e.to_string()))?;
    Ok(owner)
}

fn deletes_itself(activity: &Activity) -> bool {
    activity.kind == "Delete" && activity.object_id().as_deref() == Some(activity.actor.as_str())
}

/// A database failure while verifying: not the sender's fault, and worth a retry.
pub fn internal(e: rusqlite::Error) -> Refusal {
    crate::log::warn("inbox", "database error while verifying", &[("error", &e)]);
    Refusal::Unavailable("cannot verify the request right now; try again later".into())
}
