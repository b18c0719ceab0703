//! The authorization-code flow: checking what an app asks for (the approve page), minting a
//! code once the owner approves, and exchanging it (with PKCE) for a token. Codes are stored
//! hashed, expire after ten minutes and work once.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::oauth::Consent;
use crate::model::Timestamp;
use crate::store::oauth::{self as stored, Code};

use super::{granted, issue, random_token, token_hash, Issued, OUT_OF_BAND};

pub const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;
const MAX_STATE_BYTES: usize = 2_000;

/// `/oauth/authorize`'s parameters, as sent (the same on the GET and the approve POST).
#[derive(Clone, Debug, Default)]
pub struct AuthorizeRequest {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

fn refused(message: &str) -> Error {
    Error::new(400, message)
}

/// Checks a request before anything is shown: the app exists, the redirect URI is one it
/// registered (else there is nowhere safe to send an answer: the page says so instead), the
/// scopes lie within its own, PKCE (if any) is S256. Mastodon refuses `plain` too.
pub fn check(conn: &Connection, request: &AuthorizeRequest) -> Result<Consent> {
    let client_id = request.client_id.as_deref().unwrap_or("");
    let app = match client_id {
        "" => None,
        id if id.len() <= 200 => stored::app_by_client_id(conn, id)?,
        _ => None,
    }
    .ok_or_else(|| refused("This app is unknown here: its client_id matches no registered app."))?;
    let redirect_uri = match request.redirect_uri.as_deref().filter(|u| !u.is_empty()) {
        Some(uri) => uri.to_string(),
        // Doorkeeper's rule: an app with one redirect URI may leave it out.
        None if app.redirect_uris.len() == 1 => app.redirect_uris[0].clone(),
        None => {
            return Err(refused(
                "The app did not say where to send the answer (redirect_uri).",
            ))
        }
    };
    if !app.redirect_uris.contains(&redirect_uri) {
        return Err(refused(
            "The app asked to send the answer to an address it did not register (redirect_uri).",
        ));
    }
    if request.response_type.as_deref() != Some("code") {
        return Err(refused("Only response_type=code is supported."));
    }
    let scopes = granted(&app, request.scope.as_deref())
        .map_err(|_| refused("The app asked for scopes beyond those it registered."))?;
    let code_challenge = request.code_challenge.clone().filter(|c| !c.is_empty());
    if let Some(challenge) = &code_challenge {
        // A challenge without a method means `plain` (RFC 7636), which Mastodon refuses.
        if request.code_challenge_method.as_deref() != Some("S256") {
            return Err(refused("Only the S256 code_challenge_method is supported."));
        }
        if challenge.len() != 43 || B64URL.decode(challenge).is_err() {
            return Err(refused("The code_challenge is not an S256 challenge."));
        }
    }
    if request
        .state
        .as_ref()
        .is_some_and(|s| s.len() > MAX_STATE_BYTES)
    {
        return Err(refused("The state parameter is too long."));
    }
    Ok(Consent {
        app_name: app.name,
        website: app.website,
        scopes: scopes.iter().map(str::to_string).collect(),
        client_id: app.client_id,
        redirect_uri,
        state: request.state.clone(),
        code_challenge,
        code_challenge_method: request.code_challenge_method.clone(),
    })
}

/// Where the owner's answer goes: a redirect to the app, or (out of band) a code to copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Redirect(String),
    ShowCode(String),
}

/// The owner approved: checks the request again and mints a code for it.
pub fn approve(conn: &Connection, request: &AuthorizeRequest, now: Timestamp) -> Result<Answer> {
    let consent = check(conn, request)?;
    let app = stored::app_by_client_id(conn, &consent.client_id)?
        .ok_or_else(|| refused("This app is unknown here."))?;
    let code = random_token();
    stored::forget_codes(conn, now)?;
    stored::insert_code(
        conn,
        &token_hash(&code),
        &Code {
            app_id: app.id,
            scopes: consent.scopes.join(" "),
            redirect_uri: consent.redirect_uri.clone(),
            code_challenge: consent.code_challenge.clone(),
            expires_at: Timestamp(now.0 + CODE_LIFETIME_MS),
        },
    )?;
    if consent.redirect_uri == OUT_OF_BAND {
        return Ok(Answer::ShowCode(code));
    }
    Ok(Answer::Redirect(with_query(
        &consent.redirect_uri,
        &[("code", Some(&code)), ("state", consent.state.as_deref())],
    )))
}

/// The owner said no: the app hears `access_denied` (out of band there is no one to tell).
pub fn deny(conn: &Connection, request: &AuthorizeRequest) -> Result<Option<String>> {
    let consent = check(conn, request)?;
    if consent.redirect_uri == OUT_OF_BAND {
        return Ok(None);
    }
    Ok(Some(with_query(
        &consent.redirect_uri,
        &[
            ("error", Some("access_denied")),
            (
                "error_description",
                Some("The resource owner or authorization server denied the request."),
            ),
            ("state", consent.state.as_deref()),
        ],
    )))
}

fn with_query(uri: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let Ok(mut url) = url::Url::parse(uri) else {
        return uri.to_string();
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
    }
    url.to_string()
}

/// The authorization_code grant. Every refusal is `invalid_grant`, as Doorkeeper answers: an
/// unknown, used or expired code, another app's code, another redirect URI, a wrong verifier.
pub fn exchange(
    conn: &Connection,
    app: &stored::App,
    code: &str,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
    now: Timestamp,
) -> Result<Issued> {
    let invalid = || Error::new(400, "invalid_grant");
    if code.is_empty() || code.len() > 200 {
        return Err(invalid());
    }
    let Some(stored_code) = stored::take_code(conn, &token_hash(code))? else {
        return Err(invalid());
    };
    if stored_code.app_id != app.id
        || stored_code.expires_at.0 <= now.0
        || redirect_uri != Some(stored_code.redirect_uri.as_str())
    {
        return Err(invalid());
    }
    if let Some(challenge) = &stored_code.code_challenge {
        let verifier = code_verifier.unwrap_or("");
        if !verifier_matches(verifier, challenge) {
            return Err(invalid());
        }
    }
    let scopes = super::Scopes::parse(&stored_code.scopes)?;
    issue(conn, app.id, &scopes, true, now)
}

/// RFC 7636's S256: the challenge is BASE64URL(SHA-256(verifier)); a verifier is 43 to 128
/// unreserved characters.
pub fn verifier_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed {
        return false;
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    super::auth::constant_time_eq(B64URL.encode(digest).as_bytes(), challenge.as_bytes())
}
