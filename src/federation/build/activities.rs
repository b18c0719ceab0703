//! The owner's activities about others: follows and the answers to theirs, likes, boosts,
//! blocks, pins, and the Undo of each. `id` is the activity's id, minted by the caller.

use serde::Serialize;

use super::Document;
use crate::urls::{Urls, AS_PUBLIC};

/// `Follow` of an actor, addressed to them.
#[derive(Clone, Debug, Serialize)]
pub struct Follow {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub object: String,
    pub to: [String; 1],
}

fn follow_of(urls: &Urls, id: &str, followed: &str) -> Follow {
    Follow {
        id: id.to_string(),
        kind: "Follow",
        actor: urls.actor(),
        object: followed.to_string(),
        to: [followed.to_string()],
    }
}

pub fn follow(urls: &Urls, id: &str, followed: &str) -> Document<Follow> {
    Document::plain(follow_of(urls, id, followed))
}

/// `Undo` of one of the owner's earlier activities, embedding it as sent (without `@context`),
/// to the same audience; its id is the original's with `#undo`.
#[derive(Clone, Debug, Serialize)]
pub struct Undo<T> {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub object: T,
    pub to: Vec<String>,
}

fn undo<T>(urls: &Urls, original_id: &str, to: Vec<String>, object: T) -> Document<Undo<T>>
where
    T: Serialize,
{
    Document::plain(Undo {
        id: format!("{original_id}#undo"),
        kind: "Undo",
        actor: urls.actor(),
        object,
        to,
    })
}

/// Withdraws our Follow `follow_id` of `followed` (accepted or still pending).
pub fn undo_follow(urls: &Urls, follow_id: &str, followed: &str) -> Document<Undo<Follow>> {
    let follow = follow_of(urls, follow_id, followed);
    undo(urls, follow_id, follow.to.to_vec(), follow)
}

/// A follower's Follow of us, as an Accept or Reject embeds it (Mastodon matches on its id,
/// others on its actor and object).
#[derive(Clone, Debug, Serialize)]
pub struct TheirFollow {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub object: String,
}

/// `Accept` or `Reject` of a follower's Follow, to the follower.
#[derive(Clone, Debug, Serialize)]
pub struct Answer {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub to: [String; 1],
    pub object: TheirFollow,
}

fn answer(
    kind: &'static str,
    urls: &Urls,
    id: &str,
    follow_id: &str,
    follower: &str,
) -> Document<Answer> {
    Document::plain(Answer {
        id: id.to_string(),
        kind,
        actor: urls.actor(),
        to: [follower.to_string()],
        object: TheirFollow {
            id: follow_id.to_string(),
            kind: "Follow",
            actor: follower.to_string(),
            object: urls.actor(),
        },
    })
}

pub fn accept_follow(urls: &Urls, id: &str, follow_id: &str, follower: &str) -> Document<Answer> {
    answer("Accept", urls, id, follow_id, follower)
}

/// Refuses a follow request or removes a follower (Mastodon's way of removing one).
pub fn reject_follow(urls: &Urls, id: &str, follow_id: &str, follower: &str) -> Document<Answer> {
    answer("Reject", urls, id, follow_id, follower)
}

/// `Like` of a post, addressed to its author.
#[derive(Clone, Debug, Serialize)]
pub struct Like {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub object: String,
    pub to: [String; 1],
}

fn like_of(urls: &Urls, id: &str, object: &str, author: &str) -> Like {
    Like {
        id: id.to_string(),
        kind: "Like",
        actor: urls.actor(),
        object: object.to_string(),
        to: [author.to_string()],
    }
}

pub fn like(urls: &Urls, id: &str, object: &str, author: &str) -> Document<Like> {
    Document::plain(like_of(urls, id, object, author))
}

pub fn undo_like(urls: &Urls, id: &str, object: &str, author: &str) -> Document<Undo<Like>> {
    let like = like_of(urls, id, object, author);
    undo(urls, id, like.to.to_vec(), like)
}

/// `EmojiReact` of a post with one emoji (Pleroma's, Akkoma's and Misskey's reactions; Misskey
/// also reads `_misskey_reaction`), addressed to its author.
#[derive(Clone, Debug, Serialize)]
pub struct EmojiReact {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub object: String,
    pub content: String,
    #[serde(rename = "_misskey_reaction")]
    pub misskey_reaction: String,
    pub to: [String; 1],
}

