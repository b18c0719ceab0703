//! What a `Move` claims, and the `alsoKnownAs` that must confirm it.

use serde_json::Value;

use super::{ids, kind, single_id};

/// Most aliases read from an actor (Mastodon lets an account name a handful).
pub const MAX_ALIASES: usize = 32;

/// A Move read from its JSON: `origin` says it now lives at `target`. Nothing is proven yet:
/// the target's `alsoKnownAs` must name the origin (see `domain::inbox::moves`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveClaim {
    pub origin: String,
    pub target: String,
}

/// Reads a Move: one actor, moving itself (`object` is the actor), to one `target`.
pub fn parse_move(document: &Value) -> Result<MoveClaim, &'static str> {
    if kind(document).as_deref() != Some("Move") {
        return Err("not a Move");
    }
    let origin = single_id(document.get("actor")).ok_or("a Move without a usable actor")?;
    let object = single_id(document.get("object")).ok_or("a Move without an object")?;
    if object != origin {
        return Err("a Move of another account");
    }
    let target = single_id(document.get("target")).ok_or("a Move without a target")?;
    if target == origin {
        return Err("a Move to the same account");
    }
    Ok(MoveClaim { origin, target })
}

/// The ids an actor document names in `alsoKnownAs` (capped).
pub fn also_known_as(actor: &Value) -> Vec<String> {
    ids(actor.get("alsoKnownAs"), MAX_ALIASES)
}

#[cfg(test)]
mod tests;
