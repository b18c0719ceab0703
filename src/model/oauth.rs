//! What the OAuth pages show: the app asking for access, and the apps the owner let in.

use super::Timestamp;

/// An authorization request that passed every check, for the approve page. The fields after
/// `website` go back, unchanged, in the approve form.
#[derive(Clone, Debug)]
pub struct Consent {
    pub app_name: String,
    pub website: Option<String>,
    pub scopes: Vec<String>,
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

/// An app holding live tokens for the owner: a row of the settings page's list.
#[derive(Clone, Debug)]
pub struct AuthorizedApp {
    pub app_id: i64,
    pub name: String,
    pub website: Option<String>,
    pub scopes: Vec<String>,
    pub authorized_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}
