//! RFC 9530 `Content-Digest`: `sha-256=:…:` and `sha-512=:…:`, made and checked.

use ring::digest;

use super::fields::{self, BareItem, Member};
use super::Reason;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestAlgorithm {
    Sha256,
    Sha512,
}

/// The `Content-Digest` header value for `body`.
pub fn content_digest(body: &[u8], algorithm: DigestAlgorithm) -> String {
    let (name, algo) = match algorithm {
        DigestAlgorithm::Sha256 => ("sha-256", &digest::SHA256),
        DigestAlgorithm::Sha512 => ("sha-512", &digest::SHA512),
    };
    let hash = digest::digest(algo, body);
    let mut out = format!("{name}=");
    fields::serialize_bare(&mut out, &BareItem::Bytes(hash.as_ref().to_vec()));
    out
}

/// Every sha-256/sha-512 member must match `body`, and there must be at least one; other
/// algorithms are ignored (the sender may offer several).
pub fn check_content_digest(header: &str, body: &[u8]) -> Result<(), Reason> {
    let dict = fields::parse_dictionary(header).map_err(|_| Reason::DigestInvalid)?;
    let mut checked = false;
    for (name, member) in &dict {
        let algo = match name.as_str() {
            "sha-256" => &digest::SHA256,
            "sha-512" => &digest::SHA512,
            _ => continue,
        };
        let Member::Item(item) = member else {
            return Err(Reason::DigestInvalid);
        };
        let BareItem::Bytes(given) = &item.bare else {
            return Err(Reason::DigestInvalid);
        };
        if given.as_slice() != digest::digest(algo, body).as_ref() {
            return Err(Reason::DigestMismatch);
        }
        checked = true;
    }
    if checked {
        Ok(())
    } else {
        Err(Reason::DigestUnsupported)
    }
}
