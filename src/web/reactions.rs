//! The owner's emoji reactions to posts, and taking them back: small forms on any post.

use rocket::form::{Form, FromForm};
use rocket::{post, State};

use crate::domain::reactions;
use crate::error::Result;
use crate::model::Timestamp;

use super::guards::Owner;
use super::reply::{back_to, Reply};
use super::App;

/// A reaction to a post (or any object) by its id.
#[derive(FromForm)]
pub struct ReactionForm<'r> {
    pub csrf: &'r str,
    pub uri: &'r str,
    pub emoji: &'r str,
    pub back: Option<&'r str>,
}

#[post("/actions/react", data = "<form>")]
pub async fn react(app: &State<App>, owner: Owner, form: Form<ReactionForm<'_>>) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let urls = app.urls.clone();
    let (uri, emoji) = (form.uri.to_string(), form.emoji.to_string());
    app.run_remote(move |conn, remote| {
        reactions::react(conn, remote, &urls, &uri, &emoji, Timestamp::now())
    })
    .await?;
    Ok(back_to(form.back))
}

#[post("/actions/unreact", data = "<form>")]
pub async fn unreact(
    app: &State<App>,
    owner: Owner,
    form: Form<ReactionForm<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let urls = app.urls.clone();
    let (uri, emoji) = (form.uri.to_string(), form.emoji.to_string());
    app.run(move |conn| reactions::unreact(conn, &urls, &uri, &emoji, Timestamp::now()))
        .await?;
    Ok(back_to(form.back))
}
