//! Every URL Perch mints, built here and nowhere else. These are fixed from day one: changing them
//! breaks every follower.

use crate::config::Config;

pub const AS_PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The Ed25519 key id of an actor of ours, for code that has the actor's id but not the [`Urls`].
pub fn ed25519_key_id_of(actor: &str) -> String {
    format!("{actor}#ed25519-key")
}

/// The URL maker for one instance: its origin and owner's username.
#[derive(Clone, Debug)]
pub struct Urls {
    origin: String,
    username: String,
}

impl Urls {
    pub fn new(config: &Config) -> Urls {
        Urls {
            origin: config.origin(),
            username: config.username.clone(),
        }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// `domain[:port]`, as in the `acct:` handle.
    pub fn host(&self) -> &str {
        self.origin.split_once("://").map_or("", |(_, host)| host)
    }

    pub fn acct(&self) -> String {
        format!("acct:{}@{}", self.username, self.host())
    }

    pub fn actor(&self) -> String {
        format!("{}/users/{}", self.origin, self.username)
    }

    pub fn key_id(&self) -> String {
        format!("{}#main-key", self.actor())
    }

    /// The owner's Ed25519 key (FEP-521a `assertionMethod`), as Mitra and Fedify name theirs.
    pub fn ed25519_key_id(&self) -> String {
        ed25519_key_id_of(&self.actor())
    }

    pub fn profile(&self) -> String {
        format!("{}/@{}", self.origin, self.username)
    }

    pub fn post(&self, id: i64) -> String {
        format!("{}/statuses/{id}", self.actor())
    }

    pub fn post_page(&self, id: i64) -> String {
        format!("{}/{id}", self.profile())
    }

    pub fn post_activity(&self, id: i64) -> String {
        format!("{}/activity", self.post(id))
    }

    pub fn post_replies(&self, id: i64) -> String {
        format!("{}/replies", self.post(id))
    }

    /// Who liked a post (a count only), and who boosted it.
    pub fn post_likes(&self, id: i64) -> String {
        format!("{}/likes", self.post(id))
    }

    pub fn post_shares(&self, id: i64) -> String {
        format!("{}/shares", self.post(id))
    }

    /// The conversation a post of ours starts (FEP-f228): every post of the thread we hold.
    pub fn post_context(&self, root_id: i64) -> String {
        format!("{}/context", self.post(root_id))
    }

    /// A QuoteAuthorization we granted (FEP-044f): the quoted author's consent, served until
    /// revoked.
    pub fn quote_authorization(&self, id: i64) -> String {
        format!("{}/quote_authorizations/{id}", self.actor())
    }

    /// The number of one of our QuoteAuthorization URLs.
    pub fn parse_quote_authorization(&self, url: &str) -> Option<i64> {
        url.strip_prefix(&format!("{}/quote_authorizations/", self.actor()))?
            .parse()
            .ok()
            .filter(|id: &i64| *id > 0)
    }

    /// Activities other than a post's Create (Follow, Like, Update, Delete …).
    pub fn activity(&self, id: i64) -> String {
        format!("{}/activities/{id}", self.actor())
    }

    pub fn inbox(&self) -> String {
        format!("{}/inbox", self.actor())
    }

    pub fn shared_inbox(&self) -> String {
        format!("{}/inbox", self.origin)
    }

    pub fn outbox(&self) -> String {
        format!("{}/outbox", self.actor())
    }

    pub fn outbox_page(&self, max_id: Option<i64>) -> String {
        match max_id {
            Some(id) => format!("{}?page=true&max_id={id}", self.outbox()),
            None => format!("{}?page=true", self.outbox()),
        }
    }

    pub fn outbox_page_newer(&self, min_id: i64) -> String {
        format!("{}?page=true&min_id={min_id}", self.outbox())
    }

    pub fn followers(&self) -> String {
        format!("{}/followers", self.actor())
    }

    pub fn following(&self) -> String {
        format!("{}/following", self.actor())
    }

    pub fn featured(&self) -> String {
        format!("{}/collections/featured", self.actor())
    }

    pub fn tag(&self, name: &str) -> String {
        format!("{}/tags/{}", self.origin, percent_encode_path(name))
    }

    /// The tag page for a hashtag as written: tags are one page whatever their case.
    pub fn hashtag(&self, written: &str) -> String {
        self.tag(&written.to_lowercase())
    }

    pub fn media(&self, id: i64, file_name: &str) -> String {
        format!("{}/media/{id}/{file_name}", self.origin)
    }

    pub fn media_preview(&self, id: i64, file_name: &str) -> String {
        format!("{}/media/{id}/preview/{file_name}", self.origin)
    }

    pub fn atom_feed(&self) -> String {
        format!("{}.atom", self.profile())
    }

    pub fn rss_feed(&self) -> String {
        format!("{}.rss", self.profile())
    }

    pub fn webfinger_template(&self) -> String {
        format!("{}/.well-known/webfinger?resource={{uri}}", self.origin)
    }

    pub fn subscribe_template(&self) -> String {
        format!("{}/authorize_interaction?uri={{uri}}", self.origin)
    }

    pub fn nodeinfo(&self, version: &str) -> String {
        format!("{}/nodeinfo/{version}", self.origin)
    }

    pub fn setup(&self, token: &str) -> String {
        format!("{}/setup?token={token}", self.origin)
    }

    /// The id of one of our posts from its object URL, page URL or bare number.
    pub fn parse_post_reference(&self, reference: &str) -> Option<i64> {
        let reference = reference.trim().trim_end_matches('/');
        let number = reference
            .strip_prefix(&format!("{}/statuses/", self.actor()))
            .or_else(|| reference.strip_prefix(&format!("{}/", self.profile())))
            .map(|rest| rest.strip_suffix("/activity").unwrap_or(rest))
            .unwrap_or(reference);
        number.parse().ok().filter(|id: &i64| *id > 0)
    }
}

/// Percent-encodes everything but unreserved characters, so tag names are safe in a path.
pub fn percent_encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
