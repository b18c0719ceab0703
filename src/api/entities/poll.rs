//! Mastodon's Poll, for our polls and others'. The only reader is the owner, who sees the
//! totals of their own polls even with `hide_totals` (as Mastodon shows them to the author).

use serde_json::{json, Value};

use crate::model::{Poll, Timestamp};

use super::datetime;

/// Mastodon counts the author of a poll as having voted in it.
pub fn poll(poll: &Poll, now: Timestamp) -> Value {
    json!({
        "id": poll.id.to_string(),
        "expires_at": poll.expires_at.map(datetime),
        "expired": poll.expired(now),
        "multiple": poll.multiple,
        "votes_count": poll.votes_count(),
        "voters_count": poll.voters_count,
        "options": poll.options.iter().map(|o| json!({
            "title": o.title,
            "votes_count": o.votes,
        })).collect::<Vec<_>>(),
        "emojis": [],
        "voted": poll.own || !poll.own_votes.is_empty(),
        "own_votes": poll.own_votes,
    })
}
