//! The owner's filters (Mastodon's filters v2): keywords or chosen posts that every timeline,
//! the notifications and threads hide, or show behind a warning, in the filter's contexts until
//! it expires. The web page and the API both read timelines through [`apply`].

use std::collections::HashSet;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{Entry, FilterHit, FilterRule, Shown, Timestamp};
use crate::store::filters::{self as stored, NewFilter};

pub const CONTEXTS: [&str; 5] = ["home", "notifications", "public", "thread", "account"];
const ACTIONS: [&str; 3] = ["warn", "hide", "blur"];
pub const MAX_FILTERS: usize = 100;
pub const MAX_KEYWORDS: usize = 100;
pub const MAX_STATUSES: usize = 500;
const MAX_TITLE_CHARS: usize = 200;
const MAX_KEYWORD_CHARS: usize = 200;
/// A filter expires at most this far ahead (ten years, in seconds).
const MAX_EXPIRES_IN: i64 = 10 * 365 * 24 * 3600;

fn invalid(message: &str) -> Error {
    Error::new(422, format!("Validation failed: {message}"))
}

/// A change to one keyword of a filter: a new one (no id), an edit, or a removal.
#[derive(Debug, Default)]
pub struct KeywordChange {
    pub id: Option<i64>,
    pub keyword: Option<String>,
    pub whole_word: Option<bool>,
    pub destroy: bool,
}

/// What a create or update gives; None keeps what is there (or takes the default).
#[derive(Debug, Default)]
pub struct FilterInput {
    pub title: Option<String>,
    pub contexts: Option<Vec<String>>,
    pub action: Option<String>,
    /// Some(None): never expires; Some(Some(seconds)) from now.
    pub expires_in: Option<Option<i64>>,
    pub keywords: Vec<KeywordChange>,
}

