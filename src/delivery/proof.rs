//! Our outgoing activities carry an `eddsa-jcs-2022` proof (FEP-8b32) made with the owner's
//! Ed25519 key, so that a peer which reads proofs (Mitra, Fedify) can trust the activity however it
//! reaches it (forwarded, or fetched). The RSA HTTP signature stays as it is: Mastodon reads only
//! that, and ignores the proof.

use rusqlite::Connection;
use serde_json::Value;
use url::{Origin, Url};

use crate::federation::proofs::{self, ProofKey};
use crate::model::Timestamp;
use crate::store::settings;
use crate::urls::ed25519_key_id_of;

/// The owner's Ed25519 key, made on first use for a database from before it (and at `init`).
pub fn owner_key(conn: &Connection) -> rusqlite::Result<ProofKey> {
    let pkcs8 = match settings::get(conn, settings::ED25519_KEY)? {
        Some(pkcs8) => pkcs8,
        None => {
            // Another connection may make it first: whichever was stored wins.
            let made = ProofKey::generate().map_err(key_error)?;
            settings::set_if_missing(conn, settings::ED25519_KEY, &made)?;
            settings::get(conn, settings::ED25519_KEY)?.unwrap_or(made)
        }
    };
    ProofKey::from_pkcs8(&pkcs8).map_err(key_error)
}

fn key_error(e: proofs::ProofError) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(e.to_string())))
}

/// `activity` with the owner's proof, when its actor is on our origin (`own`); anything else (an
/// activity of someone else's that we pass on) goes as it is.
pub(super) fn prove(
    conn: &Connection,
    activity: Value,
    own: Option<&Origin>,
    now: Timestamp,
) -> rusqlite::Result<Value> {
    let Some(actor) = activity.get("actor").and_then(Value::as_str) else {
        return Ok(activity);
    };
    let ours = own.is_some_and(|own| Url::parse(actor).is_ok_and(|url| url.origin() == *own));
    if !ours || activity.get("proof").is_some() {
        return Ok(activity);
    }
    let key = owner_key(conn)?;
    let method = ed25519_key_id_of(actor);
    Ok(proofs::sign_activity(
        &activity,
        &key,
        &method,
        &now.rfc3339(),
    ))
}
