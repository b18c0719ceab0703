//! Object integrity proofs (FEP-8b32): Data Integrity `eddsa-jcs-2022` over the JSON Canonical
//! Serialization (RFC 8785) of a document, with Ed25519 keys published as Multikey (FEP-521a).
//! Pure code: the key comes in as bytes.

use ring::digest::{digest, SHA256};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde_json::{Map, Value};

/// The multicodec prefix of an Ed25519 public key.
const ED25519_PREFIX: [u8; 2] = [0xed, 0x01];
const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// Defines `proof` and `DataIntegrityProof`: a JSON-LD reader (Fedify) sees a proof only under it.
pub const DATA_INTEGRITY_CONTEXT: &str = "https://w3id.org/security/data-integrity/v1";
/// Defines `Multikey`, `controller` and `publicKeyMultibase`.
pub const MULTIKEY_CONTEXT: &str = "https://w3id.org/security/multikey/v1";
/// Defines `assertionMethod`.
pub const DID_CONTEXT: &str = "https://www.w3.org/ns/did/v1";

/// An Ed25519 key pair that signs proofs.
pub struct ProofKey(Ed25519KeyPair);

impl ProofKey {
    /// A new key as PKCS#8, the form it is stored in.
    pub fn generate() -> Result<Vec<u8>, ProofError> {
        Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map(|pkcs8| pkcs8.as_ref().to_vec())
            .map_err(|_| ProofError::Key("no randomness to make one"))
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<ProofKey, ProofError> {
        Ed25519KeyPair::from_pkcs8(pkcs8)
            .map(ProofKey)
            .map_err(|_| ProofError::Key("the stored one does not read"))
    }

    /// `z6Mk…`, as published in the actor's `assertionMethod`.
    pub fn public_multibase(&self) -> String {
        ed25519_multibase(self.0.public_key().as_ref())
    }

    pub fn pair(&self) -> &Ed25519KeyPair {
        &self.0
    }
}

/// `context` with [`DATA_INTEGRITY_CONTEXT`] appended (last, so that no term of ours comes after
/// one it protects), unless it is there already.
pub fn with_data_integrity(context: Option<&Value>) -> Value {
    let mut list = match context {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(single) => vec![single.clone()],
    };
    if !list
        .iter()
        .any(|c| c.as_str() == Some(DATA_INTEGRITY_CONTEXT))
    {
        list.push(Value::String(DATA_INTEGRITY_CONTEXT.into()));
    }
    Value::Array(list)
}

/// Signs `activity` as [`sign`] does, with [`DATA_INTEGRITY_CONTEXT`] added to its `@context`
/// first so that readers of JSON-LD find the proof.
pub fn sign_activity(activity: &Value, key: &ProofKey, method: &str, created: &str) -> Value {
    let mut document = activity.clone();
    if let Value::Object(fields) = &mut document {
        let context = with_data_integrity(fields.get("@context"));
        fields.insert("@context".into(), context);
    }
    sign(&document, key.pair(), method, created)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProofError {
    NoProof,
    Malformed(&'static str),
    Unsupported,
    BadSignature,
    /// Our own key could not be made or read.
    Key(&'static str),
}

impl std::fmt::Display for ProofError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProofError::NoProof => f.write_str("the document carries no proof"),
            ProofError::Malformed(why) => write!(f, "the proof is malformed: {why}"),
            ProofError::Unsupported => f.write_str("the proof's cryptosuite is not eddsa-jcs-2022"),
            ProofError::BadSignature => f.write_str("the proof does not verify"),
            ProofError::Key(why) => write!(f, "the Ed25519 key: {why}"),
        }
    }
}

/// `z6Mk…`: an Ed25519 public key as a Multikey's `publicKeyMultibase`.
pub fn ed25519_multibase(public_key: &[u8]) -> String {
    let mut bytes = ED25519_PREFIX.to_vec();
    bytes.extend_from_slice(public_key);
    format!("z{}", bs58::encode(bytes).into_string())
}

/// The Ed25519 public key of a `publicKeyMultibase`, when it is one.
pub fn parse_ed25519_multibase(value: &str) -> Option<[u8; 32]> {
    let encoded = value.strip_prefix('z')?;
    if encoded.len() > 64 {
        return None;
    }
    let bytes = bs58::decode(encoded).into_vec().ok()?;
    let key = bytes.strip_prefix(&ED25519_PREFIX[..])?;
    key.try_into().ok()
}

/// RFC 8785: object keys sorted, no whitespace, strings and numbers as ECMAScript prints them.
/// serde_json's map is sorted by key and prints strings and integers that way.
pub fn canonical(value: &Value) -> String {
    value.to_string()
}

/// What is signed: SHA-256 of the canonical proof options, then of the canonical document.
fn signed_bytes(document: &Value, options: &Value) -> Vec<u8> {
    let mut bytes = digest(&SHA256, canonical(options).as_bytes())
        .as_ref()
        .to_vec();
    bytes.extend_from_slice(digest(&SHA256, canonical(document).as_bytes()).as_ref());
    bytes
}

/// The document without its proof, and the proof's options (the proof without `proofValue`,
/// with the document's `@context`), and the signature.
fn split(document: &Value) -> Result<(Value, Value, Vec<u8>), ProofError> {
    let Value::Object(fields) = document else {
        return Err(ProofError::Malformed("the document is not an object"));
    };
    let mut unsigned: Map<String, Value> = fields.clone();
    let proof = unsigned.remove("proof").ok_or(ProofError::NoProof)?;
    let Value::Object(mut options) = proof else {
        return Err(ProofError::Malformed(
            "proof is not an object (one proof only)",
        ));
    };
    if options.get("type").and_then(Value::as_str) != Some("DataIntegrityProof")
        || options.get("cryptosuite").and_then(Value::as_str) != Some(CRYPTOSUITE)
    {
        return Err(ProofError::Unsupported);
    }
    if options.get("proofPurpose").and_then(Value::as_str) != Some("assertionMethod") {
        return Err(ProofError::Malformed("proofPurpose is not assertionMethod"));
    }
    let value = match options.remove("proofValue") {
        Some(Value::String(value)) => value,
        _ => return Err(ProofError::Malformed("no proofValue")),
    };
    let signature = value
        .strip_prefix('z')
        .filter(|v| v.len() <= 128)
        .and_then(|v| bs58::decode(v).into_vec().ok())
        .filter(|s| s.len() == 64)
        .ok_or(ProofError::Malformed(
            "proofValue is not a base58btc Ed25519 signature",
        ))?;
    if let Some(context) = fields.get("@context") {
        options.insert("@context".into(), context.clone());
    }
    Ok((Value::Object(unsigned), Value::Object(options), signature))
}

/// The `verificationMethod` a document's proof names: the key to look up.
pub fn verification_method(document: &Value) -> Option<&str> {
    document.get("proof")?.get("verificationMethod")?.as_str()
}

/// Most proofs of one document looked at.
const MAX_PROOFS: usize = 4;

/// The `verificationMethod`s of a document's proofs (one proof, or a list of them).
pub fn verification_methods(document: &Value) -> Vec<&str> {
    let entries: Vec<&Value> = match document.get("proof") {
        Some(Value::Array(items)) => items.iter().take(MAX_PROOFS).collect(),
        Some(single) => vec![single],
        None => Vec::new(),
    };
    entries
        .into_iter()
        .filter_map(|p| p.get("verificationMethod")?.as_str())
        .collect()
}

/// The document with only its proof by `method`, as [`verify`] takes it: each proof of a list
/// signs the document without any proof, so this one alone checks the same bytes.
pub fn only_proof_by(document: &Value, method: &str) -> Option<Value> {
    let by = |p: &&Value| p.get("verificationMethod").and_then(Value::as_str) == Some(method);
    let proof = match document.get("proof")? {
        Value::Array(items) => items.iter().take(MAX_PROOFS).find(by)?,
        single => Some(single).filter(by)?,
    };
    let mut single = document.clone();
    single["proof"] = proof.clone();
    Some(single)
}

/// Whether the document's proof is one [`verify`] can check (its suite and shape), before any key
/// is looked up.
pub fn check_shape(document: &Value) -> Result<(), ProofError> {
    split(document).map(|_| ())
}

/// Checks the document's `eddsa-jcs-2022` proof against the Ed25519 key `public_key`.
pub fn verify(document: &Value, public_key: &[u8; 32]) -> Result<(), ProofError> {
    let (unsigned, options, signature) = split(document)?;
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(&signed_bytes(&unsigned, &options), &signature)
        .map_err(|_| ProofError::BadSignature)
}

/// Adds an `eddsa-jcs-2022` proof made with `key`, named by `method`, dated `created`
/// (`2026-12-02T18:00:00Z`).
pub fn sign(document: &Value, key: &Ed25519KeyPair, method: &str, created: &str) -> Value {
    let mut options = serde_json::json!({
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "verificationMethod": method,
        "proofPurpose": "assertionMethod",
        "created": created,
    });
    if let Some(context) = document.get("@context") {
        options["@context"] = context.clone();
    }
    let signature = key.sign(&signed_bytes(document, &options));
    let mut proof = options;
    if let Value::Object(proof) = &mut proof {
        proof.remove("@context");
    }
    proof["proofValue"] = Value::String(format!(
        "z{}",
        bs58::encode(signature.as_ref()).into_string()
    ));
    let mut signed = document.clone();
    signed["proof"] = proof;
    signed
}

#[cfg(test)]
mod tests;
