//! Quotes (FEP-044f, as Mastodon 4.5 does them): a quote in an incoming post is checked against
//! its `QuoteAuthorization` before it is shown as a card; a `QuoteRequest` for one of the owner's
//! posts is answered by that post's policy; a Delete of an authorization revokes its quotes; the
//! Accept or Reject of one of our requests settles the owner's quote.

use rusqlite::{Connection, Transaction};
use serde_json::Value;

use crate::delivery;
use crate::federation::build;
use crate::federation::vocab::{id_of, kind, parse_note, same_authority, single_id, Note};
use crate::model::{Actor, QuotePolicy, QuoteState, Timestamp};
use crate::store::quotes::{self, NewQuote};
use crate::store::remote_posts::{self, NewRemotePost};
use crate::store::{follows, new_id, posts};

use super::super::actors::ActorError;
use super::{refused, Activity, Context, Failure, Outcome};

/// What an incoming post's quote was found to be, ready to record with the post.
pub struct Assessed {
    pub quoted_uri: String,
    pub quoted_post_id: Option<i64>,
    pub authorization_uri: Option<String>,
    pub state: QuoteState,
    /// The quoted post, fetched because we did not hold it.
    pub fetched: Option<NewRemotePost>,
}

/// Checks the quote of `note` by `author`: a verified authorization makes it accepted, a missing
/// one pending (legacy for the older spellings, which ask no one), a broken one rejected.
pub fn assess(
    conn: &Connection,
    cx: &Context,
    note: &Note,
    object: &Value,
    author: &Actor,
) -> Result<Option<Assessed>, Failure> {
    let Some(quoted_uri) = note.quote.clone() else {
        return Ok(None);
    };
    let quoted_post_id = cx.our_post(conn, &quoted_uri)?;
    let fetched = match quoted_post_id {
        Some(_) => None,
        None => fetch_quoted(conn, cx, &quoted_uri)?,
    };
    let quoted_author = match (quoted_post_id, &fetched) {
        (Some(_), _) => Some(cx.urls.actor()),
        (None, Some(post)) => crate::store::actors::get(conn, post.actor_id)?.map(|a| a.uri),
        (None, None) => remote_posts::get_by_uri(conn, &quoted_uri)?.map(|p| p.actor.uri),
    };
    let asks_consent = single_id(object.get("quote")).is_some();
    let state = if quoted_author.as_deref() == Some(author.uri.as_str()) {
        // FEP-044f: quoting oneself needs no one's consent.
        QuoteState::Accepted
    } else {
        match &note.quote_authorization {
            None if asks_consent => QuoteState::Pending,
            None => QuoteState::Legacy,
            Some(authorization) if cx.is_ours(authorization) => {
                our_consent(conn, cx, note, quoted_post_id, authorization)?
            }
            Some(_) if quoted_post_id.is_some() => QuoteState::Rejected,
            Some(authorization) => their_consent(
                cx,
                note,
                &quoted_uri,
                quoted_author.as_deref(),
                authorization,
            )?,
        }
    };
    Ok(Some(Assessed {
        quoted_uri,
        quoted_post_id,
        authorization_uri: note.quote_authorization.clone(),
        state,
        fetched,
    }))
}

/// A claimed authorization of ours: it must be the live one we granted for this very quote.
fn our_consent(
    conn: &Connection,
    cx: &Context,
    note: &Note,
    quoted_post_id: Option<i64>,
    authorization: &str,
) -> Result<QuoteState, Failure> {
    let granted = quotes::authorization_for(conn, &note.uri)?;
    let valid = granted.is_some_and(|g| {
        Some(g.post_id) == quoted_post_id && cx.urls.quote_authorization(g.id) == authorization
    });
    Ok(if valid {
        QuoteState::Accepted
    } else {
        QuoteState::Rejected
    })
}

/// A remote authorization, fetched and checked as Mastodon's VerifyQuoteService does: a
/// `QuoteAuthorization` on its author's server, by the quoted post's author, naming this quote
/// and the quoted post.
fn their_consent(
    cx: &Context,
    note: &Note,
    quoted_uri: &str,
    quoted_author: Option<&str>,
    authorization: &str,
) -> Result<QuoteState, Failure> {
    let document = match cx.remote.get_activity(authorization) {
        Ok(document) => document,
        Err(e) => {
            let e = ActorError::from(e);
            if e.is_transient() {
                return Err(Failure::Transient(e.to_string()));
            }
            return Ok(QuoteState::Rejected);
        }
    };
    Ok(
        if authorization_holds(
            &document,
            authorization,
            &note.uri,
            quoted_uri,
            quoted_author,
        ) {
            QuoteState::Accepted
        } else {
            QuoteState::Rejected
        },
    )
}

