//! The owner's likes and boosts, and taking them back: small forms on any post.

use rocket::form::{Form, FromForm};
use rocket::{post, State};

use crate::domain::interactions::{self, Kind};
use crate::error::Result;
use crate::model::Timestamp;

use super::guards::Owner;
use super::reply::{back_to, Reply};
use super::App;

/// A form about a post (or any object), by its id.
#[derive(FromForm)]
pub struct ObjectForm<'r> {
    pub csrf: &'r str,
    pub uri: &'r str,
    pub back: Option<&'r str>,
}

async fn interact(
    app: &App,
    owner: &Owner,
    form: &ObjectForm<'_>,
    kind: Kind,
    undo: bool,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let urls = app.urls.clone();
    let uri = form.uri.to_string();
    app.run(move |conn| {
        let now = Timestamp::now();
        match (kind, undo) {
            (_, true) => interactions::undo(conn, &urls, kind, &uri, now),
            (Kind::Like, false) => interactions::like(conn, &urls, &uri, now),
            (Kind::Announce, false) => interactions::boost(conn, &urls, &uri, now),
        }
    })
    .await?;
    Ok(back_to(form.back))
}

#[post("/actions/like", data = "<form>")]
pub async fn like(app: &State<App>, owner: Owner, form: Form<ObjectForm<'_>>) -> Result<Reply> {
    interact(app, &owner, &form, Kind::Like, false).await
}

#[post("/actions/unlike", data = "<form>")]
pub async fn unlike(app: &State<App>, owner: Owner, form: Form<ObjectForm<'_>>) -> Result<Reply> {
    interact(app, &owner, &form, Kind::Like, true).await
}

#[post("/actions/boost", data = "<form>")]
pub async fn boost(app: &State<App>, owner: Owner, form: Form<ObjectForm<'_>>) -> Result<Reply> {
    interact(app, &owner, &form, Kind::Announce, false).await
}

#[post("/actions/unboost", data = "<form>")]
pub async fn unboost(app: &State<App>, owner: Owner, form: Form<ObjectForm<'_>>) -> Result<Reply> {
    interact(app, &owner, &form, Kind::Announce, true).await
}
