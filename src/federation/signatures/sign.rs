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
