//! `/api/v1/lists` (CRUD and members), `/api/v1/accounts/:id/lists`, and followed tags
//! (`/api/v1/followed_tags`, `/api/v1/tags/:name` with follow/unfollow).

use rocket::serde::json::Json;
use rocket::{delete, get, post, put, State};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::lists;
use crate::model::Timestamp;

use super::auth::{MaybeToken, Token};
use super::body::{flex, Body};
use super::entities::{account, list as entity};
use super::error::{ApiError, ApiResult};

/// A list or account id from the path; anything else names nothing.
pub fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.trim().parse().map_err(|_| ApiError::not_found())
}

#[derive(Deserialize)]
pub struct ListForm {
    title: Option<String>,
    replies_policy: Option<String>,
    #[serde(default, deserialize_with = "flex::opt_bool")]
    exclusive: Option<bool>,
}

#[derive(Deserialize)]
pub struct Members {
    #[serde(default, deserialize_with = "flex::vec_string")]
    account_ids: Vec<String>,
}

#[get("/api/v1/lists")]
pub async fn index(app: &State<App>, token: Token) -> ApiResult<Json<Value>> {
    token.owner("read:lists")?;
    let all = app.run(|conn| lists::all(conn)).await?;
    Ok(Json(json!(all
        .iter()
        .map(entity::list)
        .collect::<Vec<_>>())))
}

#[get("/api/v1/lists/<id>")]
pub async fn show(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("read:lists")?;
    let id = parse_id(id)?;
    let list = app.run(move |conn| lists::get(conn, id)).await?;
    Ok(Json(entity::list(&list)))
}

#[post("/api/v1/lists", data = "<body>")]
pub async fn create(
    app: &State<App>,
    token: Token,
    body: Body<ListForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:lists")?;
    let form = body.0;
    let list = app
        .run(move |conn| {
            lists::create(
                conn,
                form.title.as_deref().unwrap_or(""),
                form.replies_policy.as_deref(),
                form.exclusive.unwrap_or(false),
                Timestamp::now(),
            )
        })
        .await?;
    Ok(Json(entity::list(&list)))
}

#[put("/api/v1/lists/<id>", data = "<body>")]
pub async fn update(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<ListForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:lists")?;
    let id = parse_id(id)?;
    let form = body.0;
    let list = app
        .run(move |conn| {
            lists::update(
                conn,
                id,
                form.title.as_deref(),
                form.replies_policy.as_deref(),
                form.exclusive,
            )
        })
        .await?;
    Ok(Json(entity::list(&list)))
}

#[delete("/api/v1/lists/<id>")]
pub async fn destroy(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:lists")?;
    let id = parse_id(id)?;
    app.run(move |conn| lists::delete(conn, id)).await?;
    Ok(Json(json!({})))
}

#[get("/api/v1/lists/<id>/accounts?<limit>")]
pub async fn members(
    app: &State<App>,
    token: Token,
    id: &str,
    limit: Option<usize>,
) -> ApiResult<Json<Value>> {
    token.owner("read:lists")?;
    let id = parse_id(id)?;
    // Mastodon: 40 by default, 0 for all of them.
    let limit = match limit {
        Some(0) => lists::MAX_MEMBERS,
        Some(n) => n.min(80),
        None => 40,
    };
    let actors = app
        .run(move |conn| lists::members(conn, id, 0, limit))
        .await?;
    let urls = &app.urls;
    Ok(Json(json!(actors
        .iter()
        .map(|a| account::remote(urls, a))
        .collect::<Vec<_>>())))
}

fn ids(members: &Members) -> Result<Vec<i64>, ApiError> {
    members.account_ids.iter().map(|id| parse_id(id)).collect()
}

#[post("/api/v1/lists/<id>/accounts", data = "<body>")]
pub async fn add(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<Members>,
) -> ApiResult<Json<Value>> {
    token.owner("write:lists")?;
    let (id, actors) = (parse_id(id)?, ids(&body.0)?);
    app.run(move |conn| lists::add(conn, id, &actors)).await?;
    Ok(Json(json!({})))
}

#[delete("/api/v1/lists/<id>/accounts", data = "<body>")]
pub async fn remove(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<Members>,
) -> ApiResult<Json<Value>> {
    token.owner("write:lists")?;
    let (id, actors) = (parse_id(id)?, ids(&body.0)?);
    app.run(move |conn| lists::remove(conn, id, &actors))
        .await?;
    Ok(Json(json!({})))
}

#[get("/api/v1/accounts/<id>/lists")]
pub async fn of_account(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("read:lists")?;
    let id = parse_id(id)?;
    let all = app.run(move |conn| lists::of_account(conn, id)).await?;
    Ok(Json(json!(all
        .iter()
        .map(entity::list)
        .collect::<Vec<_>>())))
}

#[get("/api/v1/followed_tags")]
pub async fn followed_tags(app: &State<App>, token: Token) -> ApiResult<Json<Value>> {
    token.owner("read:follows")?;
    let tags = app.run(|conn| lists::followed_tags(conn)).await?;
    let urls = &app.urls;
    Ok(Json(json!(tags
        .iter()
        .map(|t| entity::tag(urls, t, true))
        .collect::<Vec<_>>())))
}

#[get("/api/v1/tags/<name>")]
pub async fn tag(app: &State<App>, token: MaybeToken, name: &str) -> ApiResult<Json<Value>> {
    if let Some(token) = &token.0 {
        token.require("read")?;
    }
    let name = lists::tag_name(name)?;
    let shown = name.clone();
    let following = app.run(move |conn| lists::follows_tag(conn, &name)).await?;
    Ok(Json(entity::tag(&app.urls, &shown, following)))
}

async fn set_followed(app: &App, name: &str, followed: bool) -> ApiResult<Json<Value>> {
    let name = lists::tag_name(name)?;
    let stored = name.clone();
    app.run(move |conn| lists::follow_tag(conn, &stored, followed, Timestamp::now()))
        .await?;
    Ok(Json(entity::tag(&app.urls, &name, followed)))
}

#[post("/api/v1/tags/<name>/follow")]
pub async fn follow(app: &State<App>, token: Token, name: &str) -> ApiResult<Json<Value>> {
    token.owner("write:follows")?;
    set_followed(app, name, true).await
}

#[post("/api/v1/tags/<name>/unfollow")]
pub async fn unfollow(app: &State<App>, token: Token, name: &str) -> ApiResult<Json<Value>> {
    token.owner("write:follows")?;
    set_followed(app, name, false).await
}
