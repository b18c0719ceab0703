//! Checking an incoming request: everything that needs no key in [`check`], then the key in
//! [`PendingSignature::verify`].

use super::super::keys::VerifyingKey;
use super::digest::check_digest;
use super::parse::parse_signature_header;
use super::signing_string::signing_string;
use super::{
    SignatureError, CLOCK_SKEW_MARGIN, DEFAULT_VALIDITY, EXPIRATION_WINDOW_LIMIT, MAX_HEADER_LEN,
};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An incoming request as the verifier needs it.
pub struct IncomingRequest<'a> {
    pub method: &'a str,
    /// As in the request line: `/users/me/inbox?x=y`.
    pub path_and_query: &'a str,
    /// Names in any case; a header sent twice appears twice.
    pub headers: &'a [(String, String)],
    pub body: Option<&'a [u8]>,
}

impl IncomingRequest<'_> {
    /// The value of a header that must appear at most once.
    fn single(&self, name: &'static str) -> Result<Option<&str>, SignatureError> {
        let mut found = None;
        for (n, value) in self.headers {
            if n.eq_ignore_ascii_case(name) {
                if found.is_some() {
                    return Err(SignatureError::Duplicate(name));
                }
                found = Some(checked_value(value)?);
            }
        }
        Ok(found)
    }

    /// A signed header's value: repeated headers are joined with ", " as the draft says.
    pub(super) fn joined(&self, name: &str) -> Result<Option<String>, SignatureError> {
        const SINGLE: [&str; 4] = ["Signature", "Digest", "Date", "Host"];
        if let Some(title) = SINGLE.iter().find(|t| t.eq_ignore_ascii_case(name)) {
            return Ok(self.single(title)?.map(str::to_string));
        }
        let mut joined: Option<String> = None;
        for (n, value) in self.headers {
            if n.eq_ignore_ascii_case(name) {
                let value = checked_value(value)?;
                match joined.as_mut() {
                    Some(j) if j.len() + value.len() > MAX_HEADER_LEN => {
                        return Err(SignatureError::TooLong)
                    }
                    Some(j) => {
                        j.push_str(", ");
                        j.push_str(value);
                    }
                    None => joined = Some(value.to_string()),
                }
            }
        }
        Ok(joined)
    }
}

pub(super) fn checked_value(value: &str) -> Result<&str, SignatureError> {
    if value.len() > MAX_HEADER_LEN {
        return Err(SignatureError::TooLong);
    }
    // A line break would let a header forge further lines of the signing string.
    if value.contains(['\r', '\n']) {
        return Err(SignatureError::Malformed(
            "a header value contains a line break",
        ));
    }
    Ok(value.trim())
}

/// A request whose signature passed every check but the cryptographic one.
#[derive(Debug, Clone)]
pub struct PendingSignature {
    /// The key to fetch: usually `https://host/users/name#main-key`.
    pub key_id: String,
    proof: Proof,
}

#[derive(Debug, Clone)]
enum Proof {
    Cavage {
        signing_string: String,
        signature: Vec<u8>,
    },
    /// RFC 9421: checked again in full once the key is known (see `super::rfc9421_check`).
    Rfc9421(Box<super::rfc9421_check::Held>),
}

impl PendingSignature {
    pub(super) fn rfc9421(key_id: String, held: super::rfc9421_check::Held) -> PendingSignature {
        PendingSignature {
            key_id,
            proof: Proof::Rfc9421(Box::new(held)),
        }
    }

    pub fn verify(&self, key: &VerifyingKey) -> Result<(), SignatureError> {
        let valid = match &self.proof {
            Proof::Cavage {
                signing_string,
                signature,
            } => key.verify(signing_string.as_bytes(), signature),
            Proof::Rfc9421(held) => held.verify(&self.key_id, key),
        };
        if valid {
            Ok(())
        } else {
            Err(SignatureError::BadSignature)
        }
    }

