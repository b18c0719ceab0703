//! `/settings/backfill`: the switch that turns fetching of older posts and threads off and on.

use rocket::form::{Form, FromForm};
use rocket::response::Redirect;
use rocket::{get, post, State};

use crate::domain::backfill;
use crate::error::Result;
use crate::render::backfill as view;

use super::guards::Owner;
use super::reply::Reply;
use super::App;

#[get("/settings/backfill")]
pub async fn settings(app: &State<App>, owner: Owner) -> Result<Reply> {
    let username = app.config.username.clone();
    let (profile, enabled, pending) = app
        .run(move |conn| backfill::settings(conn, &username))
        .await?;
    Ok(Reply::Html(view::settings(
        &profile,
        enabled,
        pending,
        &owner.viewer(),
    )))
}

#[derive(FromForm)]
pub struct SwitchForm<'r> {
    csrf: &'r str,
    enabled: bool,
}

#[post("/settings/backfill", data = "<form>")]
pub async fn switch(app: &State<App>, owner: Owner, form: Form<SwitchForm<'_>>) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let on = form.enabled;
    app.run(move |conn| Ok(backfill::set_enabled(conn, on)?))
        .await?;
    Ok(Reply::Redirect(Redirect::to("/settings/backfill")))
}
