//! Mastodon's Notification, from Perch's kinds.

use serde::Serialize;

use crate::domain::notifications;
use crate::model::{Notification, NotificationKind};
use crate::urls::Urls;

use super::account::{self, Account};
use super::datetime;
use super::status::Status;

#[derive(Serialize, Clone, Debug)]
pub struct Notice {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub created_at: String,
    pub group_key: String,
    pub account: Account,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// A move's new account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Account>,
    /// A reaction's emoji (Pleroma's `pleroma:emoji_reaction` carries it here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
}

/// Mastodon's type for one of ours; reports have no Mastodon form without an admin Report
/// entity, so they are left out (None).
pub fn kind(kind: NotificationKind) -> Option<&'static str> {
    match notifications::mastodon_type(kind) {
        "admin.report" => None,
        name => Some(name),
    }
}

/// None when Mastodon could not show it: no account (it was removed), a report, a status type
/// whose post is gone, or a move without its target.
pub fn notification(
    urls: &Urls,
    notification: &Notification,
    status: Option<Status>,
    target: Option<Account>,
) -> Option<Notice> {
    let kind = kind(notification.kind)?;
    let needs_status = matches!(
        kind,
        "mention" | "favourite" | "reblog" | "status" | "poll" | notifications::REACTION_TYPE
    );
    if (needs_status && status.is_none()) || (kind == "move" && target.is_none()) {
        return None;
    }
    // An ended poll of ours has no other account: Mastodon names the poll's author, the owner.
    let account = match (&notification.actor, &status) {
        (Some(actor), _) => account::remote(urls, actor),
        (None, Some(status)) if kind == "poll" => status.account.clone(),
        (None, _) => return None,
    };
    Some(Notice {
        id: notification.id.to_string(),
        kind,
        created_at: datetime(notification.created_at),
        group_key: format!("ungrouped-{}", notification.id),
        account,
        status,
        target,
        emoji: (notification.kind == NotificationKind::Reaction)
            .then(|| notification.content.clone())
            .flatten(),
    })
}
