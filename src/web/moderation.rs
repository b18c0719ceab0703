//! Blocks, mutes, blocked domains and muted words: the settings page and its forms.

use rocket::form::{Form, FromForm};
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{get, post, State};

use crate::domain::{moderation, people};
use crate::error::{Error, Result};
use crate::model::Timestamp;
use crate::render::moderation as view;

use super::follows::ActorForm;
use super::guards::Owner;
use super::reply::{back_to, Reply};
use super::App;

const PAGE: &str = "/settings/moderation";

async fn page(app: &App, owner: &Owner, message: Option<Error>) -> Result<Reply> {
    let username = app.config.username.clone();
    let (profile, lists) = app
        .run(move |conn| moderation::lists(conn, &username))
        .await?;
    let markup = view::page(
        &profile,
        &lists,
        &owner.viewer(),
        message.as_ref().map(|e| e.message.as_str()),
    );
    Ok(match message {
        Some(e) => Reply::HtmlStatus(
            Status::from_code(e.status).unwrap_or(Status::BadRequest),
            markup,
        ),
        None => Reply::Html(markup),
    })
}

#[get("/settings/moderation")]
pub async fn settings(app: &State<App>, owner: Owner) -> Result<Reply> {
    page(app, &owner, None).await
}

#[derive(Clone, Copy)]
enum Act {
    Block,
    Unblock,
    Mute,
    Unmute,
}

async fn act(app: &App, owner: &Owner, form: &ActorForm<'_>, what: Act) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let (urls, uri) = (app.urls.clone(), form.actor.to_string());
    app.run_remote(move |conn, remote| {
        let now = Timestamp::now();
        let actor = match what {
            // Blocking someone we have not seen yet fetches them, to tell their server.
            Act::Block | Act::Mute => people::fetched(conn, remote, &uri, now)?,
            _ => people::known(conn, &uri)?,
        };
        match what {
            Act::Block => moderation::block(conn, &urls, &actor, now),
            Act::Unblock => moderation::unblock(conn, &urls, &actor, now),
            Act::Mute => moderation::mute(conn, &actor, true, now),
            Act::Unmute => moderation::mute(conn, &actor, false, now),
        }
    })
    .await?;
    Ok(back_to(form.back.or(Some(PAGE))))
}

#[post("/actions/block", data = "<form>")]
pub async fn block(app: &State<App>, owner: Owner, form: Form<ActorForm<'_>>) -> Result<Reply> {
    act(app, &owner, &form, Act::Block).await
}

#[post("/actions/unblock", data = "<form>")]
pub async fn unblock(app: &State<App>, owner: Owner, form: Form<ActorForm<'_>>) -> Result<Reply> {
    act(app, &owner, &form, Act::Unblock).await
}

#[post("/actions/mute", data = "<form>")]
pub async fn mute(app: &State<App>, owner: Owner, form: Form<ActorForm<'_>>) -> Result<Reply> {
    act(app, &owner, &form, Act::Mute).await
}

#[post("/actions/unmute", data = "<form>")]
pub async fn unmute(app: &State<App>, owner: Owner, form: Form<ActorForm<'_>>) -> Result<Reply> {
    act(app, &owner, &form, Act::Unmute).await
}

#[derive(FromForm)]
pub struct ValueForm<'r> {
    csrf: &'r str,
    value: &'r str,
}

/// Shows the page again with a refused value's reason, or goes back to it.
async fn outcome(app: &App, owner: &Owner, result: Result<()>) -> Result<Reply> {
    match result {
        Ok(()) => Ok(Reply::Redirect(Redirect::to(PAGE))),
        Err(e) if e.status < 500 => page(app, owner, Some(e)).await,
        Err(e) => Err(e),
    }
}

#[post("/settings/moderation/domains", data = "<form>")]
pub async fn block_domain(
    app: &State<App>,
    owner: Owner,
    form: Form<ValueForm<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let input = form.value.to_string();
    let result = app
        .run(move |conn| Ok(moderation::block_domain(conn, &input, Timestamp::now()).map(|_| ())))
        .await?;
    outcome(app, &owner, result).await
}

#[post("/settings/moderation/domains/remove", data = "<form>")]
pub async fn unblock_domain(
    app: &State<App>,
    owner: Owner,
    form: Form<ValueForm<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let domain = form.value.to_string();
    app.run(move |conn| moderation::unblock_domain(conn, &domain))
        .await?;
    Ok(Reply::Redirect(Redirect::to(PAGE)))
}

#[post("/settings/moderation/words", data = "<form>")]
pub async fn mute_word(app: &State<App>, owner: Owner, form: Form<ValueForm<'_>>) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let input = form.value.to_string();
    let result = app
        .run(move |conn| Ok(moderation::mute_word(conn, &input, Timestamp::now())))
        .await?;
    outcome(app, &owner, result).await
}

#[post("/settings/moderation/words/remove", data = "<form>")]
pub async fn unmute_word(
    app: &State<App>,
    owner: Owner,
    form: Form<ValueForm<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let word = form.value.to_string();
    app.run(move |conn| moderation::unmute_word(conn, &word))
        .await?;
    Ok(Reply::Redirect(Redirect::to(PAGE)))
}
