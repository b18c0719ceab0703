//! Mastodon's scopes: `read`, `write`, `follow`, `push`, `profile` and the granular
//! `read:statuses`-style ones. A top-level scope covers its granular ones; the legacy `follow`
//! covers the follow, block and mute ones.

use std::fmt;

use crate::error::{Error, Result};

const TOP: [&str; 5] = ["read", "write", "follow", "push", "profile"];
const GRANULAR: [&str; 30] = [
    "read:accounts",
    "read:blocks",
    "read:bookmarks",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "write:accounts",
    "write:blocks",
    "write:bookmarks",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
    "admin:read",
    "admin:write",
    "read:me",
    "write:push",
    "read:push",
    "read:conversations",
];
/// What the legacy `follow` scope grants.
const FOLLOW_COVERS: [&str; 6] = [
    "read:follows",
    "write:follows",
    "read:blocks",
    "write:blocks",
    "read:mutes",
    "write:mutes",
];
const MAX_SCOPES: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Space-separated (a `+` in a query string arrives as a space). Unknown scopes are refused.
    pub fn parse(text: &str) -> Result<Scopes> {
        let mut scopes: Vec<String> = Vec::new();
        for scope in text.split([' ', '+', ',']).filter(|s| !s.is_empty()) {
            if !TOP.contains(&scope) && !GRANULAR.contains(&scope) {
                return Err(Error::new(400, "invalid_scope"));
            }
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_string());
            }
        }
        if scopes.is_empty() || scopes.len() > MAX_SCOPES {
            return Err(Error::new(400, "invalid_scope"));
        }
        Ok(Scopes(scopes))
    }

    /// Whether these scopes grant `needed` (a granular or top-level scope).
    pub fn allows(&self, needed: &str) -> bool {
        self.0.iter().any(|have| {
            have == needed
                || needed.split_once(':').is_some_and(|(top, _)| top == have)
                || (have == "follow" && FOLLOW_COVERS.contains(&needed))
                // `profile` is the narrow "who am I": verify_credentials only.
                || (needed == "read:me" && (have == "profile" || have == "read" || have == "read:accounts"))
        })
    }

    /// Whether every scope here is granted by `outer`.
    pub fn within(&self, outer: &Scopes) -> bool {
        self.0.iter().all(|scope| outer.allows(scope))
    }

    /// Every scope Perch knows, for the server's OAuth metadata.
    pub fn supported() -> impl Iterator<Item = &'static str> {
        TOP.into_iter().chain(GRANULAR)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}
