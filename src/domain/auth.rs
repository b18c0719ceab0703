//! The owner's password, browser sessions, the set-up token and the login rate limit.

use std::num::NonZeroU32;

use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine;
use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::Timestamp;
use crate::store::{self, sessions, settings};

use super::{random_token, token_hash};

/// PBKDF2-HMAC-SHA256 rounds: OWASP's 2023 figure; about a second on a Raspberry Pi.
const PBKDF2_ROUNDS: u32 = 600_000;
pub const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_BYTES: usize = 1024;
/// The browser session's cookie (the web page sets it; the API's authorize page reads it).
pub const SESSION_COOKIE: &str = "perch_session";
/// Sessions unused for this long end.
pub const SESSION_IDLE_MS: i64 = 30 * 24 * 3600 * 1000;
const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1000;
const MAX_FAILURES_PER_ADDRESS: u64 = 5;
/// Across all addresses: a distributed guess at the one password slows down too.
const MAX_FAILURES_IN_ALL: u64 = 50;

pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut salt)
        .expect("the system random source is available");
    let mut hash = [0u8; 32];
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        NonZeroU32::new(PBKDF2_ROUNDS).expect("non-zero"),
        &salt,
        password.as_bytes(),
        &mut hash,
    );
    format!(
        "pbkdf2-sha256${PBKDF2_ROUNDS}${}${}",
        B64.encode(salt),
        B64.encode(hash)
    )
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let ["pbkdf2-sha256", rounds, salt, hash] = parts.as_slice() else {
        return false;
    };
    let (Ok(rounds), Ok(salt), Ok(hash)) =
        (rounds.parse::<u32>(), B64.decode(salt), B64.decode(hash))
    else {
        return false;
    };
    let Some(rounds) = NonZeroU32::new(rounds) else {
        return false;
    };
    ring::pbkdf2::verify(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        rounds,
        &salt,
        password.as_bytes(),
        &hash,
    )
    .is_ok()
}

pub fn check_new_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::bad_request(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::bad_request("the password is too long"));
    }
    Ok(())
}

/// Sets the password, ends every session and spends the set-up token.
pub fn set_password(conn: &mut Connection, password: &str) -> Result<()> {
    check_new_password(password)?;
    let hash = hash_password(password);
    store::write(conn, |tx| {
        settings::set(tx, settings::PASSWORD_HASH, hash.as_bytes())?;
        settings::delete(tx, settings::SETUP_TOKEN_HASH)?;
        sessions::delete_others(tx, None)?;
        Ok(())
    })
}

/// A logged-in browser.
#[derive(Clone, Debug)]
pub struct Session {
    pub token_hash: String,
    pub csrf_token: String,
}

/// Starts a session; returns the cookie value and the session.
pub fn start_session(
    conn: &Connection,
    user_agent: &str,
    now: Timestamp,
) -> Result<(String, Session)> {
    let token = random_token();
    let session = Session {
        token_hash: token_hash(&token),
        csrf_token: random_token(),
    };
    let user_agent: String = user_agent.chars().take(200).collect();
    sessions::forget_idle(conn, Timestamp(now.0 - SESSION_IDLE_MS))?;
    sessions::insert(
        conn,
        &session.token_hash,
        &session.csrf_token,
        &user_agent,
        now,
    )?;
    Ok((token, session))
}

pub fn session(conn: &Connection, cookie: &str, now: Timestamp) -> Result<Option<Session>> {
    if cookie.len() > 100 {
        return Ok(None);
    }
    let hash = token_hash(cookie);
    let Some(csrf_token) = sessions::get(conn, &hash, Timestamp(now.0 - SESSION_IDLE_MS))? else {
        return Ok(None);
    };
    sessions::touch(conn, &hash, now)?;
    Ok(Some(Session {
        token_hash: hash,
        csrf_token,
    }))
}

pub fn end_session(conn: &Connection, session: &Session) -> Result<()> {
    sessions::delete(conn, &session.token_hash)?;
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub enum LoginRefusal {
    WrongPassword,
    TooManyAttempts,
    NoPasswordYet,
}

/// Checks the password, with the rate limit applied before the (slow) hash is computed.
pub fn login(
    conn: &Connection,
    address: &str,
    password: &str,
    now: Timestamp,
) -> Result<Result<(), LoginRefusal>> {
    let since = Timestamp(now.0 - LOGIN_WINDOW_MS);
    let (from_address, in_all) = sessions::login_failures_since(conn, address, since)?;
    if from_address >= MAX_FAILURES_PER_ADDRESS || in_all >= MAX_FAILURES_IN_ALL {
        return Ok(Err(LoginRefusal::TooManyAttempts));
    }
    let Some(stored) = settings::get(conn, settings::PASSWORD_HASH)? else {
        return Ok(Err(LoginRefusal::NoPasswordYet));
    };
    if password.len() <= MAX_PASSWORD_BYTES
        && verify_password(password, &String::from_utf8_lossy(&stored))
    {
        return Ok(Ok(()));
    }
    sessions::record_login_failure(conn, address, now)?;
    sessions::forget_login_failures(conn, Timestamp(now.0 - 2 * LOGIN_WINDOW_MS))?;
    Ok(Err(LoginRefusal::WrongPassword))
}

/// True when `token` is the current set-up token (and no password is set yet).
pub fn setup_token_valid(conn: &Connection, token: &str) -> Result<bool> {
    if token.is_empty()
        || token.len() > 100
        || settings::get(conn, settings::PASSWORD_HASH)?.is_some()
    {
        return Ok(false);
    }
    let stored = settings::get(conn, settings::SETUP_TOKEN_HASH)?;
    Ok(stored.is_some_and(|hash| constant_time_eq(&hash, token_hash(token).as_bytes())))
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests;
