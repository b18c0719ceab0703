//! Timelines paged as Mastodon pages them (`model::Range`): several sources (our posts, posts we
//! keep, boosts) each read one window, merged by id. Hidden posts are dropped per source, so the
//! merge cuts at the furthest point every full source reached: no gaps, no repeats.

use std::collections::HashSet;

use rusqlite::Connection;

use crate::error::Result;
use crate::model::{Actor, Counts, Entry, Extras, Profile, Range, Shown, Timestamp, Window};
use crate::store::{counters, interactions, lists, posts, remote_posts};
use crate::urls::Urls;

use super::super::filters;
use super::super::moderation::Filter;
use super::super::profile;
use super::{find, hidden, shut_out, shut_out_among};

/// Which timeline.
#[derive(Clone, Copy, Debug)]
pub enum Feed<'a> {
    Home,
    /// `local`: ours only; `remote`: others' only.
    Public {
        local: bool,
        remote: bool,
        only_media: bool,
    },
    Tag {
        name: &'a str,
        local: bool,
        remote: bool,
        only_media: bool,
    },
    List(i64),
    /// One account's posts, as its profile lists them: the owner's (`actor: None`) or a remote
    /// actor's. `exclude_replies` keeps the owner's replies to their own posts (threads).
    /// `public_only`: a visitor's view (public and unlisted posts), not the owner's.
    Account {
        actor: Option<i64>,
        exclude_replies: bool,
        only_media: bool,
        tagged: Option<&'a str>,
        public_only: bool,
    },
}

/// What a source keeps of what it reads, beyond what its query selects.
#[derive(Clone, Copy, Default)]
struct Keep<'a> {
    only_media: bool,
    /// Replies are left out, but those to a post whose id starts with this (our own threads).
    no_replies_but_to: Option<&'a str>,
    /// Only what anyone may read (public and unlisted).
    public_only: bool,
}

impl Keep<'_> {
    fn media(only_media: bool) -> Keep<'static> {
        Keep {
            only_media,
            no_replies_but_to: None,
            public_only: false,
        }
    }

    fn keeps(&self, shown: &Shown) -> bool {
        if self.only_media && !has_media(shown) {
            return false;
        }
        let readable = match shown {
            Shown::Own(p) => p.visibility.is_world_readable(),
            Shown::Remote(p) => p.visibility.is_world_readable(),
        };
        if self.public_only && !readable {
            return false;
        }
        let Some(own_prefix) = self.no_replies_but_to else {
            return true;
        };
        let in_reply_to = match shown {
            Shown::Own(p) => p.in_reply_to.as_deref(),
            Shown::Remote(p) => p.in_reply_to.as_deref(),
        };
        in_reply_to.is_none_or(|uri| !own_prefix.is_empty() && uri.starts_with(own_prefix))
    }
}

impl Feed<'_> {
    /// The filter context (Mastodon's) a timeline is read in.
    pub fn filter_context(&self) -> &'static str {
        match self {
            Feed::Home | Feed::List(_) => "home",
            Feed::Public { .. } | Feed::Tag { .. } => "public",
            Feed::Account { .. } => "account",
        }
    }
}

/// The owner as the API's account shows them, for the statuses of our posts.
#[derive(Clone, Debug)]
pub struct Owner {
    pub profile: Profile,
    pub fields_html: Vec<(String, String)>,
    pub counts: Counts,
    pub last_post: Option<Timestamp>,
}

pub fn owner(conn: &Connection, username: &str) -> Result<Owner> {
    let profile = profile::get(conn, username)?;
    let counters = counters::get(conn)?;
    Ok(Owner {
        fields_html: profile::fields_html(&profile),
        profile,
        counts: Counts {
            posts: counters.posts,
            followers: counters.followers,
            following: counters.following,
        },
        last_post: crate::store::statuses::last_post_at(conn)?,
    })
}

/// One page of a timeline with the owner's account.
pub struct Statuses {
    pub owner: Owner,
    pub entries: Vec<Entry>,
    /// What the API shows beside each entry, in order.
    pub extras: Vec<Extras>,
    /// The `max_id` of the next older page when the page ended early (everything read was
    /// hidden); otherwise the last entry's id is it.
    pub older: Option<i64>,
}

