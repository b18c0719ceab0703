//! Creating an instance's database and key, and reading them back.

use rusqlite::Connection;

use crate::config::Config;
use crate::federation::keys::{self, SigningKey};
use crate::model::Timestamp;
use crate::store::{self, profile, settings};
use crate::urls::Urls;

use super::{random_token, token_hash};

/// What `init` found and did.
#[derive(Debug)]
pub struct InitReport {
    pub created_database: bool,
    pub created_key: bool,
    pub has_password: bool,
}

/// Creates the database, the owner's profile and RSA key when missing. Running it again changes
/// nothing.
pub fn init(config: &Config) -> Result<(Connection, InitReport), String> {
    let created_database = !config.database.exists();
    let mut conn = store::open(&config.database, true)?;
    let name = config.database.display().to_string();
    let has_key = settings::get(&conn, settings::PRIVATE_KEY)
        .map_err(|e| format!("{name}: {e}"))?
        .is_some();
    // Generated outside the transaction: it takes a moment, and must not hold the write lock.
    let fresh = if has_key {
        None
    } else {
        Some(keys::generate().map_err(|e| e.to_string())?)
    };
    let created_key = store::write(&mut conn, |tx| {
        profile::create_if_missing(tx, &config.display_name, Timestamp::now())?;
        match &fresh {
            Some((der, pem)) => {
                let inserted = settings::set_if_missing(tx, settings::PRIVATE_KEY, der)?;
                if inserted {
                    settings::set(tx, settings::PUBLIC_KEY_PEM, pem.as_bytes())?;
                }
                Ok::<_, rusqlite::Error>(inserted)
            }
            None => Ok(false),
        }
    })
    .map_err(|e| format!("{name}: {e}"))?;
    // The Web Push (VAPID) key, published in the instance document from the start.
    super::push::vapid_public_key(&conn).map_err(|e| format!("{name}: {e}"))?;
    // The Ed25519 key of object proofs, published on the actor from the start.
    ed25519_multibase(&conn).map_err(|e| format!("{name}: {e}"))?;
    let has_password = settings::get(&conn, settings::PASSWORD_HASH)
        .map_err(|e| format!("{name}: {e}"))?
        .is_some();
    Ok((
        conn,
        InitReport {
            created_database,
            created_key,
            has_password,
        },
    ))
}

pub fn signing_key(conn: &Connection) -> Result<SigningKey, String> {
    let der = settings::get(conn, settings::PRIVATE_KEY)
        .map_err(|e| e.to_string())?
        .ok_or("the database has no key: run perch init")?;
    SigningKey::from_pkcs8(&der).map_err(|e| e.to_string())
}

pub fn public_key_pem(conn: &Connection) -> rusqlite::Result<String> {
    let pem = settings::get(conn, settings::PUBLIC_KEY_PEM)?.unwrap_or_default();
    Ok(String::from_utf8_lossy(&pem).into_owned())
}

/// The owner's Ed25519 public key as the actor publishes it (`z6Mk…`); made when missing, so a
/// database from before proofs gets one at its next start.
pub fn ed25519_multibase(conn: &Connection) -> rusqlite::Result<String> {
    Ok(crate::delivery::proof::owner_key(conn)?.public_multibase())
}

/// A new one-time set-up link while no password is set, replacing any earlier one.
pub fn issue_setup_link(conn: &Connection, urls: &Urls) -> Result<Option<String>, String> {
    let has_password = settings::get(conn, settings::PASSWORD_HASH)
        .map_err(|e| e.to_string())?
        .is_some();
    if has_password {
        return Ok(None);
    }
    let token = random_token();
    settings::set(
        conn,
        settings::SETUP_TOKEN_HASH,
        token_hash(&token).as_bytes(),
    )
    .map_err(|e| e.to_string())?;
    Ok(Some(urls.setup(&token)))
}

#[cfg(test)]
mod tests;
