//! The owner's view of the thread around any post we hold.

use rocket::{get, State};

use crate::domain::threads;
use crate::error::Result;
use crate::model::Timestamp;
use crate::render::threads as view;

use super::guards::Owner;
use super::reply::Reply;
use super::App;

#[get("/thread?<uri>")]
pub async fn thread(app: &State<App>, owner: Owner, uri: &str) -> Result<Reply> {
    let (username, urls, target) = (
        app.config.username.clone(),
        app.urls.clone(),
        uri.to_string(),
    );
    let (profile, chain, fetching) = app
        .run(move |conn| threads::opened(conn, &urls, &username, &target, Timestamp::now()))
        .await?;
    let back = format!("/thread?uri={}", crate::urls::percent_encode_path(uri));
    Ok(Reply::Html(view::thread(
        &app.urls,
        &profile,
        &chain,
        fetching,
        &owner.viewer(),
        &back,
    )))
}
