//! What Perch does, without HTTP: publishing, the profile, logging in, setting up. Functions take a
//! database connection and plain values, and return model values or an `Error`.

pub mod accounts;
pub mod actors;
pub mod attachments;
pub mod auth;
pub mod backfill;
pub mod bookmarks;
pub mod collections;
pub mod conversations;
pub mod filters;
pub mod follows;
pub mod importer;
pub mod inbox;
pub mod instance;
pub mod interactions;
pub mod lists;
pub mod markers;
pub mod media;
pub mod memo;
pub mod moderation;
pub mod moving;
pub mod notifications;
pub mod oauth;
pub mod people;
pub mod pins;
pub mod polls;
pub mod posts;
pub mod profile;
pub mod public;
pub mod push;
pub mod quotes;
pub mod reactions;
pub mod search;
pub mod statuses;
pub mod stream;
pub mod threads;
pub mod timeline;
pub mod transfer;

#[cfg(test)]
pub mod testkit;

/// Random bytes as URL-safe base64: session tokens, CSRF tokens, set-up tokens.
pub fn random_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .expect("the system random source is available");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a token, hex: what we store instead of the token itself.
pub fn token_hash(token: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
