//! Pins: our posts shown first on the profile (the featured collection).

use rocket::form::Form;
use rocket::{post, State};

use crate::domain::pins;
use crate::error::{Error, Result};
use crate::model::Timestamp;

use super::guards::Owner;
use super::interactions::ObjectForm;
use super::reply::{back_to, Reply};
use super::App;

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
