//! The owner's choice of showing their network or only its counts.

use rocket::form::{Form, FromForm};
use rocket::response::Redirect;
use rocket::{get, post, State};

use crate::domain::collections;
use crate::error::Result;
use crate::render::network::{self as view, PAGE};

use super::guards::Owner;
use super::reply::Reply;
use super::App;

#[get("/settings/network")]
pub async fn settings(app: &State<App>, owner: Owner) -> Result<Reply> {
    let hidden = app.run(|conn| collections::hide_network(conn)).await?;
    Ok(Reply::Html(view::page(
        &app.config.display_name,
        hidden,
        &owner.viewer(),
    )))
}

#[derive(FromForm)]
pub struct NetworkForm<'r> {
    csrf: &'r str,
    hide: bool,
}

#[post("/settings/network", data = "<form>")]
pub async fn save(app: &State<App>, owner: Owner, form: Form<NetworkForm<'_>>) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let hide = form.hide;
    app.run(move |conn| collections::set_hide_network(conn, hide))
        .await?;
    Ok(Reply::Redirect(Redirect::to(PAGE)))
}