struct Candidate {
    id: i64,
    shown: Shown,
    boosted_by: Option<Actor>,
}

/// What one source read: the kept candidates, and how far it read when it filled its window.
struct Batch {
    kept: Vec<Candidate>,
    reached: Option<i64>,
}

impl Batch {
    fn new(window: &Window, read: usize, last: Option<i64>, kept: Vec<Candidate>) -> Batch {
        Batch {
            kept,
            reached: (read >= window.limit).then_some(last).flatten(),
        }
    }
}

/// Merges the batches into at most `limit` candidates newest first, and the key of the next
/// older page when there is more.
fn merge(batches: Vec<Batch>, window: &Window, limit: usize) -> (Vec<Candidate>, Option<i64>) {
    let reached: Vec<i64> = batches.iter().filter_map(|b| b.reached).collect();
    // Past this id some full source may hold rows it did not read.
    let cut = if window.ascending {
        reached.iter().min().copied()
    } else {
        reached.iter().max().copied()
    };
    let mut all: Vec<Candidate> = batches
        .into_iter()
        .flat_map(|b| b.kept)
        .filter(|c| match (cut, window.ascending) {
            (None, _) => true,
            (Some(cut), true) => c.id <= cut,
            (Some(cut), false) => c.id >= cut,
        })
        .collect();
    let mut seen = HashSet::new();
    all.retain(|c| seen.insert(c.id));
    if window.ascending {
        all.sort_by_key(|c| c.id);
    } else {
        all.sort_by_key(|c| std::cmp::Reverse(c.id));
    }
    let more = all.len() > limit || cut.is_some();
    all.truncate(limit);
    if window.ascending {
        all.reverse();
    }
    let older = match all.last() {
        Some(last) if more || window.ascending => Some(last.id),
        Some(_) => None,
        None if more && !window.ascending => cut,
        None => None,
    };
    (all, older)
}

fn has_media(shown: &Shown) -> bool {
    match shown {
        Shown::Own(post) => !post.media.is_empty(),
        Shown::Remote(post) => !post.attachments.is_empty(),
    }
}

fn own_batch(
    conn: &Connection,
    selection: posts::Selection,
    window: &Window,
    keep: Keep,
) -> Result<Batch> {
    let read = posts::window(conn, selection, window)?;
    let (count, last) = (read.len(), read.last().map(|p| p.id));
    let kept = read
        .into_iter()
        .map(Shown::Own)
        .filter(|s| keep.keeps(s))
        .map(|shown| Candidate {
            id: match &shown {
                Shown::Own(p) => p.id,
                Shown::Remote(p) => p.id,
            },
            shown,
            boosted_by: None,
        })
        .collect();
    Ok(Batch::new(window, count, last, kept))
}

fn remote_batch(
    conn: &Connection,
    filter: &Filter,
    selection: remote_posts::Selection,
    window: &Window,
    keep: Keep,
    left_out: &HashSet<i64>,
) -> Result<Batch> {
    let read = remote_posts::window(conn, selection, window)?;
    let (count, last) = (read.len(), read.last().map(|p| p.id));
    let shut = shut_out_among(conn, read.iter().map(|p| &p.actor))?;
    let mut kept = Vec::new();
    for post in read {
        if left_out.contains(&post.actor.id)
            || shut.contains(&post.actor.id)
            || filter.hides(&post.content_html, post.summary.as_deref())
        {
            continue;
        }
        let shown = Shown::Remote(Box::new(post));
        if !keep.keeps(&shown) {
            continue;
        }
        let id = match &shown {
            Shown::Remote(p) => p.id,
            Shown::Own(p) => p.id,
        };
        kept.push(Candidate {
            id,
            shown,
            boosted_by: None,
        });
    }
    Ok(Batch::new(window, count, last, kept))
}