/// The checks on a fetched `QuoteAuthorization`. Without the quoted post we cannot name its
/// author, so the authorization's author must at least live on the quoted post's server.
pub fn authorization_holds(
    document: &Value,
    authorization: &str,
    quoting: &str,
    quoted: &str,
    quoted_author: Option<&str>,
) -> bool {
    let field = |name: &str| single_id(document.get(name));
    let Some(attributed_to) = field("attributedTo") else {
        return false;
    };
    let author_matches = match quoted_author {
        Some(author) => attributed_to == author,
        None => same_authority(&attributed_to, quoted),
    };
    kind(document).as_deref() == Some("QuoteAuthorization")
        && same_authority(authorization, &attributed_to)
        && field("interactingObject").as_deref() == Some(quoting)
        && field("interactionTarget").as_deref() == Some(quoted)
        && author_matches
}

/// The quoted post when we do not hold it, fetched for its card; None when it cannot be had (the
/// quote then shows as a link). Its own quote is not followed.
fn fetch_quoted(
    conn: &Connection,
    cx: &Context,
    uri: &str,
) -> Result<Option<NewRemotePost>, Failure> {
    if cx.is_ours(uri) || remote_posts::author_of(conn, uri)?.is_some() {
        return Ok(None);
    }
    let Ok(document) = cx.remote.get_activity(uri) else {
        return Ok(None);
    };
    let Ok(note) = parse_note(&document) else {
        return Ok(None);
    };
    let Some(author) = note.attributed_to.clone() else {
        return Ok(None);
    };
    if !same_authority(&note.uri, &author) || cx.is_ours(&author) {
        return Ok(None);
    }
    let Ok(actor) = cx.actor(conn, &author) else {
        return Ok(None);
    };
    Ok(Some(super::note_row(&note, &actor, cx.now)))
}

/// Records what [`assess`] found, with the quoting post `post_uri` (stored already).
pub fn record(
    tx: &Transaction,
    post_uri: &str,
    assessed: Option<&Assessed>,
    now: Timestamp,
) -> rusqlite::Result<()> {
    let Some(assessed) = assessed else {
        return quotes::delete(tx, post_uri);
    };
    if let Some(post) = &assessed.fetched {
        remote_posts::insert(tx, post, now)?;
    }
    quotes::upsert(
        tx,
        &NewQuote {
            post_uri,
            own_post_id: None,
            quoted_uri: &assessed.quoted_uri,
            quoted_post_id: assessed.quoted_post_id,
            authorization_uri: assessed.authorization_uri.as_deref(),
            request_uri: None,
            state: assessed.state,
        },
        now,
    )
}

/// Whether `actor` may quote a post of ours with `policy` (and visibility).
fn allowed(
    conn: &Connection,
    policy: QuotePolicy,
    post: &crate::model::Post,
    actor: &Actor,
) -> rusqlite::Result<bool> {
    if !post.visibility.is_world_readable() {
        return Ok(false);
    }
    Ok(match policy {
        QuotePolicy::Public => true,
        QuotePolicy::Followers => follows::get(conn, actor.id, follows::Direction::In)?
            .is_some_and(|f| f.state == crate::model::FollowState::Accepted),
        QuotePolicy::Nobody => false,
    })
}

/// QuoteRequest for one of the owner's posts: answered at once by the post's policy, with an
/// Accept carrying the authorization we now host, or a Reject.
pub fn on_quote_request(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    let Some(quoted) = activity.object_id() else {
        return Ok(Outcome::Ignored("a QuoteRequest without an object"));
    };
    let Some(post_id) = cx.our_post(conn, &quoted)? else {
        return Ok(Outcome::Ignored("a QuoteRequest for a post we do not have"));
    };
    let Some(post) = posts::get(conn, post_id)? else {
        return Ok(Outcome::Ignored("a QuoteRequest for a post we do not have"));
    };
    if !same_authority(&activity.id, &activity.actor) {
        return Err(refused("the QuoteRequest is not on its actor's host"));
    }
    let instrument = activity.document.get("instrument");
    let Some(quoting) = single_id(instrument) else {
        return Ok(Outcome::Ignored("a QuoteRequest without an instrument"));
    };
    if !same_authority(&quoting, &activity.actor) {
        return Err(refused("the quoting post is not on its actor's host"));
    }
    // The quoting post: as embedded, else fetched from its origin.
    let document = match instrument {
        Some(object @ Value::Object(_)) => object.clone(),
        _ => cx.remote.get_activity(&quoting).map_err(ActorError::from)?,
    };
    let note = match parse_note(&document) {
        Ok(note) => note,
        Err(why) => return Ok(Outcome::Ignored(why)),
    };
    if note.uri != quoting || note.attributed_to.as_deref() != Some(activity.actor.as_str()) {
        return Err(refused("the quoting post is not the actor's"));
    }
    if note.quote.as_deref() != Some(quoted.as_str()) && note.quote.is_some() {
        return Ok(Outcome::Ignored("the quoting post quotes another post"));
    }
    let actor = cx.actor(conn, &activity.actor)?;
    let accept = allowed(conn, post.quote_policy, &post, &actor)?;
    let request = request_as_embedded(activity);
    let answer_id = cx.urls.activity(new_id(cx.now));
    cx.apply(conn, |tx| {
        let answer = if accept {
            let id = quotes::grant(tx, post_id, &note.uri, actor.id, cx.now)?;
            let authorization = cx.urls.quote_authorization(id);
            remote_posts::insert(tx, &super::note_row(&note, &actor, cx.now), cx.now)?;
            quotes::upsert(
                tx,
                &NewQuote {
                    post_uri: &note.uri,
                    own_post_id: None,
                    quoted_uri: &quoted,
                    quoted_post_id: Some(post_id),
                    authorization_uri: Some(&authorization),
                    request_uri: None,
                    state: QuoteState::Accepted,
                },
                cx.now,
            )?;
            build::accept_quote(cx.urls, &answer_id, &request, &authorization)
        } else {
            build::reject_quote(cx.urls, &answer_id, &request)
        };
        delivery::enqueue(
            tx,
            &answer,
            std::slice::from_ref(&actor.inbox),
            cx.urls.origin(),
            cx.now,
        )?;
        Ok(Outcome::Applied)
    })
}

