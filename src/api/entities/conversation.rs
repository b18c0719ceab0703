//! Mastodon's Conversation: a thread of direct messages with its other participants.

use serde::Serialize;

use super::account::Account;
use super::status::Status;

#[derive(Serialize, Clone, Debug)]
pub struct Conversation {
    pub id: String,
    pub unread: bool,
    pub accounts: Vec<Account>,
    pub last_status: Option<Status>,
}
