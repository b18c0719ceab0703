//! The ActivityPub side of the actor, its collections and its posts. Browsers asking for these
//! URLs are sent to the matching page.

use rocket::response::Redirect;
use rocket::{get, State};

use crate::domain::{collections, posts, profile};
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
            Ok(build::actor(&urls, &owner, &fields, &pem).to_string())
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
            Ok(build::note_document(&urls, &post).to_string())
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

#[get("/users/<user>/followers")]
pub async fn followers(app: &State<App>, user: &str) -> Result<Reply> {
    check_user(app, user)?;
    let total = app.run(|conn| collections::follower_count(conn)).await?;
    Ok(Reply::Activity(build::counted_collection(
        &app.urls.followers(),
        total,
    )))
}

#[get("/users/<user>/following")]
pub async fn following(app: &State<App>, user: &str) -> Result<Reply> {
    check_user(app, user)?;
    let total = app.run(|conn| collections::following_count(conn)).await?;
    Ok(Reply::Activity(build::counted_collection(
        &app.urls.following(),
        total,
    )))
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

#[get("/users/<user>/statuses/<id>/replies?<page>")]
pub async fn replies(app: &State<App>, user: &str, id: i64, page: Option<bool>) -> Result<Reply> {
    check_user(app, user)?;
    let urls = app.urls.clone();
    let reply_ids = app
        .run(move |conn| collections::replies(conn, &urls, id))
        .await?;
    Ok(Reply::Activity(build::replies(
        &app.urls,
        id,
        &reply_ids,
        page == Some(true),
    )))
}
