//! The `Digest` header: SHA-256 of the body.

use super::SignatureError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

pub(super) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, data).as_ref());
    out
}

/// `Digest: SHA-256=…` (also lowercase, also in a list with other algorithms) must match the body.
pub(super) fn check_digest(header: &str, body: &[u8]) -> Result<(), SignatureError> {
    let mut sha256_value = None;
    for part in header.split(',') {
        let (algorithm, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::DigestInvalid)?;
        if algorithm.trim().eq_ignore_ascii_case("SHA-256") {
            if sha256_value.is_some() {
                return Err(SignatureError::DigestInvalid);
            }
            sha256_value = Some(value.trim());
        }
    }
    let value = sha256_value.ok_or(SignatureError::DigestNotSha256)?;
    let given = STANDARD
        .decode(value)
        .map_err(|_| SignatureError::DigestInvalid)?;
    if given.len() != 32 {
        return Err(SignatureError::DigestInvalid);
    }
    if given != sha256(body) {
        return Err(SignatureError::DigestMismatch);
    }
    Ok(())
}