fn boost_batch(
    conn: &Connection,
    urls: &Urls,
    filter: &Filter,
    list: Option<i64>,
    window: &Window,
) -> Result<Batch> {
    let hidden_boosts = crate::store::accounts::boosts_hidden(conn)?;
    let read = interactions::boosts_window(conn, list, window)?;
    let (count, last) = (read.len(), read.last().map(|b| b.id));
    let mut kept = Vec::new();
    for boost in read {
        if hidden_boosts.contains(&boost.actor_id) {
            continue;
        }
        let (Some(target), Some(by)) = (
            find(conn, urls, &boost.object_uri)?,
            crate::store::actors::get(conn, boost.actor_id)?,
        ) else {
            continue;
        };
        let target_hidden = match &target {
            Shown::Remote(post) => hidden(conn, filter, post)?,
            Shown::Own(_) => false,
        };
        if target_hidden || shut_out(conn, &by)? {
            continue;
        }
        kept.push(Candidate {
            id: boost.id,
            shown: target,
            boosted_by: Some(by),
        });
    }
    Ok(Batch::new(window, count, last, kept))
}

/// One page of a timeline's entries, newest first, and the next older page's key.
pub fn entries(
    conn: &Connection,
    urls: &Urls,
    feed: Feed,
    range: &Range,
) -> Result<(Vec<Entry>, Option<i64>)> {
    let window = range.window();
    let filter = Filter::load(conn)?;
    let none = HashSet::new();
    let batches = match feed {
        Feed::Home => {
            let exclusive = lists::exclusive_members(conn)?;
            vec![
                own_batch(conn, posts::Selection::All, &window, Keep::default())?,
                remote_batch(
                    conn,
                    &filter,
                    remote_posts::Selection::All,
                    &window,
                    Keep::default(),
                    &exclusive,
                )?,
                boost_batch(conn, urls, &filter, None, &window)?,
            ]
        }
        Feed::Public {
            local,
            remote,
            only_media,
        } => {
            let mut batches = Vec::new();
            if !remote {
                batches.push(own_batch(
                    conn,
                    posts::Selection::Public,
                    &window,
                    Keep::media(only_media),
                )?);
            }
            if !local {
                batches.push(remote_batch(
                    conn,
                    &filter,
                    remote_posts::Selection::Public,
                    &window,
                    Keep::media(only_media),
                    &none,
                )?);
            }
            batches
        }
        Feed::Tag {
            name,
            local,
            remote,
            only_media,
        } => {
            let mut batches = Vec::new();
            if !remote {
                batches.push(own_batch(
                    conn,
                    posts::Selection::Tag(name),
                    &window,
                    Keep::media(only_media),
                )?);
            }
            if !local {
                batches.push(remote_batch(
                    conn,
                    &filter,
                    remote_posts::Selection::Tag(name),
                    &window,
                    Keep::media(only_media),
                    &none,
                )?);
            }
            batches
        }
        Feed::List(id) => vec![
            remote_batch(
                conn,
                &filter,
                remote_posts::Selection::List(id),
                &window,
                Keep::default(),
                &none,
            )?,
            boost_batch(conn, urls, &filter, Some(id), &window)?,
        ],
        Feed::Account {
            actor,
            exclude_replies,
            only_media,
            tagged,
            public_only,
        } => {
            let own_posts = urls.origin().to_string() + "/";
            let keep = |own_threads| Keep {
                only_media,
                no_replies_but_to: exclude_replies.then_some(own_threads),
                public_only,
            };
            match actor {
                None => vec![own_batch(
                    conn,
                    posts::Selection::Profile(tagged),
                    &window,
                    keep(own_posts.as_str()),
                )?],
                Some(id) => vec![remote_batch(
                    conn,
                    &filter,
                    remote_posts::Selection::Actor(id, tagged),
                    &window,
                    keep(""),
                    &none,
                )?],
            }
        }
    };
    let (candidates, older) = merge(batches, &window, range.limit);
    let entries = super::entries(
        conn,
        urls,
        candidates
            .into_iter()
            .map(|c| (c.id, c.shown, c.boosted_by))
            .collect(),
    )?;
    // Filtered entries leave the page short rather than shift it: `older` still follows the
    // last candidate read, so paging neither skips nor repeats.
    let entries = filters::apply(conn, feed.filter_context(), entries, Timestamp::now())?;
    Ok((entries, older))
}

/// A timeline page with the owner's account, for the API.
pub fn statuses(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    feed: Feed,
    range: &Range,
) -> Result<Statuses> {
    let (entries, older) = entries(conn, urls, feed, range)?;
    Ok(Statuses {
        owner: owner(conn, username)?,
        extras: crate::domain::statuses::extras_for(conn, urls, &entries)?,
        entries,
        older,
    })
}

#[cfg(test)]
mod tests;