/// The QuoteRequest as the answer embeds it: its id, type, actor, object and instrument's id.
fn request_as_embedded(activity: &Activity) -> Value {
    serde_json::json!({
        "id": activity.id,
        "type": "QuoteRequest",
        "actor": activity.actor,
        "object": activity.object_id(),
        "instrument": single_id(activity.document.get("instrument")),
    })
}

/// Delete of a `QuoteAuthorization` by its author's server: the quotes resting on it are
/// revoked. None when `target` is no authorization we know of.
pub fn on_delete_authorization(
    tx: &Transaction,
    target: &str,
) -> rusqlite::Result<Option<Outcome>> {
    let revoked = quotes::revoke_authorization(tx, target)?;
    Ok((!revoked.is_empty()).then_some(Outcome::Applied))
}

/// The owner's quote an Accept or Reject answers: its object is our QuoteRequest (by id, or
/// embedded with its id).
pub fn answered_request(
    conn: &Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Option<quotes::QuoteRow>, Failure> {
    let Some(object) = activity.object() else {
        return Ok(None);
    };
    let Some(request) = id_of(object) else {
        return Ok(None);
    };
    if !cx.is_ours(&request) {
        return Ok(None);
    }
    Ok(quotes::by_request(conn, &request)?)
}

/// Accept of the owner's QuoteRequest: its `result` must be an authorization that verifies; the
/// quote is then accepted and the post sent again with it.
pub fn on_accept(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
    quote: &quotes::QuoteRow,
) -> Result<Outcome, Failure> {
    let Some(authorization) = single_id(activity.document.get("result")) else {
        return Ok(Outcome::Ignored("an Accept of a quote without a result"));
    };
    let quoted_author = remote_posts::get_by_uri(conn, &quote.quoted_uri)?.map(|p| p.actor.uri);
    if quoted_author.as_deref() != Some(activity.actor.as_str()) {
        return Err(refused("an Accept of a quote by someone else"));
    }
    let document = match cx.remote.get_activity(&authorization) {
        Ok(document) => document,
        Err(e) => {
            let e = ActorError::from(e);
            if e.is_transient() {
                return Err(Failure::Transient(e.to_string()));
            }
            return settle(conn, cx, quote, QuoteState::Rejected, None);
        }
    };
    let holds = authorization_holds(
        &document,
        &authorization,
        &quote.post_uri,
        &quote.quoted_uri,
        quoted_author.as_deref(),
    );
    if !holds {
        return settle(conn, cx, quote, QuoteState::Rejected, None);
    }
    settle(conn, cx, quote, QuoteState::Accepted, Some(&authorization))
}

/// Reject of the owner's QuoteRequest, by the quoted post's author.
pub fn on_reject(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
    quote: &quotes::QuoteRow,
) -> Result<Outcome, Failure> {
    let quoted_author = remote_posts::get_by_uri(conn, &quote.quoted_uri)?.map(|p| p.actor.uri);
    if quoted_author.as_deref() != Some(activity.actor.as_str()) {
        return Err(refused("a Reject of a quote by someone else"));
    }
    settle(conn, cx, quote, QuoteState::Rejected, None)
}

/// Marks the owner's quote with its answer; an accepted one is sent again as an Update, so that
/// its readers see the authorization.
fn settle(
    conn: &mut Connection,
    cx: &Context,
    quote: &quotes::QuoteRow,
    state: QuoteState,
    authorization: Option<&str>,
) -> Result<Outcome, Failure> {
    cx.apply(conn, |tx| {
        quotes::set_state(tx, &quote.post_uri, state, authorization)?;
        if state == QuoteState::Accepted {
            if let Some(id) = quote.own_post_id {
                crate::domain::quotes::send_update(tx, cx.urls, id, cx.now)?;
            }
        }
        Ok(Outcome::Applied)
    })
}
