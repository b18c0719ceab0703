//! Signing outgoing requests: `@method @target-uri`, and `content-digest` with a body.

use std::time::SystemTime;

use ring::signature::Ed25519KeyPair;

use super::fields::{self, BareItem, Item, Member, Params};
use super::{
    content_digest, signature_base, unix_seconds, Algorithm, DigestAlgorithm, Reason, Request,
};
use crate::federation::keys::SigningKey;

/// The label Perch signs under; a label only pairs the two headers, so any name would do.
const LABEL: &str = "sig1";

/// The owner's keys, as Perch signs with them.
pub enum Signer<'a> {
    Rsa(&'a SigningKey),
    Ed25519(&'a Ed25519KeyPair),
}

impl Signer<'_> {
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Signer::Rsa(_) => Algorithm::RsaV15Sha256,
            Signer::Ed25519(_) => Algorithm::Ed25519,
        }
    }

    /// Both algorithms are deterministic: the same base always gives the same bytes.
    pub fn sign(&self, base: &[u8]) -> Vec<u8> {
        match self {
            Signer::Rsa(key) => key.sign(base),
            Signer::Ed25519(pair) => pair.sign(base).as_ref().to_vec(),
        }
    }
}

/// The headers an outgoing signed request carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `Content-Digest` (sha-256) when there is a body; it is covered, so send it.
    pub content_digest: Option<String>,
    pub signature_input: String,
    pub signature: String,
}

/// Signs `@method @target-uri` (and `content-digest` with a body) with `created`, `keyid`
/// and `alg`.
pub fn sign_request(
    signer: &Signer,
    key_id: &str,
    method: &str,
    target_uri: &str,
    body: Option<&[u8]>,
    created: SystemTime,
) -> Result<SignedHeaders, Reason> {
    let content_digest = body.map(|body| content_digest(body, DigestAlgorithm::Sha256));
    let mut names = vec!["@method", "@target-uri"];
    let mut headers = Vec::new();
    if let Some(digest) = &content_digest {
        names.push("content-digest");
        headers.push(("content-digest", digest.as_str()));
    }
    let components: Vec<Item> = names
        .iter()
        .map(|name| Item {
            bare: BareItem::String(name.to_string()),
            params: Vec::new(),
        })
        .collect();
    let params: Params = vec![
        ("created".into(), BareItem::Integer(unix_seconds(created))),
        ("keyid".into(), BareItem::String(key_id.into())),
        (
            "alg".into(),
            BareItem::String(signer.algorithm().name().into()),
        ),
    ];
    let request = Request {
        method,
        target_uri,
        headers: &headers,
        body: body.unwrap_or_default(),
    };
    let base = signature_base(&request, &components, &params)?;
    let signature = signer.sign(base.as_bytes());
    let input = vec![(LABEL.to_string(), Member::InnerList(components, params))];
    let signature = vec![(
        LABEL.to_string(),
        Member::Item(Item {
            bare: BareItem::Bytes(signature),
            params: Vec::new(),
        }),
    )];
    Ok(SignedHeaders {
        content_digest,
        signature_input: fields::serialize_dictionary(&input),
        signature: fields::serialize_dictionary(&signature),
    })
}
