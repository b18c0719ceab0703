//! `/api/v1/scheduled_statuses`: list, get, reschedule (PUT) and cancel (DELETE).

use rocket::serde::json::Json;
use rocket::{delete, get, put, State};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::statuses::scheduled;
use crate::model::Timestamp;

use super::auth::Token;
use super::body::Body;
use super::entities::scheduled_status;
use super::error::{ApiError, ApiResult};
use super::paging::{PageQuery, Paged};
use super::statuses::parse_id;

#[get("/api/v1/scheduled_statuses?<page..>")]
pub async fn list(app: &State<App>, token: Token, page: PageQuery) -> ApiResult<Paged> {
    token.owner("read:statuses")?;
    let range = page.range();
    let found = app.run(move |conn| scheduled::list(conn, &range)).await?;
    let body: Vec<_> = found
        .iter()
        .map(|v| scheduled_status::scheduled(&app.urls, v))
        .collect();
    let ids: Vec<i64> = found.iter().map(|v| v.id).collect();
    Ok(Paged::from_ids(&body, &ids))
}

#[get("/api/v1/scheduled_statuses/<id>")]
pub async fn show(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("read:statuses")?;
    let id = parse_id(id)?;
    let urls = app.urls.clone();
    let view = app.run(move |conn| scheduled::get(conn, &urls, id)).await?;
    Ok(Json(scheduled_status::scheduled(&app.urls, &view)))
}

#[derive(Deserialize)]
pub struct Reschedule {
    #[serde(default)]
    scheduled_at: Option<String>,
}

#[put("/api/v1/scheduled_statuses/<id>", data = "<body>")]
pub async fn reschedule(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<Reschedule>,
) -> ApiResult<Json<Value>> {
    token.owner("write:statuses")?;
    let id = parse_id(id)?;
    let at = body
        .0
        .scheduled_at
        .as_deref()
        .and_then(|t| Timestamp::parse_rfc3339(t.trim()))
        .ok_or_else(|| ApiError::new(422, "Validation failed: Scheduled at is not a valid time"))?;
    let view = app
        .run(move |conn| scheduled::reschedule(conn, id, at, Timestamp::now()))
        .await?;
    Ok(Json(scheduled_status::scheduled(&app.urls, &view)))
}

#[delete("/api/v1/scheduled_statuses/<id>")]
pub async fn cancel(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:statuses")?;
    let id = parse_id(id)?;
    app.run(move |conn| scheduled::cancel(conn, id)).await?;
    Ok(Json(json!({})))
}
