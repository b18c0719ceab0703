//! Mastodon's Relationship: the owner's side and theirs of one account.

use serde_json::{json, Value};

use crate::domain::accounts::Relationship;

/// Mastodon's fields exactly; when a mute ends is told by `/api/v1/mutes` only, as there.
pub fn relationship(id: &str, r: &Relationship) -> Value {
    json!({
        "id": id,
        "following": r.following,
        "showing_reblogs": r.showing_reblogs,
        "notifying": r.notifying,
        "languages": null,
        "followed_by": r.followed_by,
        "blocking": r.blocking,
        "blocked_by": r.blocked_by,
        "muting": r.muting,
        "muting_notifications": r.muting,
        "requested": r.requested,
        "requested_by": r.requested_by,
        "domain_blocking": r.domain_blocking,
        "endorsed": false,
        "note": r.note,
    })
}
