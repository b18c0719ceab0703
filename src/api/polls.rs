//! `/api/v1/polls`: a poll by id, and the owner's vote in someone else's poll
//! (`domain::polls`).

use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::Deserialize;
use serde_json::Value;

use crate::app::App;
use crate::domain::polls;
use crate::model::{Poll, Timestamp};

use super::auth::Token;
use super::body::Body;
use super::entities::poll;
use super::error::{ApiError, ApiResult};
use super::statuses::parse_id;

/// At most this many choices are read from a request (a poll has at most a few options).
const MAX_CHOICES: usize = 20;

fn render(found: &Poll) -> Value {
    poll::poll(found, Timestamp::now())
}

#[get("/api/v1/polls/<id>")]
pub async fn show(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.require("read:statuses")?;
    let id = parse_id(id)?;
    let found = app.run(move |conn| polls::get(conn, id)).await?;
    Ok(Json(render(&found)))
}

#[derive(Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    choices: Value,
}

fn choices(value: &Value) -> ApiResult<Vec<usize>> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(map) => map.values().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    };
    items
        .into_iter()
        .take(MAX_CHOICES)
        .map(|v| match v {
            Value::Number(n) => n.as_u64().map(|n| n as usize),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
        .map(|c| c.ok_or_else(|| ApiError::new(422, "Validation failed: a choice is malformed")))
        .collect()
}

#[post("/api/v1/polls/<id>/votes", data = "<body>")]
pub async fn vote(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<VoteForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:statuses")?;
    let id = parse_id(id)?;
    let wanted = choices(&body.0.choices)?;
    let urls = app.urls.clone();
    let found = app
        .run(move |conn| polls::vote(conn, &urls, id, &wanted, Timestamp::now()))
        .await?;
    Ok(Json(render(&found)))
}
