//! `Move`: the owner's account moves to `target`, which must name us in its `alsoKnownAs`.

use serde::Serialize;

use super::Document;
use crate::urls::Urls;

/// `Move` of our actor to another account, to our followers, shaped as Mastodon's (the actor
/// moves itself: `object` is the actor).
#[derive(Clone, Debug, Serialize)]
pub struct Move {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub object: String,
    pub target: String,
    pub to: [String; 1],
}

/// The Move to `target`; `id` is minted by the caller (one per move, so a second move is new).
pub fn move_account(urls: &Urls, id: &str, target: &str) -> Document<Move> {
    Document::plain(Move {
        id: id.to_string(),
        kind: "Move",
        actor: urls.actor(),
        object: urls.actor(),
        target: target.to_string(),
        to: [urls.followers()],
    })
}

#[cfg(test)]
mod tests;
