//! RFC 9421 HTTP Message Signatures (what Mastodon 4.5 and Fedify send), with RFC 9530
//! `Content-Digest`. Pure code: no I/O; the clock and the key lookup come in as arguments.
//!
//! [`verify_request`] applies the inbox's policy on top of the RFC: a signature counts only
//! when it covers `@method`, `@target-uri` (or `@authority` + `@path`) and, for a request with
//! a body, `content-digest` (checked against the body), with `created` inside the caller's
//! window. Of several signatures one valid is enough. [`sign_request`] signs outgoing requests.

mod base;
mod digest;
pub mod fields;
#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod hostile;
#[cfg(test)]
mod shapes;
mod sign;
#[cfg(test)]
mod tests;

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use ring::signature::{self, UnparsedPublicKey};

use fields::{BareItem, Dictionary, FieldError, Item, Member, Params};

pub use base::signature_base;
pub use digest::{check_content_digest, content_digest, DigestAlgorithm};
pub use sign::{sign_request, SignedHeaders, Signer};

/// Signatures looked at in one request; more is refused, not truncated.
const MAX_SIGNATURES: usize = 4;

/// Byte sequences with or without their `=` padding (some signers drop it).
pub(crate) const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// An incoming request as the inbox sees it.
pub struct Request<'a> {
    pub method: &'a str,
    /// The full URI the server answered, e.g. `https://perch.example/users/me/inbox`.
    pub target_uri: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// How far `created` may be from now.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub max_age: Duration,
    pub max_future: Duration,
}

/// A signer's public key, as `key_lookup` resolves a `keyid`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKey {
    /// PKCS#1 `RSAPublicKey` DER.
    Rsa(Vec<u8>),
    /// The 32 raw bytes.
    Ed25519(Vec<u8>),
    /// The uncompressed SEC1 point (65 bytes).
    EcdsaP256(Vec<u8>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    RsaV15Sha256,
    RsaPssSha512,
    Ed25519,
    EcdsaP256Sha256,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::RsaV15Sha256 => "rsa-v1_5-sha256",
            Algorithm::RsaPssSha512 => "rsa-pss-sha512",
            Algorithm::Ed25519 => "ed25519",
            Algorithm::EcdsaP256Sha256 => "ecdsa-p256-sha256",
        }
    }

    fn from_name(name: &str) -> Option<Algorithm> {
        [
            Algorithm::RsaV15Sha256,
            Algorithm::RsaPssSha512,
            Algorithm::Ed25519,
            Algorithm::EcdsaP256Sha256,
        ]
        .into_iter()
        .find(|a| a.name() == name)
    }
}

/// A signature that passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub label: String,
    pub key_id: String,
    pub algorithm: Algorithm,
    /// The covered component names, in order.
    pub covered: Vec<String>,
    pub created: i64,
}

/// Why the request is refused (a 401 for the inbox).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotSigned,
    TooLong,
    TooMany,
    Malformed(&'static str),
    /// Every signature failed, each for the reason given with its label.
    Invalid(Vec<(String, Reason)>),
}

/// Why one signature failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    Malformed(&'static str),
    MissingSignature,
    NotCovered(&'static str),
    NoCreated,
    CreatedTooOld,
    CreatedInFuture,
    Expired,
    NoKeyId,
    UnknownKey,
    UnsupportedAlgorithm,
    AlgorithmDoesNotFitKey,
    UnsupportedComponent(String),
    MissingComponent(String),
    BadTargetUri,
    DigestInvalid,
    DigestUnsupported,
    DigestMismatch,
    BadSignature,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Malformed(why) => write!(f, "malformed: {why}"),
            Reason::MissingSignature => f.write_str("no Signature member for this label"),
            Reason::NotCovered(name) => write!(f, "{name} is not covered"),
            Reason::NoCreated => f.write_str("no created parameter"),
            Reason::CreatedTooOld => f.write_str("created is too old"),
            Reason::CreatedInFuture => f.write_str("created is in the future"),
            Reason::Expired => f.write_str("the signature has expired"),
            Reason::NoKeyId => f.write_str("no keyid parameter"),
            Reason::UnknownKey => f.write_str("the key is unknown"),
            Reason::UnsupportedAlgorithm => f.write_str("unsupported alg"),
            Reason::AlgorithmDoesNotFitKey => f.write_str("alg does not fit the key"),
            Reason::UnsupportedComponent(name) => write!(f, "unsupported component {name}"),
            Reason::MissingComponent(name) => write!(f, "covered {name} is absent"),
            Reason::BadTargetUri => f.write_str("the target URI is not a URL"),
            Reason::DigestInvalid => f.write_str("Content-Digest is malformed"),
            Reason::DigestUnsupported => f.write_str("Content-Digest has no sha-256/sha-512"),
            Reason::DigestMismatch => f.write_str("Content-Digest does not match the body"),
            Reason::BadSignature => f.write_str("the signature does not verify"),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotSigned => f.write_str("no RFC 9421 signature"),
            Refusal::TooLong => f.write_str("signature headers too long"),
            Refusal::TooMany => f.write_str("too many signatures or parameters"),
            Refusal::Malformed(why) => write!(f, "malformed signature headers: {why}"),
            Refusal::Invalid(reasons) => {
                f.write_str("no valid signature:")?;
                for (label, reason) in reasons {
                    write!(f, " {label}: {reason};")?;
                }
                Ok(())
            }
        }
    }
}

