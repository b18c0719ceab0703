//! Quotes of and by the owner (FEP-044f): the default policy for new posts, the authorizations we
//! host and their revocation, the quotes shown on a post's page, and the owner quoting a post
//! (asked for with a `QuoteRequest`, settled by `inbox::quotes`).

use rusqlite::Connection;
use serde_json::Value;

use crate::delivery;
use crate::error::{Error, Result};
use crate::federation::build;
use crate::model::{Post, QuotePolicy, QuoteState, RemotePost, Timestamp};
use crate::store::quotes::{self, NewQuote};
use crate::store::{self, actors, follows, new_id, posts, remote_posts, settings};
use crate::urls::Urls;

/// The setting naming the policy new posts get.
const DEFAULT_POLICY: &str = "default_quote_policy";

/// Who may quote new posts unless the compose form says otherwise.
pub fn default_policy(conn: &Connection) -> Result<QuotePolicy> {
    let value = settings::get(conn, DEFAULT_POLICY)?;
    Ok(value
        .and_then(|v| String::from_utf8(v).ok())
        .and_then(|v| QuotePolicy::parse(&v))
        .unwrap_or_default())
}

pub fn set_default_policy(conn: &Connection, policy: QuotePolicy) -> Result<()> {
    settings::set(conn, DEFAULT_POLICY, policy.as_str().as_bytes())?;
    Ok(())
}

/// The `QuoteAuthorization` document at our URL `id`; not found once revoked (or never granted).
pub fn authorization_document(conn: &Connection, urls: &Urls, id: i64) -> Result<Value> {
    let granted = quotes::authorization(conn, id)?
        .filter(|a| !a.revoked)
        .ok_or_else(Error::not_found)?;
    Ok(build::quote_authorization(
        urls,
        granted.id,
        &granted.quoting_uri,
        &urls.post(granted.post_id),
    ))
}

/// Others' posts that quote our post `post_id` with its consent, for its page.
pub fn quotes_of(conn: &Connection, post_id: i64) -> Result<Vec<RemotePost>> {
    let ids = quotes::quoting_remote_posts(conn, post_id)?;
    Ok(remote_posts::get_many(conn, &ids)?)
}

/// The owner withdraws consent to the quote `quoting_uri` of one of their posts: the
/// authorization stops answering and its Delete goes to the quoting author and our followers.
pub fn revoke(conn: &mut Connection, urls: &Urls, quoting_uri: &str, now: Timestamp) -> Result<()> {
    store::write(conn, |tx| {
        let granted = quotes::authorization_for(tx, quoting_uri)?.ok_or_else(Error::not_found)?;
        quotes::revoke(tx, granted.id, now)?;
        let authorization = urls.quote_authorization(granted.id);
        quotes::revoke_authorization(tx, &authorization)?;
        let mut inboxes = follows::follower_inboxes(tx)?;
        if let Some(actor) = actors::get(tx, granted.actor_id)? {
            inboxes.push(actor.inbox);
        }
        let activity = build::delete_authorization(
            urls,
            &urls.activity(new_id(now)),
            &authorization,
            &[crate::urls::AS_PUBLIC.to_string()],
        );
        delivery::enqueue(tx, &activity, &inboxes, urls.origin(), now)?;
        Ok(())
    })
}

/// What the owner may quote: a public or unlisted post we hold (theirs, or our own).
pub enum Quotable {
    Own(i64),
    Remote(Box<RemotePost>),
}

/// Checks the post the owner wants to quote, given by its id.
pub fn quotable(conn: &Connection, urls: &Urls, uri: &str) -> Result<Quotable> {
    if uri.starts_with(&format!("{}/", urls.origin())) {
        let id = urls
            .parse_post_reference(uri)
            .ok_or_else(|| Error::bad_request("the quoted post is not one of ours"))?;
        let post = posts::get(conn, id)?.ok_or_else(Error::not_found)?;
        if !post.visibility.is_world_readable() {
            return Err(Error::bad_request("only public posts can be quoted"));
        }
        return Ok(Quotable::Own(id));
    }
    let post = remote_posts::get_by_uri(conn, uri)?
        .ok_or_else(|| Error::bad_request("the quoted post must be one Perch holds"))?;
    if !post.visibility.is_world_readable() {
        return Err(Error::bad_request("only public posts can be quoted"));
    }
    Ok(Quotable::Remote(Box::new(post)))
}

/// Records the owner's new post `post_id` as quoting `quoted`, in the publishing transaction:
/// accepted at once for our own post, else pending until the author answers our request.
pub fn attach(
    tx: &Connection,
    urls: &Urls,
    post_id: i64,
    quoted: &Quotable,
    now: Timestamp,
) -> rusqlite::Result<()> {
    let own_uri = urls.post(post_id);
    let (quoted_uri, quoted_post_id, state, request) = match quoted {
        Quotable::Own(id) => (urls.post(*id), Some(*id), QuoteState::Accepted, None),
        Quotable::Remote(post) => (
            post.uri.clone(),
            None,
            QuoteState::Pending,
            Some(urls.activity(new_id(now))),
        ),
    };
    quotes::upsert(
        tx,
        &NewQuote {
            post_uri: &own_uri,
            own_post_id: Some(post_id),
            quoted_uri: &quoted_uri,
            quoted_post_id,
            authorization_uri: None,
            request_uri: request.as_deref(),
            state,
        },
        now,
    )
}

/// Sends the QuoteRequest for the owner's post `post` (which quotes a remote post) to the quoted
/// author's inbox, the Note embedded.
pub fn send_request(tx: &Connection, urls: &Urls, post: &Post, now: Timestamp) -> Result<()> {
    let Some(row) = quotes::get(tx, &urls.post(post.id))? else {
        return Ok(());
    };
    let (Some(request), QuoteState::Pending) = (&row.request_uri, row.state) else {
        return Ok(());
    };
    let Some(quoted) = remote_posts::get_by_uri(tx, &row.quoted_uri)? else {
        return Ok(());
    };
    let activity = build::quote_request(
        urls,
        request,
        &quoted.uri,
        &quoted.actor.uri,
        &build::note(urls, post),
    );
    delivery::enqueue(
        tx,
        &activity,
        std::slice::from_ref(&quoted.actor.inbox),
        urls.origin(),
        now,
    )?;
    Ok(())
}

/// Sends our post `post_id` again (its quote now authorized) to its audience and the quoted
/// author, as an Update named by `now` so receivers do not take it for an earlier one.
pub fn send_update(
    tx: &Connection,
    urls: &Urls,
    post_id: i64,
    now: Timestamp,
) -> rusqlite::Result<()> {
    let Some(post) = posts::get(tx, post_id)? else {
        return Ok(());
    };
    let mut inboxes = match post.visibility {
        crate::model::Visibility::Direct => Vec::new(),
        _ => follows::follower_inboxes(tx)?,
    };
    if let Some(quote) = &post.quote {
        if let Some(quoted) = remote_posts::get_by_uri(tx, &quote.uri)? {
            inboxes.push(quoted.actor.inbox);
        }
    }
    let update = build::update_question(urls, &post, now);
    delivery::enqueue(tx, &update, &inboxes, urls.origin(), now)?;
    Ok(())
}
