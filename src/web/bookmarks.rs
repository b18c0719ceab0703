//! Bookmarks: private to the owner.

use rocket::form::Form;
use rocket::{get, post, State};

use crate::domain::bookmarks;
use crate::error::Result;
use crate::model::Timestamp;
use crate::render::bookmarks as view;

use super::guards::Owner;
use super::interactions::ObjectForm;
use super::reply::{back_to, Reply};
use super::App;

const PAGE_SIZE: usize = 30;

#[get("/bookmarks?<before>")]
pub async fn list(app: &State<App>, owner: Owner, before: Option<i64>) -> Result<Reply> {
    let (username, urls) = (app.config.username.clone(), app.urls.clone());
    let page = app
        .run(move |conn| bookmarks::page(conn, &urls, &username, before, PAGE_SIZE))
        .await?;
    Ok(Reply::Html(view::bookmarks(
        &app.urls,
        &page.profile,
        &page.entries,
        &owner.viewer(),
        page.older,
    )))
}

async fn mark(app: &App, owner: &Owner, form: &ObjectForm<'_>, keep: bool) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let (urls, uri) = (app.urls.clone(), form.uri.to_string());
    app.run(move |conn| {
        if keep {
            bookmarks::add(conn, &urls, &uri, Timestamp::now())
        } else {
            bookmarks::remove(conn, &uri)
        }
    })
    .await?;
    Ok(back_to(form.back))
}

#[post("/actions/bookmark", data = "<form>")]
pub async fn bookmark(app: &State<App>, owner: Owner, form: Form<ObjectForm<'_>>) -> Result<Reply> {
    mark(app, &owner, &form, true).await
}

#[post("/actions/unbookmark", data = "<form>")]
pub async fn unbookmark(
    app: &State<App>,
    owner: Owner,
    form: Form<ObjectForm<'_>>,
) -> Result<Reply> {
    mark(app, &owner, &form, false).await
}
