//! The owner's search: an account or a post, found here or fetched.

use rocket::http::Status;
use rocket::{get, State};

use crate::domain::{self, search::Found};
use crate::error::Result;
use crate::model::Timestamp;
use crate::render::search as view;

use super::guards::Owner;
use super::reply::Reply;
use super::App;

/// Longest query looked at, in characters.
const MAX_QUERY_CHARS: usize = 500;

#[get("/search?<q>")]
pub async fn search(app: &State<App>, owner: Owner, q: Option<&str>) -> Result<Reply> {
    let query = q
        .unwrap_or("")
        .trim()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect::<String>();
    let (username, urls, lookup) = (app.config.username.clone(), app.urls.clone(), query.clone());
    let (profile, found) = app
        .run_remote(move |conn, remote| {
            domain::search::search(conn, remote, &urls, &username, &lookup, Timestamp::now())
        })
        .await?;
    let viewer = owner.viewer();
    Ok(match found {
        Ok(found) => Reply::Html(view::search(
            &app.urls, &profile, &query, &found, None, &viewer,
        )),
        Err(e) if e.status < 500 => Reply::HtmlStatus(
            Status::from_code(e.status).unwrap_or(Status::BadRequest),
            view::search(
                &app.urls,
                &profile,
                &query,
                &Found::Nothing,
                Some(&e.message),
                &viewer,
            ),
        ),
        Err(e) => return Err(e),
    })
}