    /// Which kind of signature the sender used: `draft-cavage` or `rfc9421`.
    pub fn kind(&self) -> &'static str {
        match self.proof {
            Proof::Cavage { .. } => "draft-cavage",
            Proof::Rfc9421(_) => "rfc9421",
        }
    }

    /// The exact text that was signed (for logs and tests); empty for RFC 9421.
    pub fn signing_string(&self) -> &str {
        match &self.proof {
            Proof::Cavage { signing_string, .. } => signing_string,
            Proof::Rfc9421(_) => "",
        }
    }
}

/// Everything that can be checked before the key is known. See the module comment.
pub fn check(
    request: &IncomingRequest,
    now: SystemTime,
) -> Result<PendingSignature, SignatureError> {
    let header = request
        .single("Signature")?
        .ok_or(SignatureError::NotSigned)?;
    let params = parse_signature_header(header)?;
    // An absent algorithm means hs2019, as for Mastodon.
    let hs2019 = match params
        .algorithm
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("hs2019") => true,
        Some("rsa-sha256") => false,
        Some(_) => return Err(SignatureError::UnsupportedAlgorithm),
    };
    let covers = |name: &str| params.headers.iter().any(|h| h == name);
    let required: &[&'static str] = if is_get(request.method) {
        &["(request-target)", "host", "date"]
    } else {
        &["(request-target)", "host", "date", "digest"]
    };
    if let Some(missing) = required.iter().find(|name| !covers(name)) {
        return Err(SignatureError::NotCovered(missing));
    }
    if covers("digest") {
        let digest = request
            .single("Digest")?
            .ok_or(SignatureError::DigestMissing)?;
        check_digest(digest, request.body.unwrap_or_default())?;
    }
    let date = request
        .single("Date")?
        .ok_or_else(|| SignatureError::MissingHeader("date".into()))?;
    let date = httpdate::parse_http_date(date).map_err(|_| SignatureError::DateInvalid)?;

    let created = pseudo_time(covers("(created)"), hs2019, params.created, "(created)")?;
    let expires = pseudo_time(covers("(expires)"), hs2019, params.expires, "(expires)")?;
    check_window(date, expires, now)?;
    if let Some(created) = created {
        check_window(created, expires, now)?;
    }

    let signing_string = signing_string(request, &params)?;
    Ok(PendingSignature {
        key_id: params.key_id,
        proof: Proof::Cavage {
            signing_string,
            signature: params.signature,
        },
    })
}

pub(super) const NO_CREATED: SignatureError =
    SignatureError::Malformed("(created) is signed but the created parameter is missing");
pub(super) const NO_EXPIRES: SignatureError =
    SignatureError::Malformed("(expires) is signed but the expires parameter is missing");

pub(super) fn is_get(method: &str) -> bool {
    method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD")
}

/// `(created)`/`(expires)` count only when signed, and only with hs2019 (the draft and Mastodon).
pub(super) fn pseudo_time(
    covered: bool,
    hs2019: bool,
    value: Option<i64>,
    name: &'static str,
) -> Result<Option<SystemTime>, SignatureError> {
    if !covered {
        return Ok(None);
    }
    if !hs2019 {
        return Err(SignatureError::Malformed(
            "(created)/(expires) are only allowed with hs2019",
        ));
    }
    let seconds = value.ok_or(match name {
        "(created)" => NO_CREATED,
        _ => NO_EXPIRES,
    })?;
    let seconds = u64::try_from(seconds).map_err(|_| SignatureError::DateInvalid)?;
    Ok(Some(UNIX_EPOCH + Duration::from_secs(seconds)))
}

/// Mastodon's window: not made more than 1 h in the future, and not past its expiry
/// (5 min after it was made unless signed otherwise, at most 12 h) by more than 1 h.
pub(super) fn check_window(
    made: SystemTime,
    expires: Option<SystemTime>,
    now: SystemTime,
) -> Result<(), SignatureError> {
    if made > now + CLOCK_SKEW_MARGIN {
        return Err(SignatureError::DateOutsideWindow);
    }
    let expires_at = expires
        .unwrap_or(made + DEFAULT_VALIDITY)
        .min(made + EXPIRATION_WINDOW_LIMIT);
    if now > expires_at + CLOCK_SKEW_MARGIN {
        return Err(match expires {
            Some(_) => SignatureError::Expired,
            None => SignatureError::DateOutsideWindow,
        });
    }
    Ok(())
}