impl From<FieldError> for Refusal {
    fn from(e: FieldError) -> Refusal {
        match e {
            FieldError::TooLong => Refusal::TooLong,
            FieldError::TooMany => Refusal::TooMany,
            FieldError::Duplicate => Refusal::Malformed("a label or parameter is repeated"),
            FieldError::Malformed(why) => Refusal::Malformed(why),
        }
    }
}

/// Checks the request's RFC 9421 signatures; see the module comment for the policy.
pub fn verify_request(
    request: &Request,
    now: SystemTime,
    window: Window,
    mut key_lookup: impl FnMut(&str) -> Option<PublicKey>,
) -> Result<Verified, Refusal> {
    let inputs = combined(request, "signature-input")?;
    let signatures = combined(request, "signature")?;
    let (Some(inputs), Some(signatures)) = (inputs, signatures) else {
        return Err(Refusal::NotSigned);
    };
    let inputs = fields::parse_dictionary(&inputs)?;
    let signatures = fields::parse_dictionary(&signatures)?;
    if inputs.is_empty() {
        return Err(Refusal::NotSigned);
    }
    if inputs.len() > MAX_SIGNATURES || signatures.len() > MAX_SIGNATURES {
        return Err(Refusal::TooMany);
    }
    let now = unix_seconds(now);
    let mut reasons = Vec::new();
    for (label, input) in &inputs {
        match verify_one(
            request,
            label,
            input,
            &signatures,
            now,
            window,
            &mut key_lookup,
        ) {
            Ok(verified) => return Ok(verified),
            Err(reason) => reasons.push((label.clone(), reason)),
        }
    }
    Err(Refusal::Invalid(reasons))
}

/// Every instance of a header joined by ", ", bounded before joining.
fn combined(request: &Request, name: &str) -> Result<Option<String>, Refusal> {
    let mut out: Option<String> = None;
    for (_, value) in request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        let joined = out.get_or_insert_with(String::new);
        if joined.len() + value.len() + 2 > fields::MAX_FIELD_LEN {
            return Err(Refusal::TooLong);
        }
        if !joined.is_empty() {
            joined.push_str(", ");
        }
        joined.push_str(value.trim_matches([' ', '\t']));
    }
    Ok(out)
}

