//! `GET /settings/server`: the owner's view of the running server.

use rocket::{get, State};

use crate::domain::profile as profiles;
use crate::error::Result;
use crate::ops::status;
use crate::render::server_status as view;

use super::guards::Owner;
use super::reply::Reply;
use super::App;

#[get("/settings/server")]
pub async fn page(app: &State<App>, owner: Owner) -> Result<Reply> {
    let (username, database) = (app.config.username.clone(), app.config.database.clone());
    let (profile, status) = app
        .run(move |conn| {
            let status = status::gather(conn, &database)?;
            Ok((profiles::get(conn, &username)?, status))
        })
        .await?;
    Ok(Reply::Html(view::page(&profile, &status, &owner.viewer())))
}
