//! draft-cavage HTTP Signatures (`rsa-sha256`), the way Mastodon signs and checks them.
//!
//! Pure code: no I/O, and the clock comes in as `now`. Signing builds the headers for an outgoing
//! request; checking an incoming one is two steps, so that a reader auditing security sees both:
//! [`check`] proves everything that needs no key (shape, coverage, Digest, Date) and returns a
//! [`PendingSignature`]; the caller then fetches the key named by `key_id` and calls
//! [`PendingSignature::verify`].

use std::fmt;
use std::time::Duration;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;

/// Longest header value we look at; Mastodon's signatures are about 500 bytes.
pub const MAX_HEADER_LEN: usize = 8 * 1024;
/// Most names a `headers` parameter may list (real senders list 3 to 8).
const MAX_SIGNED_HEADERS: usize = 32;
/// Most parameters in a Signature header (six are defined).
const MAX_PARAMS: usize = 16;

/// Mastodon: a signature is valid 5 minutes after it was made unless `(expires)` says otherwise,
/// never more than 12 hours, and clocks may be 1 hour apart either way.
const DEFAULT_VALIDITY: Duration = Duration::from_secs(5 * 60);
const EXPIRATION_WINDOW_LIMIT: Duration = Duration::from_secs(12 * 3600);
const CLOCK_SKEW_MARGIN: Duration = Duration::from_secs(3600);

const POST_HEADERS: &str = "(request-target) host date digest content-type";
const GET_HEADERS: &str = "(request-target) host date accept";

/// Signatures in the wild come with and without `=` padding.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a request's signature was refused. `Display` is one line, safe to send back in a 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    NotSigned,
    Malformed(&'static str),
    TooLong,
    Duplicate(&'static str),
    UnsupportedAlgorithm,
    NotCovered(&'static str),
    MissingHeader(String),
    DigestMissing,
    DigestNotSha256,
    DigestInvalid,
    DigestMismatch,
    DateInvalid,
    DateOutsideWindow,
    Expired,
    BadSignature,
    /// An RFC 9421 signature's failure, in its own words.
    Rfc9421(String),
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::NotSigned => f.write_str("Request is not signed"),
            SignatureError::Malformed(why) => write!(f, "Signature header is malformed: {why}"),
            SignatureError::TooLong => write!(f, "A header is longer than {MAX_HEADER_LEN} bytes"),
            SignatureError::Duplicate(name) => write!(f, "{name} header appears more than once"),
            SignatureError::UnsupportedAlgorithm => {
                f.write_str("Unsupported signature algorithm (only rsa-sha256 and hs2019)")
            }
            SignatureError::NotCovered(name) => write!(f, "The signature must cover {name}"),
            SignatureError::MissingHeader(name) => {
                let name: String = name.chars().take(64).collect();
                write!(f, "Signed header {name} is missing from the request")
            }
            SignatureError::DigestMissing => f.write_str("Digest header is missing"),
            SignatureError::DigestNotSha256 => f.write_str("Digest has no SHA-256 value"),
            SignatureError::DigestInvalid => f.write_str("Digest value is not a base64 SHA-256"),
            SignatureError::DigestMismatch => f.write_str("Digest does not match the body"),
            SignatureError::DateInvalid => f.write_str("Date is not a valid HTTP date"),
            SignatureError::DateOutsideWindow => f.write_str("Date is outside the accepted window"),
            SignatureError::Expired => f.write_str("Signature has expired"),
            SignatureError::BadSignature => f.write_str("Signature does not match the key"),
            SignatureError::Rfc9421(why) => {
                // Labels come from the sender: keep the line short.
                let why: String = why.chars().take(300).collect();
                write!(f, "RFC 9421 signature refused: {why}")
            }
        }
    }
}

impl std::error::Error for SignatureError {}

mod check;
mod digest;
#[cfg(test)]
mod fuzz;
mod parse;
mod rfc9421_check;
mod sign;
mod signing_string;
#[cfg(test)]
mod tests;

pub use check::{check, IncomingRequest, PendingSignature};
pub use parse::{parse_signature_header, SignatureParams};
pub use rfc9421_check::check_any;
pub use sign::{sign_get, sign_post, sign_post_rfc9421, Scheme, Signer};
pub use signing_string::{host_header, path_and_query, signing_string};
