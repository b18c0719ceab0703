//! Signing an outgoing request: the headers to send with it.

use super::super::keys::SigningKey;
use super::digest::sha256;
use super::signing_string::{host_header, path_and_query};
use super::{GET_HEADERS, POST_HEADERS};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::time::SystemTime;

/// Who signs: our private key and the URL of its public half (`…/users/me#main-key`).
pub struct Signer<'a> {
    pub key: &'a SigningKey,
    pub key_id: &'a str,
}

/// Headers to send with a POST; the body must be sent exactly as given.
pub fn sign_post(
    signer: &Signer,
    url: &url::Url,
    body: &[u8],
    content_type: &str,
    now: SystemTime,
) -> Vec<(&'static str, String)> {
    let host = host_header(url);
    let date = httpdate::fmt_http_date(now);
    let digest = format!("SHA-256={}", STANDARD.encode(sha256(body)));
    let signing_string = format!(
        "(request-target): post {}\nhost: {host}\ndate: {date}\ndigest: {digest}\ncontent-type: {content_type}",
        path_and_query(url)
    );
    let signature = signature_header(signer, POST_HEADERS, &signing_string);
    vec![
        ("Host", host),
        ("Date", date),
        ("Digest", digest),
        ("Content-Type", content_type.to_string()),
        ("Signature", signature),
    ]
}

/// Headers to send with a GET (Mastodon's "authorized fetch" wants them).
pub fn sign_get(
    signer: &Signer,
    url: &url::Url,
    accept: &str,
    now: SystemTime,
) -> Vec<(&'static str, String)> {
    let host = host_header(url);
    let date = httpdate::fmt_http_date(now);
    let signing_string = format!(
        "(request-target): get {}\nhost: {host}\ndate: {date}\naccept: {accept}",
        path_and_query(url)
    );
    let signature = signature_header(signer, GET_HEADERS, &signing_string);
    vec![
        ("Host", host),
        ("Date", date),
        ("Accept", accept.to_string()),
        ("Signature", signature),
    ]
}

pub(super) fn signature_header(signer: &Signer, headers: &str, signing_string: &str) -> String {
    let signature = STANDARD.encode(signer.key.sign(signing_string.as_bytes()));
    let key_id = signer.key_id.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        r#"keyId="{key_id}",algorithm="rsa-sha256",headers="{headers}",signature="{signature}""#
    )
}

/// Which kind of signature a peer takes: draft-cavage (every server) or RFC 9421 (Mastodon 4.5,
/// Fedify), learned per host by the double knock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Cavage,
    Rfc9421,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Cavage => "draft-cavage",
            Scheme::Rfc9421 => "rfc9421",
        }
    }

    pub fn parse(text: &str) -> Option<Scheme> {
        [Scheme::Cavage, Scheme::Rfc9421]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// The second knock's.
    pub fn other(self) -> Scheme {
        match self {
            Scheme::Cavage => Scheme::Rfc9421,
            Scheme::Rfc9421 => Scheme::Cavage,
        }
    }
}

/// Headers to send with a POST signed the RFC 9421 way (`@method @target-uri content-digest`,
/// rsa-v1_5-sha256 with the same key). `Date` goes along for servers that log it.
pub fn sign_post_rfc9421(
    signer: &Signer,
    url: &url::Url,
    body: &[u8],
    content_type: &str,
    now: SystemTime,
) -> Option<Vec<(&'static str, String)>> {
    let signed = super::super::rfc9421::sign_request(
        &super::super::rfc9421::Signer::Rsa(signer.key),
        signer.key_id,
        "POST",
        url.as_str(),
        Some(body),
        now,
    )
    .ok()?;
    let mut headers = vec![
        ("Host", host_header(url)),
        ("Date", httpdate::fmt_http_date(now)),
        ("Content-Type", content_type.to_string()),
        ("Signature-Input", signed.signature_input),
        ("Signature", signed.signature),
    ];
    if let Some(digest) = signed.content_digest {
        headers.push(("Content-Digest", digest));
    }
    Some(headers)
}
