//! The double knock (Fedify's and Mastodon 4.5's way of meeting RFC 9421): sign with the scheme
//! the host is known to take, else draft-cavage; on a 401 or 403 try once with the other, and
//! remember for a week what worked.

use std::collections::HashMap;
use std::time::Duration;

use rusqlite::Connection;

use crate::federation::client::{Client, FetchError, PostResponse};
use crate::federation::signatures::{Scheme, Signer};
use crate::model::Timestamp;
use crate::store::signature_schemes;

/// What was learned is trusted this long.
pub const REMEMBER: Duration = Duration::from_secs(7 * 24 * 3600);
/// A scheme that keeps working is written again at most this often.
const REFRESH: Duration = Duration::from_secs(24 * 3600);

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// What we know of a host: the scheme to knock with first, and when it was learned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Known {
    pub scheme: Scheme,
    pub learned_at: Option<Timestamp>,
}

/// The first knock's scheme for `host`: what was learned in the last week, else draft-cavage.
pub fn known(conn: &Connection, host: &str, now: Timestamp) -> rusqlite::Result<Known> {
    let stored = signature_schemes::get(conn, host)?;
    Ok(match stored {
        Some((scheme, at)) if now.0.saturating_sub(at.0) < millis(REMEMBER) => Known {
            scheme: Scheme::parse(&scheme).unwrap_or(Scheme::Cavage),
            learned_at: Some(at),
        },
        _ => Known {
            scheme: Scheme::Cavage,
            learned_at: None,
        },
    })
}

/// Whether the host refused the signature (and might take the other kind).
fn refused(result: &Result<PostResponse, FetchError>) -> bool {
    matches!(result, Ok(answer) if answer.status == 401 || answer.status == 403)
}

fn accepted(result: &Result<PostResponse, FetchError>) -> bool {
    matches!(result, Ok(answer) if (200..300).contains(&answer.status))
}

/// Posts with `first`, and once with the other scheme if the host refuses the signature.
/// Returns the answer that counts and the scheme that was accepted, if one was.
pub fn post(
    client: &Client,
    inbox: &str,
    body: &[u8],
    signer: &Signer,
    first: Scheme,
) -> (Result<PostResponse, FetchError>, Option<Scheme>) {
    let result = client.post_activity_as(inbox, body, signer, first);
    if accepted(&result) {
        return (result, Some(first));
    }
    if !refused(&result) {
        return (result, None);
    }
    let second = client.post_activity_as(inbox, body, signer, first.other());
    let worked = accepted(&second).then_some(first.other());
    (second, worked)
}

/// Records what each host accepted when it is news: another scheme than known, or the known one
/// not written for a day.
pub fn remember(
    conn: &Connection,
    known: &HashMap<String, Known>,
    worked: &HashMap<String, Scheme>,
    now: Timestamp,
) -> rusqlite::Result<()> {
    for (host, scheme) in worked {
        let stale = known.get(host).is_none_or(|k| {
            k.scheme != *scheme
                || k.learned_at
                    .is_none_or(|at| now.0.saturating_sub(at.0) >= millis(REFRESH))
        });
        if stale {
            signature_schemes::set(conn, host, scheme.as_str(), now)?;
        }
    }
    Ok(())
}

/// A host that signs to us the RFC 9421 way takes it too: its first knock from us will be so.
pub fn learn_from_inbound(
    conn: &Connection,
    host: &str,
    scheme: Scheme,
    now: Timestamp,
) -> rusqlite::Result<()> {
    let current = known(conn, host, now)?;
    let mut worked = HashMap::new();
    worked.insert(host.to_string(), scheme);
    let mut known_map = HashMap::new();
    known_map.insert(host.to_string(), current);
    remember(conn, &known_map, &worked, now)
}
