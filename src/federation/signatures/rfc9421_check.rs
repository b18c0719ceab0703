//! Incoming RFC 9421 signatures in the same two steps as draft-cavage ones: [`check_any`] proves
//! everything but the key (coverage, `created`, `Content-Digest` against the body) and names the
//! key; [`PendingSignature::verify`] then runs the whole check again with the fetched key.

use std::time::SystemTime;

use super::super::keys::VerifyingKey;
use super::super::rfc9421::{self, PublicKey, Reason, Refusal, Window};
use super::check::{check, IncomingRequest, PendingSignature};
use super::{SignatureError, CLOCK_SKEW_MARGIN, DEFAULT_VALIDITY};

/// `created` as old as a draft-cavage `Date` may be, and as far ahead as clocks may differ.
const WINDOW: Window = Window {
    max_age: DEFAULT_VALIDITY.saturating_add(CLOCK_SKEW_MARGIN),
    max_future: CLOCK_SKEW_MARGIN,
};

/// What the second step needs: the request as it came, and the time of the first.
#[derive(Debug, Clone)]
pub struct Held {
    method: String,
    target_uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    now: SystemTime,
}

impl Held {
    fn run(
        &self,
        key_lookup: impl FnMut(&str) -> Option<PublicKey>,
    ) -> Result<rfc9421::Verified, Refusal> {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let request = rfc9421::Request {
            method: &self.method,
            target_uri: &self.target_uri,
            headers: &headers,
            body: &self.body,
        };
        rfc9421::verify_request(&request, self.now, WINDOW, key_lookup)
    }

    pub(super) fn verify(&self, key_id: &str, key: &VerifyingKey) -> bool {
        self.run(|id| (id == key_id).then(|| PublicKey::Rsa(key.pkcs1_der().to_vec())))
            .is_ok()
    }
}

/// Checks a request signed either way: RFC 9421 when it carries `Signature-Input`, else
/// draft-cavage. `origin` (`https://perch.example`) makes the `@target-uri` the sender signed.
pub fn check_any(
    request: &IncomingRequest,
    origin: &str,
    now: SystemTime,
) -> Result<PendingSignature, SignatureError> {
    let has_input = request
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("signature-input"));
    if !has_input {
        return check(request, now);
    }
    let held = Held {
        method: request.method.to_string(),
        target_uri: format!("{origin}{}", request.path_and_query),
        headers: request.headers.to_vec(),
        body: request.body.unwrap_or_default().to_vec(),
        now,
    };
    // A first pass with no key: every signature that fails only for want of its key is sound.
    let mut asked: Vec<String> = Vec::new();
    let refusal = match held.run(|id| {
        asked.push(id.to_string());
        None
    }) {
        Ok(_) => return Err(SignatureError::BadSignature),
        Err(refusal) => refusal,
    };
    let sound = matches!(&refusal, Refusal::Invalid(reasons)
        if reasons.iter().any(|(_, reason)| *reason == Reason::UnknownKey));
    match asked.into_iter().next() {
        Some(key_id) if sound => Ok(PendingSignature::rfc9421(key_id, held)),
        _ => Err(SignatureError::Rfc9421(refusal.to_string())),
    }
}
