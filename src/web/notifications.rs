//! The owner's notifications.

use rocket::{get, State};

use crate::domain;
use crate::error::Result;
use crate::model::Timestamp;
use crate::render::notifications as view;

use super::guards::Owner;
use super::reply::Reply;
use super::App;

const PAGE_SIZE: usize = 30;

#[get("/notifications?<max_id>")]
pub async fn notifications(app: &State<App>, owner: Owner, max_id: Option<i64>) -> Result<Reply> {
    let username = app.config.username.clone();
    let page = app
        .run(move |conn| {
            domain::notifications::page(conn, &username, max_id, PAGE_SIZE, Timestamp::now())
        })
        .await?;
    // This page marked them read.
    let mut viewer = owner.viewer();
    viewer.unread = 0;
    Ok(Reply::Html(view::notifications(
        &page.profile,
        &page.items,
        &viewer,
        page.older,
    )))
}
