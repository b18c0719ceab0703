//! The moving settings: aliases (moving in), moving out, taking a move back.

use rocket::form::{Form, FromForm};
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{get, post, State};

use crate::domain::moving;
use crate::error::{Error, Result};
use crate::model::Timestamp;
use crate::render::moving::{self as view, PAGE};

use super::guards::{ClientAddress, Owner};
use super::reply::Reply;
use super::App;

async fn page(app: &App, owner: &Owner, message: Option<Error>) -> Result<Reply> {
    let username = app.config.username.clone();
    let (profile, followers) = app.run(move |conn| moving::page(conn, &username)).await?;
    let markup = view::page(
        &app.urls,
        &profile,
        followers,
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

/// Back to the page after a change; a refusal is shown on it with its status.
async fn done<T>(app: &App, owner: &Owner, result: Result<T>) -> Result<Reply> {
    match result {
        Ok(_) => Ok(Reply::Redirect(Redirect::to(PAGE))),
        Err(e) if e.status < 500 => page(app, owner, Some(e)).await,
        Err(e) => Err(e),
    }
}

#[get("/settings/moving")]
pub async fn settings(app: &State<App>, owner: Owner) -> Result<Reply> {
    page(app, &owner, None).await
}

#[derive(FromForm)]
pub struct AccountForm<'r> {
    csrf: &'r str,
    account: &'r str,
}

#[post("/settings/moving/aliases", data = "<form>")]
pub async fn add_alias(
    app: &State<App>,
    owner: Owner,
    form: Form<AccountForm<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let (urls, username, account) = (
        app.urls.clone(),
        app.config.username.clone(),
        form.account.to_string(),
    );
    let result = app
        .run_remote(move |conn, remote| {
            Ok(moving::add_alias(
                conn,
                remote,
                &urls,
                &username,
                &account,
                Timestamp::now(),
            ))
        })
        .await?;
    done(app, &owner, result).await
}

#[post("/settings/moving/aliases/remove", data = "<form>")]
pub async fn remove_alias(
    app: &State<App>,
    owner: Owner,
    form: Form<AccountForm<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let (urls, username, account) = (
        app.urls.clone(),
        app.config.username.clone(),
        form.account.to_string(),
    );
    let result = app
        .run(move |conn| {
            Ok(moving::remove_alias(
                conn,
                &urls,
                &username,
                &account,
                Timestamp::now(),
            ))
        })
        .await?;
    done(app, &owner, result).await
}

#[derive(FromForm)]
pub struct MoveForm<'r> {
    csrf: &'r str,
    account: &'r str,
    password: &'r str,
}

#[post("/settings/moving/move", data = "<form>")]
pub async fn move_out(
    app: &State<App>,
    owner: Owner,
    address: ClientAddress,
    form: Form<MoveForm<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let (account, password) = (form.account.to_string(), form.password.to_string());
    let result = app
        .run_remote(move |conn, remote| {
            Ok(moving::move_out_confirmed(
                conn,
                remote,
                &urls,
                &username,
                &account,
                &password,
                &address.0,
                Timestamp::now(),
            ))
        })
        .await?;
    done(app, &owner, result).await
}

#[derive(FromForm)]
pub struct CsrfForm<'r> {
    csrf: &'r str,
}

#[post("/settings/moving/cancel", data = "<form>")]
pub async fn cancel(app: &State<App>, owner: Owner, form: Form<CsrfForm<'_>>) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let result = app
        .run(move |conn| {
            Ok(moving::cancel_move(
                conn,
                &urls,
                &username,
                Timestamp::now(),
            ))
        })
        .await?;
    done(app, &owner, result).await
}