fn emoji_react_of(urls: &Urls, id: &str, object: &str, author: &str, emoji: &str) -> EmojiReact {
    EmojiReact {
        id: id.to_string(),
        kind: "EmojiReact",
        actor: urls.actor(),
        object: object.to_string(),
        content: emoji.to_string(),
        misskey_reaction: emoji.to_string(),
        to: [author.to_string()],
    }
}

fn reaction_context() -> serde_json::Value {
    serde_json::json!([super::AS_CONTEXT, {"EmojiReact": "http://litepub.social/ns#EmojiReact"}])
}

pub fn emoji_react(
    urls: &Urls,
    id: &str,
    object: &str,
    author: &str,
    emoji: &str,
) -> Document<EmojiReact> {
    Document::new(
        reaction_context(),
        emoji_react_of(urls, id, object, author, emoji),
    )
}

pub fn undo_emoji_react(
    urls: &Urls,
    id: &str,
    object: &str,
    author: &str,
    emoji: &str,
) -> Document<Undo<EmojiReact>> {
    let react = emoji_react_of(urls, id, object, author, emoji);
    let mut undo = undo(urls, id, react.to.to_vec(), react);
    undo.context = reaction_context();
    undo
}

/// A boost of a post: public, to the post's author and our followers.
#[derive(Clone, Debug, Serialize)]
pub struct Announce {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub published: String,
    pub to: [String; 1],
    pub cc: [String; 2],
    pub object: String,
}

fn announce_of(urls: &Urls, id: &str, object: &str, author: &str, published: &str) -> Announce {
    Announce {
        id: id.to_string(),
        kind: "Announce",
        actor: urls.actor(),
        published: published.to_string(),
        to: [AS_PUBLIC.to_string()],
        cc: [author.to_string(), urls.followers()],
        object: object.to_string(),
    }
}

pub fn announce(
    urls: &Urls,
    id: &str,
    object: &str,
    author: &str,
    now: crate::model::Timestamp,
) -> Document<Announce> {
    Document::plain(announce_of(urls, id, object, author, &now.rfc3339()))
}

/// Takes a boost back; the embedded Announce carries `now` as its `published`, as it always has.
pub fn undo_announce(
    urls: &Urls,
    id: &str,
    object: &str,
    author: &str,
    now: crate::model::Timestamp,
) -> Document<Undo<Announce>> {
    let announce = announce_of(urls, id, object, author, &now.rfc3339());
    undo(urls, id, announce.to.to_vec(), announce)
}

/// `Block` of an actor, addressed to them (their server drops both follows on it).
#[derive(Clone, Debug, Serialize)]
pub struct Block {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub object: String,
    pub to: [String; 1],
}

fn block_of(urls: &Urls, id: &str, blocked: &str) -> Block {
    Block {
        id: id.to_string(),
        kind: "Block",
        actor: urls.actor(),
        object: blocked.to_string(),
        to: [blocked.to_string()],
    }
}

pub fn block(urls: &Urls, id: &str, blocked: &str) -> Document<Block> {
    Document::plain(block_of(urls, id, blocked))
}

pub fn undo_block(urls: &Urls, id: &str, blocked: &str) -> Document<Undo<Block>> {
    let block = block_of(urls, id, blocked);
    undo(urls, id, block.to.to_vec(), block)
}

/// `Add` or `Remove` of one of our posts to or from the featured collection (pinning), to the
/// public and our followers as Mastodon sends it.
#[derive(Clone, Debug, Serialize)]
pub struct FeaturedChange {
    pub id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pub actor: String,
    pub to: [String; 1],
    pub cc: [String; 1],
    pub object: String,
    pub target: String,
}

fn featured_change(
    urls: &Urls,
    kind: &'static str,
    id: &str,
    post_id: i64,
) -> Document<FeaturedChange> {
    Document::plain(FeaturedChange {
        id: id.to_string(),
        kind,
        actor: urls.actor(),
        to: [AS_PUBLIC.to_string()],
        cc: [urls.followers()],
        object: urls.post(post_id),
        target: urls.featured(),
    })
}

/// Pins post `post_id`.
pub fn add_featured(urls: &Urls, id: &str, post_id: i64) -> Document<FeaturedChange> {
    featured_change(urls, "Add", id, post_id)
}

/// Unpins post `post_id`.
pub fn remove_featured(urls: &Urls, id: &str, post_id: i64) -> Document<FeaturedChange> {
    featured_change(urls, "Remove", id, post_id)
}
