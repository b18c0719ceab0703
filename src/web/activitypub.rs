//! The ActivityPub side of the actor, its collections and its posts. Browsers asking for these
//! URLs are sent to the matching page.

use rocket::response::Redirect;
use rocket::{get, State};

use crate::domain::{collections, instance, posts, profile};
use crate::error::{Error, Result};
use crate::federation::build;

use super::cache::Key;
use super::guards::Wants;
use super::reply::{activity_json, Reply};
use super::App;

const OUTBOX_PAGE_SIZE: usize = 20;

fn check_user(app: &App, user: &str) -> Result<()> {
    if user == app.config.username {
        Ok(())
    } else {
        Err(Error::not_found())
    }
}

/// The actor document.
pub async fn actor_document(app: &App) -> Result<Reply> {
    let (urls, username, pem) = (
        app.urls.clone(),
        app.config.username.clone(),
        app.public_key_pem.clone(),
    );
    let body = app
        .cached(Key::Actor, move |conn| {
            let owner = profile::get(conn, &username)?;
            let fields = profile::fields_html(&owner);
            let ed25519 = instance::ed25519_multibase(conn)?;
            Ok(build::actor(&urls, &owner, &fields, &pem, &ed25519).to_string())
        })
        .await?;
    Ok(Reply::Kept(body, activity_json()))
}

/// A post as a Note; posts not for everyone are "not found".
pub async fn note_document(app: &App, id: i64) -> Result<Reply> {
    let urls = app.urls.clone();
    let body = app
        .cached(Key::Note(id), move |conn| {
            let post = posts::get_visible(conn, id, false)?;
            let (likes, shares) = collections::note_counts(conn, &urls, id)?;
            let extras = build::NoteExtras {
                likes,
                shares,
                context_root: Some(collections::thread_root(conn, &urls, &post)?),
            };
            Ok(build::note_document_with(&urls, &post, &extras).to_string())
        })
        .await?;
    Ok(Reply::Kept(body, activity_json()))
}

#[get("/users/<user>")]
pub async fn actor(app: &State<App>, user: &str, wants: Wants) -> Result<Reply> {
    check_user(app, user)?;
    match wants {
        Wants::Activity => actor_document(app).await,
        Wants::Page => Ok(Reply::Redirect(Redirect::to(app.urls.profile()))),
    }
}

#[get("/users/<user>/outbox?<page>&<max_id>&<min_id>")]
pub async fn outbox(
    app: &State<App>,
    user: &str,
    page: Option<bool>,
    max_id: Option<i64>,
    min_id: Option<i64>,
) -> Result<Reply> {
    check_user(app, user)?;
    if page != Some(true) {
        let total = app.run(|conn| collections::public_post_count(conn)).await?;
        return Ok(Reply::Activity(build::outbox(&app.urls, total)));
    }
    let listing = app
        .run(move |conn| collections::outbox_page(conn, max_id, min_id, OUTBOX_PAGE_SIZE))
        .await?;
    let this_page = match (max_id, min_id) {
        (_, Some(min)) => app.urls.outbox_page_newer(min),
        (max, None) => app.urls.outbox_page(max),
    };
    Ok(Reply::Activity(build::outbox_page(
        &app.urls, &listing, &this_page,
    )))
}

/// Followers or following: the count, and the pages unless the owner hides their network.
async fn network(
    app: &App,
    which: collections::Network,
    page: Option<&str>,
    max_id: Option<i64>,
) -> Result<Reply> {
    let id = match which {
        collections::Network::Followers => app.urls.followers(),
        collections::Network::Following => app.urls.following(),
    };
    let wants_page = page.is_some();
    let (total, listing) = app
        .run(move |conn| {
            let total = match which {
                collections::Network::Followers => collections::follower_count(conn)?,
                collections::Network::Following => collections::following_count(conn)?,
            };
            let listing = if wants_page {
                collections::network_page(conn, which, max_id)?
            } else {
                None
            };
            Ok((total, (collections::hide_network(conn)?, listing)))
        })
        .await?;
    Ok(Reply::Activity(match listing {
        (true, _) => build::counted_collection(&id, total),
        (false, Some((items, next))) => {
            let this_page = match max_id {
                Some(max) => format!("{id}?page=1&max_id={max}"),
                None => format!("{id}?page=1"),
            };
            build::network_page(&id, &this_page, total, &items, next)
        }
        (false, None) => build::network(&id, total),
    }))
}

