//! Bookmarks (private to the owner) and pins (public, on the profile).

use rocket::form::Form;
use rocket::{get, post, State};

use crate::domain::{pins, profile as profiles, timeline};
use crate::error::{Error, Result};
use crate::model::Timestamp;
use crate::render::social as view;
use crate::store::bookmarks;

use super::guards::Owner;
use super::reply::Reply;
use super::social::{back_to, ObjectForm};
use super::App;

const PAGE_SIZE: usize = 30;

#[get("/bookmarks?<before>")]
pub async fn list(app: &State<App>, owner: Owner, before: Option<i64>) -> Result<Reply> {
    let (username, urls) = (app.config.username.clone(), app.urls.clone());
    let (profile, entries, older) = app
        .run(move |conn| {
            let marks = bookmarks::list(conn, before.map(Timestamp), PAGE_SIZE + 1)?;
            let older = (marks.len() > PAGE_SIZE).then(|| marks[PAGE_SIZE - 1].1 .0);
            let mut entries = Vec::new();
            // A bookmarked post that was deleted since is left out, its bookmark kept.
            for (uri, _) in marks.into_iter().take(PAGE_SIZE) {
                if let Some(shown) = timeline::find(conn, &urls, &uri)? {
                    entries.push(timeline::entry(conn, &urls, 0, shown, None)?);
                }
            }
            Ok((profiles::get(conn, &username)?, entries, older))
        })
        .await?;
    Ok(Reply::Html(view::bookmarks(
        &app.urls,
        &profile,
        &entries,
        &owner.viewer(),
        older,
    )))
}

async fn mark(app: &App, owner: &Owner, form: &ObjectForm<'_>, keep: bool) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let (urls, uri) = (app.urls.clone(), form.uri.to_string());
    app.run(move |conn| {
        if !keep {
            bookmarks::remove(conn, &uri)?;
            return Ok(());
        }
        // Only posts we can show again are bookmarked, by the id we know them by.
        let shown = timeline::find(conn, &urls, &uri)?.ok_or_else(Error::not_found)?;
        bookmarks::add(conn, &shown.uri(&urls), Timestamp::now())?;
        Ok(())
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

async fn pin_action(
    app: &App,
    owner: &Owner,
    form: &ObjectForm<'_>,
    pinned: bool,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let id = app
        .urls
        .parse_post_reference(form.uri)
        .filter(|_| form.uri.starts_with(app.urls.origin()))
        .ok_or_else(|| Error::new(422, "only our own posts can be pinned"))?;
    let urls = app.urls.clone();
    app.run(move |conn| pins::set(conn, &urls, id, pinned, Timestamp::now()))
        .await?;
    Ok(back_to(form.back))
}

#[post("/actions/pin", data = "<form>")]
pub async fn pin(app: &State<App>, owner: Owner, form: Form<ObjectForm<'_>>) -> Result<Reply> {
    pin_action(app, &owner, &form, true).await
}

#[post("/actions/unpin", data = "<form>")]
pub async fn unpin(app: &State<App>, owner: Owner, form: Form<ObjectForm<'_>>) -> Result<Reply> {
    pin_action(app, &owner, &form, false).await
}
