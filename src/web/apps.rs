//! Settings: the apps authorized to act for the owner (Mastodon apps, scripts), and revoking them.

use rocket::form::Form;
use rocket::response::Redirect;
use rocket::{get, post, State};

use crate::domain::oauth;
use crate::error::Result;
use crate::model::Timestamp;
use crate::render;

use super::admin::CsrfOnly;
use super::guards::Owner;
use super::reply::Reply;
use super::App;

#[get("/settings/apps")]
pub async fn list(app: &State<App>, owner: Owner) -> Result<Reply> {
    let apps = app.run(|conn| oauth::authorized_apps(conn)).await?;
    Ok(Reply::Html(render::oauth::authorized_apps(
        &app.config.display_name,
        &owner.viewer(),
        &apps,
    )))
}

#[post("/settings/apps/<app_id>/revoke", data = "<form>")]
pub async fn revoke(
    app: &State<App>,
    owner: Owner,
    app_id: i64,
    form: Form<CsrfOnly<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    app.run(move |conn| oauth::revoke_app(conn, app_id, Timestamp::now()))
        .await?;
    Ok(Reply::Redirect(Redirect::to("/settings/apps")))
}