fn checked_title(title: &str) -> Result<String> {
    let title = title.trim();
    if title.is_empty() {
        return Err(invalid("Title can't be blank"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(invalid("Title is too long"));
    }
    Ok(title.to_string())
}

fn checked_contexts(contexts: &[String]) -> Result<Vec<String>> {
    let mut kept: Vec<String> = Vec::new();
    for context in contexts {
        let context = context.trim();
        if !CONTEXTS.contains(&context) {
            return Err(invalid("Context includes invalid values"));
        }
        if !kept.iter().any(|c| c == context) {
            kept.push(context.to_string());
        }
    }
    if kept.is_empty() {
        return Err(invalid("Context can't be blank"));
    }
    Ok(kept)
}

fn checked_action(action: &str) -> Result<String> {
    ACTIONS
        .contains(&action)
        .then(|| action.to_string())
        .ok_or_else(|| invalid("Filter action is not included in the list"))
}

fn checked_keyword(keyword: &str) -> Result<String> {
    let keyword = keyword.trim();
    if keyword.is_empty() {
        return Err(invalid("Keyword can't be blank"));
    }
    if keyword.chars().count() > MAX_KEYWORD_CHARS {
        return Err(invalid("Keyword is too long"));
    }
    Ok(keyword.to_string())
}

fn expiry(expires_in: Option<i64>, now: Timestamp) -> Result<Option<Timestamp>> {
    match expires_in {
        None => Ok(None),
        Some(seconds) if (1..=MAX_EXPIRES_IN).contains(&seconds) => {
            Ok(Some(Timestamp(now.0 + seconds * 1000)))
        }
        Some(_) => Err(invalid("Expires in is out of range")),
    }
}

pub fn all(conn: &Connection) -> Result<Vec<FilterRule>> {
    Ok(stored::all(conn, None)?)
}

pub fn get(conn: &Connection, id: i64) -> Result<FilterRule> {
    stored::get(conn, id)?.ok_or_else(Error::not_found)
}

fn change_keywords(conn: &Connection, filter_id: i64, changes: &[KeywordChange]) -> Result<()> {
    for change in changes {
        match change.id {
            Some(id) => {
                let Some((owner, old)) = stored::keyword(conn, id)? else {
                    return Err(Error::not_found());
                };
                if owner != filter_id {
                    return Err(Error::not_found());
                }
                if change.destroy {
                    stored::delete_keyword(conn, id)?;
                } else {
                    let keyword = match &change.keyword {
                        Some(k) => checked_keyword(k)?,
                        None => old.keyword,
                    };
                    let whole_word = change.whole_word.unwrap_or(old.whole_word);
                    stored::update_keyword(conn, id, &keyword, whole_word)?;
                }
            }
            None if change.destroy => {}
            None => {
                let keyword = checked_keyword(change.keyword.as_deref().unwrap_or(""))?;
                stored::add_keyword(conn, filter_id, &keyword, change.whole_word.unwrap_or(true))?;
            }
        }
    }
    if stored::keyword_count(conn, filter_id)? > MAX_KEYWORDS {
        return Err(invalid("Keywords are too many"));
    }
    Ok(())
}

pub fn create(conn: &mut Connection, input: FilterInput, now: Timestamp) -> Result<FilterRule> {
    let title = checked_title(input.title.as_deref().unwrap_or(""))?;
    let contexts = checked_contexts(input.contexts.as_deref().unwrap_or(&[]))?;
    let action = checked_action(input.action.as_deref().unwrap_or("warn"))?;
    let expires_at = expiry(input.expires_in.flatten(), now)?;
    let tx = conn.transaction()?;
    if stored::count(&tx)? >= MAX_FILTERS {
        return Err(invalid("Filters are too many"));
    }
    let filter = NewFilter {
        title: &title,
        contexts: &contexts,
        action: &action,
        expires_at,
    };
    let id = stored::insert(&tx, &filter, now)?;
    change_keywords(&tx, id, &input.keywords)?;
    tx.commit()?;
    get(conn, id)
}

/// Changes what is given and keeps the rest; keyword changes apply in order, all or none.
pub fn update(
    conn: &mut Connection,
    id: i64,
    input: FilterInput,
    now: Timestamp,
) -> Result<FilterRule> {
    let old = get(conn, id)?;
    let title = match &input.title {
        Some(title) => checked_title(title)?,
        None => old.title,
    };
    let contexts = match &input.contexts {
        Some(contexts) => checked_contexts(contexts)?,
        None => old.contexts,
    };
    let action = match &input.action {
        Some(action) => checked_action(action)?,
        None => old.action,
    };
    let expires_at = match input.expires_in {
        Some(expires_in) => expiry(expires_in, now)?,
        None => old.expires_at,
    };
    let tx = conn.transaction()?;
    let filter = NewFilter {
        title: &title,
        contexts: &contexts,
        action: &action,
        expires_at,
    };
    stored::update(&tx, id, &filter)?;
    change_keywords(&tx, id, &input.keywords)?;
    tx.commit()?;
    get(conn, id)
}

pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    if stored::delete(conn, id)? {
        Ok(())
    } else {
        Err(Error::not_found())
    }
}

pub fn add_keyword(
    conn: &mut Connection,
    filter_id: i64,
    keyword: &str,
    whole_word: bool,
) -> Result<crate::model::FilterKeyword> {
    get(conn, filter_id)?;
    let change = KeywordChange {
        keyword: Some(keyword.to_string()),
        whole_word: Some(whole_word),
        ..Default::default()
    };
    let tx = conn.transaction()?;
    change_keywords(&tx, filter_id, std::slice::from_ref(&change))?;
    let id = tx.last_insert_rowid();
    tx.commit()?;
    keyword_by_id(conn, id).map(|(_, k)| k)
}

/// A keyword and the id of its filter.
pub fn keyword_by_id(conn: &Connection, id: i64) -> Result<(i64, crate::model::FilterKeyword)> {
    stored::keyword(conn, id)?.ok_or_else(Error::not_found)
}

pub fn update_keyword(
    conn: &Connection,
    id: i64,
    keyword: Option<&str>,
    whole_word: Option<bool>,
) -> Result<(i64, crate::model::FilterKeyword)> {
    let (filter_id, _) = keyword_by_id(conn, id)?;
    let change = KeywordChange {
        id: Some(id),
        keyword: keyword.map(str::to_string),
        whole_word,
        destroy: false,
    };
    change_keywords(conn, filter_id, std::slice::from_ref(&change))?;
    keyword_by_id(conn, id)
}

pub fn delete_keyword(conn: &Connection, id: i64) -> Result<()> {
    if stored::delete_keyword(conn, id)? {
        Ok(())
    } else {
        Err(Error::not_found())
    }
}

/// Adds a post (by its API status id, which must be one we hold) to a filter.
pub fn add_status(
    conn: &Connection,
    filter_id: i64,
    status_id: i64,
) -> Result<crate::model::FilterStatus> {
    get(conn, filter_id)?;
    if !held(conn, status_id)? {
        return Err(invalid("Status does not exist"));
    }
    if stored::status_count(conn, filter_id)? >= MAX_STATUSES {
        return Err(invalid("Statuses are too many"));
    }
    let id = stored::add_status(conn, filter_id, status_id)?;
    status_by_id(conn, id).map(|(_, s)| s)
}

fn held(conn: &Connection, status_id: i64) -> Result<bool> {
    Ok(
        !crate::store::posts::get_many(conn, &[status_id])?.is_empty()
            || !crate::store::remote_posts::get_many(conn, &[status_id])?.is_empty(),
    )
}

/// A filtered post and the id of its filter.
pub fn status_by_id(conn: &Connection, id: i64) -> Result<(i64, crate::model::FilterStatus)> {
    stored::status(conn, id)?.ok_or_else(Error::not_found)
}

pub fn delete_status(conn: &Connection, id: i64) -> Result<()> {
    if stored::delete_status(conn, id)? {
        Ok(())
    } else {
        Err(Error::not_found())
    }
}

/// Whether `keyword` (lower case) occurs in `text` (lower case); with `whole_word`, not inside a
/// longer word (as Mastodon's `\b`, only at an edge where the keyword has a word character).
pub fn keyword_matches(text: &str, keyword: &str, whole_word: bool) -> bool {
    if !whole_word {
        return text.contains(keyword);
    }
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let starts_word = keyword.chars().next().is_some_and(word);
    let ends_word = keyword.chars().next_back().is_some_and(word);
    text.match_indices(keyword).any(|(at, found)| {
        let before = text[..at].chars().next_back();
        let after = text[at + found.len()..].chars().next();
        (!starts_word || !before.is_some_and(word)) && (!ends_word || !after.is_some_and(word))
    })
}

struct Compiled {
    rule: FilterRule,
    keywords: Vec<(String, bool)>,
    statuses: HashSet<i64>,
}

/// The active filters of one context, ready to test posts against.
pub struct Matcher {
    rules: Vec<Compiled>,
}

impl Matcher {
    pub fn load(conn: &Connection, context: &str, now: Timestamp) -> Result<Matcher> {
        if !stored::any(conn)? {
            return Ok(Matcher { rules: Vec::new() });
        }
        let rules = stored::all(conn, Some(now))?
            .into_iter()
            .filter(|rule| rule.contexts.iter().any(|c| c == context))
            .map(|rule| Compiled {
                keywords: rule
                    .keywords
                    .iter()
                    .map(|k| (k.keyword.to_lowercase(), k.whole_word))
                    .collect(),
                statuses: rule.statuses.iter().map(|s| s.status_id).collect(),
                rule,
            })
            .collect();
        Ok(Matcher { rules })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether the entry is hidden, and the warn filters it matches. The owner's own posts are
    /// never filtered, as on Mastodon.
    pub fn check(&self, entry: &Entry) -> (bool, Vec<FilterHit>) {
        let Shown::Remote(post) = &entry.shown else {
            return (false, Vec::new());
        };
        if self.rules.is_empty() {
            return (false, Vec::new());
        }
        let mut text = super::moderation::plain_text(&post.content_html).to_lowercase();
        let descriptions = post.attachments.iter().map(|a| &a.description);
        for extra in post.summary.iter().chain(descriptions) {
            text.push('\n');
            text.push_str(&extra.to_lowercase());
        }
        let mut hidden = false;
        let mut hits = Vec::new();
        for compiled in &self.rules {
            let keyword_matches: Vec<String> = compiled
                .keywords
                .iter()
                .zip(&compiled.rule.keywords)
                .filter(|((k, whole), _)| keyword_matches(&text, k, *whole))
                .map(|(_, original)| original.keyword.clone())
                .collect();
            let status_matches: Vec<i64> = compiled
                .statuses
                .contains(&post.id)
                .then_some(post.id)
                .into_iter()
                .collect();
            if keyword_matches.is_empty() && status_matches.is_empty() {
                continue;
            }
            if compiled.rule.action == "hide" {
                hidden = true;
            } else {
                hits.push(FilterHit {
                    filter: compiled.rule.clone(),
                    keyword_matches,
                    status_matches,
                });
            }
        }
        (hidden, hits)
    }
}

/// The entries as shown in `context`: hidden ones left out, the rest with their warnings.
pub fn apply(
    conn: &Connection,
    context: &str,
    entries: Vec<Entry>,
    now: Timestamp,
) -> Result<Vec<Entry>> {
    let matcher = Matcher::load(conn, context, now)?;
    if matcher.is_empty() {
        return Ok(entries);
    }
    Ok(entries
        .into_iter()
        .filter_map(|mut entry| {
            let (hidden, hits) = matcher.check(&entry);
            entry.filtered = hits;
            (!hidden).then_some(entry)
        })
        .collect())
}

#[cfg(test)]
mod tests;
