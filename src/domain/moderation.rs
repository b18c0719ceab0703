//! Blocks, mutes, blocked domains and muted words: what the owner keeps out, and the timeline
//! filter that applies them.

use rusqlite::Connection;

use crate::delivery;
use crate::error::{Error, Result};
use crate::federation::build;
use crate::model::{Actor, Lists, Profile, Timestamp};
use crate::store::follows::{self, Direction};
use crate::store::moderation::{self as stored, Restriction};
use crate::store::{self};
use crate::urls::Urls;

pub const MAX_WORD_CHARS: usize = 100;

/// Blocks an account: our follow of them is undone, theirs of us removed, and they are sent a
/// Block (their server drops its side of both follows on it, as Mastodon does).
pub fn block(conn: &mut Connection, urls: &Urls, actor: &Actor, now: Timestamp) -> Result<()> {
    if actor.uri == urls.actor() {
        return Err(Error::bad_request("you cannot block yourself"));
    }
    store::write(conn, |tx| {
        let id = urls.activity(store::new_id(now));
        if !stored::add(tx, actor.id, Restriction::Block, Some(&id), now)? {
            return Ok(());
        }
        let inbox = std::slice::from_ref(&actor.inbox);
        if let Some(ours) = follows::get(tx, actor.id, Direction::Out)? {
            follows::delete(tx, actor.id, Direction::Out)?;
            let undo = build::undo_follow(urls, &ours.activity_uri, &actor.uri);
            delivery::enqueue(tx, &undo, inbox, urls.origin(), now)?;
        }
        follows::delete(tx, actor.id, Direction::In)?;
        let block = build::block(urls, &id, &actor.uri);
        delivery::enqueue(tx, &block, inbox, urls.origin(), now)?;
        Ok(())
    })
}

/// Lifts a block with an Undo of the Block sent; follows stay gone.
pub fn unblock(conn: &mut Connection, urls: &Urls, actor: &Actor, now: Timestamp) -> Result<()> {
    store::write(conn, |tx| {
        let Some(activity) = stored::remove(tx, actor.id, Restriction::Block)? else {
            return Ok(());
        };
        if let Some(id) = activity {
            let undo = build::undo_block(urls, &id, &actor.uri);
            let inbox = std::slice::from_ref(&actor.inbox);
            delivery::enqueue(tx, &undo, inbox, urls.origin(), now)?;
        }
        Ok(())
    })
}

/// Mutes (or unmutes) an account: their posts and boosts leave the timeline; nobody is told.
pub fn mute(conn: &Connection, actor: &Actor, muted: bool, now: Timestamp) -> Result<()> {
    if muted {
        stored::add(conn, actor.id, Restriction::Mute, None, now)?;
    } else {
        stored::remove(conn, actor.id, Restriction::Mute)?;
    }
    Ok(())
}

/// A domain as the owner typed it (`example.com`, `https://example.com/…`, `@user@example.com`),
/// lower-cased, without scheme, path or port.
pub fn normalise_domain(input: &str) -> Result<String> {
    let text = input.trim().to_ascii_lowercase();
    let text = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or(&text);
    let host = text.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("").trim_end_matches('.');
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if valid {
        Ok(host.to_string())
    } else {
        Err(Error::new(422, "give a domain such as example.com"))
    }
}

/// Blocks a domain: its inbox deliveries are refused and nothing of ours goes there; its
/// followers of us are removed (their server would not hear of it anyway).
pub fn block_domain(conn: &mut Connection, input: &str, now: Timestamp) -> Result<String> {
    let domain = normalise_domain(input)?;
    store::write(conn, |tx| {
        stored::block_domain(tx, &domain, now)?;
        follows::delete_in_domain(tx, &domain)?;
        Ok(domain.clone())
    })
}

/// A muted word or phrase, trimmed; refused when empty or too long.
pub fn clean_word(input: &str) -> Result<String> {
    let word = input.trim();
    if word.is_empty() || word.chars().count() > MAX_WORD_CHARS {
        return Err(Error::new(
            422,
            format!("a muted word has 1 to {MAX_WORD_CHARS} characters"),
        ));
    }
    Ok(word.to_string())
}

/// The moderation page: the profile and the lists.
pub fn lists(conn: &Connection, username: &str) -> Result<(Profile, Lists)> {
    let profile = super::profile::get(conn, username)?;
    Ok((
        profile,
        Lists {
            blocked: stored::list(conn, Restriction::Block)?,
            muted: stored::list(conn, Restriction::Mute)?,
            domains: stored::blocked_domains(conn)?,
            words: stored::muted_words(conn)?,
        },
    ))
}

pub fn unblock_domain(conn: &Connection, domain: &str) -> Result<()> {
    stored::unblock_domain(conn, domain)?;
    Ok(())
}

/// Mutes a word or phrase, once `clean_word` accepts it.
pub fn mute_word(conn: &Connection, input: &str, now: Timestamp) -> Result<()> {
    let word = clean_word(input)?;
    stored::add_muted_word(conn, &word, now)?;
    Ok(())
}

pub fn unmute_word(conn: &Connection, word: &str) -> Result<()> {
    stored::remove_muted_word(conn, word)?;
    Ok(())
}

/// What the timeline leaves out beyond blocked and muted accounts: posts with a muted word.
pub struct Filter {
    words: Vec<String>,
}

impl Filter {
    pub fn load(conn: &Connection) -> Result<Filter> {
        Ok(Filter {
            words: stored::muted_words(conn)?
                .into_iter()
                .map(|w| w.to_lowercase())
                .collect(),
        })
    }

    /// Whether a post with this HTML content and content warning contains a muted word (a
    /// case-insensitive substring of its plain text).
    pub fn hides(&self, html: &str, summary: Option<&str>) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let mut text = plain_text(html).to_lowercase();
        if let Some(summary) = summary {
            text.push(' ');
            text.push_str(&summary.to_lowercase());
        }
        self.words.iter().any(|w| text.contains(w.as_str()))
    }
}

/// The text of sanitised HTML: tags dropped, the few entities our sanitiser writes decoded.
pub(crate) fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

#[cfg(test)]
mod tests;