fn verify_one(
    request: &Request,
    label: &str,
    input: &Member,
    signatures: &Dictionary,
    now: i64,
    window: Window,
    key_lookup: &mut impl FnMut(&str) -> Option<PublicKey>,
) -> Result<Verified, Reason> {
    let Member::InnerList(components, params) = input else {
        return Err(Reason::Malformed(
            "a Signature-Input member must be an inner list",
        ));
    };
    let signature = match signatures.iter().find(|(l, _)| l == label) {
        Some((
            _,
            Member::Item(Item {
                bare: BareItem::Bytes(bytes),
                ..
            }),
        )) => bytes,
        Some(_) => {
            return Err(Reason::Malformed(
                "a Signature member must be a byte sequence",
            ))
        }
        None => return Err(Reason::MissingSignature),
    };
    let key_id = match fields::param(params, "keyid") {
        Some(BareItem::String(key_id)) => key_id,
        Some(_) => return Err(Reason::Malformed("keyid must be a string")),
        None => return Err(Reason::NoKeyId),
    };
    let created = integer_param(params, "created")?.ok_or(Reason::NoCreated)?;
    let expires = integer_param(params, "expires")?;
    let algorithm = match fields::param(params, "alg") {
        Some(BareItem::String(name)) => {
            Some(Algorithm::from_name(name).ok_or(Reason::UnsupportedAlgorithm)?)
        }
        Some(_) => return Err(Reason::Malformed("alg must be a string")),
        None => None,
    };

    let covered: Vec<String> = components
        .iter()
        .filter_map(|c| match &c.bare {
            BareItem::String(name) => Some(name.clone()),
            _ => None,
        })
        .collect();
    let covers = |name: &str| {
        components
            .iter()
            .any(|c| c.params.is_empty() && c.bare == BareItem::String(name.into()))
    };
    if !covers("@method") {
        return Err(Reason::NotCovered("@method"));
    }
    let targeted = covers("@target-uri") || (covers("@authority") && covers("@path"));
    if !targeted {
        return Err(Reason::NotCovered("@target-uri"));
    }
    let has_body = !request.body.is_empty()
        || !(request.method.eq_ignore_ascii_case("GET")
            || request.method.eq_ignore_ascii_case("HEAD"));
    if has_body && !covers("content-digest") {
        return Err(Reason::NotCovered("content-digest"));
    }

    let seconds = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    if created > now.saturating_add(seconds(window.max_future)) {
        return Err(Reason::CreatedInFuture);
    }
    if now.saturating_sub(created) > seconds(window.max_age) {
        return Err(Reason::CreatedTooOld);
    }
    if expires.is_some_and(|expires| expires <= now) {
        return Err(Reason::Expired);
    }

    if covers("content-digest") {
        let digest_headers: Vec<&str> = request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("content-digest"))
            .map(|(_, v)| *v)
            .collect();
        if digest_headers.is_empty() {
            return Err(Reason::MissingComponent("content-digest".into()));
        }
        check_content_digest(&digest_headers.join(", "), request.body)?;
    }

    let base = signature_base(request, components, params)?;
    let key = key_lookup(key_id).ok_or(Reason::UnknownKey)?;
    let algorithm = verify_signature(&key, algorithm, base.as_bytes(), signature)?;
    Ok(Verified {
        label: label.to_string(),
        key_id: key_id.clone(),
        algorithm,
        covered,
        created,
    })
}

fn integer_param(params: &Params, name: &'static str) -> Result<Option<i64>, Reason> {
    match fields::param(params, name) {
        Some(BareItem::Integer(n)) => Ok(Some(*n)),
        Some(_) => Err(Reason::Malformed("created and expires must be integers")),
        None => Ok(None),
    }
}

/// Verifies `signature` over `base`; without an `alg` the key decides (RSA: v1.5, then PSS).
pub fn verify_signature(
    key: &PublicKey,
    algorithm: Option<Algorithm>,
    base: &[u8],
    signature: &[u8],
) -> Result<Algorithm, Reason> {
    let candidates: &[Algorithm] = match (key, algorithm) {
        (PublicKey::Rsa(_), None) => &[Algorithm::RsaV15Sha256, Algorithm::RsaPssSha512],
        (PublicKey::Rsa(_), Some(Algorithm::RsaV15Sha256)) => &[Algorithm::RsaV15Sha256],
        (PublicKey::Rsa(_), Some(Algorithm::RsaPssSha512)) => &[Algorithm::RsaPssSha512],
        (PublicKey::Ed25519(_), None | Some(Algorithm::Ed25519)) => &[Algorithm::Ed25519],
        (PublicKey::EcdsaP256(_), None | Some(Algorithm::EcdsaP256Sha256)) => {
            &[Algorithm::EcdsaP256Sha256]
        }
        _ => return Err(Reason::AlgorithmDoesNotFitKey),
    };
    let der = match key {
        PublicKey::Rsa(der) | PublicKey::Ed25519(der) | PublicKey::EcdsaP256(der) => der,
    };
    for &candidate in candidates {
        let ring_algorithm: &dyn signature::VerificationAlgorithm = match candidate {
            Algorithm::RsaV15Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::RsaPssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
            Algorithm::Ed25519 => &signature::ED25519,
            Algorithm::EcdsaP256Sha256 => &signature::ECDSA_P256_SHA256_FIXED,
        };
        if UnparsedPublicKey::new(ring_algorithm, der)
            .verify(base, signature)
            .is_ok()
        {
            return Ok(candidate);
        }
    }
    Err(Reason::BadSignature)
}

pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}