#[get("/users/<user>/followers?<page>&<max_id>")]
pub async fn followers(
    app: &State<App>,
    user: &str,
    page: Option<&str>,
    max_id: Option<i64>,
) -> Result<Reply> {
    check_user(app, user)?;
    network(app, collections::Network::Followers, page, max_id).await
}

#[get("/users/<user>/following?<page>&<max_id>")]
pub async fn following(
    app: &State<App>,
    user: &str,
    page: Option<&str>,
    max_id: Option<i64>,
) -> Result<Reply> {
    check_user(app, user)?;
    network(app, collections::Network::Following, page, max_id).await
}

#[get("/users/<user>/collections/featured")]
pub async fn featured(app: &State<App>, user: &str) -> Result<Reply> {
    check_user(app, user)?;
    let pinned = app.run(|conn| collections::featured(conn)).await?;
    Ok(Reply::Activity(build::featured(&app.urls, &pinned)))
}

/// A post as a Note; browsers go to its page. Posts not for everyone are "not found".
#[get("/users/<user>/statuses/<id>", rank = 2)]
pub async fn note(app: &State<App>, user: &str, id: i64, wants: Wants) -> Result<Reply> {
    check_user(app, user)?;
    if let Wants::Activity = wants {
        return note_document(app, id).await;
    }
    let post = app
        .run(move |conn| posts::get_visible(conn, id, false))
        .await?;
    Ok(Reply::Redirect(Redirect::to(app.urls.post_page(post.id))))
}

#[get("/users/<user>/statuses/<id>/activity")]
pub async fn create(app: &State<App>, user: &str, id: i64) -> Result<Reply> {
    check_user(app, user)?;
    let urls = app.urls.clone();
    let body = app
        .cached(Key::Create(id), move |conn| {
            let post = posts::get_visible(conn, id, false)?;
            Ok(build::create_document(&urls, &post).to_string())
        })
        .await?;
    Ok(Reply::Kept(body, activity_json()))
}

/// A post's replies (FEP-7458): the first page embedded, `?page=N` (or Mastodon's `page=true`)
/// for the others.
#[get("/users/<user>/statuses/<id>/replies?<page>")]
pub async fn replies(app: &State<App>, user: &str, id: i64, page: Option<&str>) -> Result<Reply> {
    check_user(app, user)?;
    let number = match page {
        None => None,
        Some("true") => Some(1),
        Some(n) => Some(
            n.parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(Error::not_found)?,
        ),
    };
    let urls = app.urls.clone();
    let (items, more) = app
        .run(move |conn| collections::replies_page(conn, &urls, id, number.unwrap_or(1)))
        .await?;
    Ok(Reply::Activity(match number {
        None => build::replies(&app.urls, id, &items, more),
        Some(n) => build::replies_page(&app.urls, id, n, &items, more),
    }))
}

/// How many liked or boosted a post: counts only, as Mastodon shows them.
#[get("/users/<user>/statuses/<id>/likes")]
pub async fn likes(app: &State<App>, user: &str, id: i64) -> Result<Reply> {
    check_user(app, user)?;
    let urls = app.urls.clone();
    let (likes, _) = app
        .run(move |conn| {
            posts::get_visible(conn, id, false)?;
            collections::note_counts(conn, &urls, id)
        })
        .await?;
    Ok(Reply::Activity(build::counted_document(
        &app.urls.post_likes(id),
        likes,
    )))
}

#[get("/users/<user>/statuses/<id>/shares")]
pub async fn shares(app: &State<App>, user: &str, id: i64) -> Result<Reply> {
    check_user(app, user)?;
    let urls = app.urls.clone();
    let (_, shares) = app
        .run(move |conn| {
            posts::get_visible(conn, id, false)?;
            collections::note_counts(conn, &urls, id)
        })
        .await?;
    Ok(Reply::Activity(build::counted_document(
        &app.urls.post_shares(id),
        shares,
    )))
}

/// The conversation under one of our posts (FEP-f228), in one request.
#[get("/users/<user>/statuses/<id>/context")]
pub async fn context(app: &State<App>, user: &str, id: i64) -> Result<Reply> {
    check_user(app, user)?;
    let urls = app.urls.clone();
    let items = app
        .run(move |conn| collections::context(conn, &urls, id))
        .await?;
    Ok(Reply::Activity(build::context(&app.urls, id, &items)))
}
