//! `/api/v2/filters` (filters with their keywords and statuses) and the read-only v1 list, over
//! `domain::filters`, which every timeline, the notifications and threads apply.

use rocket::serde::json::Json;
use rocket::{delete, get, post, put, State};
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::filters::{self, FilterInput, KeywordChange};
use crate::model::Timestamp;

use super::auth::Token;
use super::body::{flex, Body};
use super::entities::filter as entity;
use super::error::{ApiError, ApiResult};
use super::lists::parse_id;

/// A field that is there, even as null (absent is None, null is Some(Null)).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

#[derive(Deserialize)]
pub struct FilterForm {
    title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    context: Option<Value>,
    filter_action: Option<String>,
    #[serde(default, deserialize_with = "present")]
    expires_in: Option<Value>,
    #[serde(default)]
    keywords_attributes: Value,
}

#[derive(Deserialize)]
pub struct KeywordForm {
    keyword: Option<String>,
    #[serde(default, deserialize_with = "flex::opt_bool")]
    whole_word: Option<bool>,
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default, deserialize_with = "flex::opt_id")]
    status_id: Option<String>,
}

fn invalid(message: &str) -> ApiError {
    ApiError::new(422, format!("Validation failed: {message}"))
}

fn strings(value: &Value) -> Option<Vec<String>> {
    let text = |v: &Value| v.as_str().map(str::to_string);
    match value {
        Value::Array(items) => items.iter().map(text).collect(),
        Value::Object(map) => map.values().map(text).collect(),
        Value::String(s) => Some(vec![s.clone()]),
        _ => None,
    }
}

fn expires_in(value: &Value) -> Result<Option<i64>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| invalid("Expires in is not a number")),
        Value::Number(n) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| invalid("Expires in is not a number")),
        _ => Err(invalid("Expires in is not a number")),
    }
}

/// `keywords_attributes` as JSON's array of objects, a form's `k[0][keyword]` object, or a
/// form's `k[][keyword]=a&k[][whole_word]=true`, which arrives one key per item: a key seen
/// again starts the next keyword, as Rails groups them.
fn keyword_items(value: &Value) -> Vec<serde_json::Map<String, Value>> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(map) => map.values().collect(),
        _ => Vec::new(),
    };
    let mut grouped: Vec<serde_json::Map<String, Value>> = Vec::new();
    for item in items {
        let Value::Object(map) = item else { continue };
        match grouped.last_mut() {
            Some(last) if map.len() == 1 && !map.keys().any(|k| last.contains_key(k)) => {
                last.extend(map.clone());
            }
            _ => grouped.push(map.clone()),
        }
    }
    grouped
}

fn truthy(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_i64() != Some(0)),
        Value::String(s) => Some(matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "1" | "on" | "yes" | "t"
        )),
        _ => None,
    }
}

fn keyword_changes(value: &Value) -> Result<Vec<KeywordChange>, ApiError> {
    let items = keyword_items(value);
    if items.len() > filters::MAX_KEYWORDS {
        return Err(invalid("Keywords are too many"));
    }
    items
        .iter()
        .map(|item| {
            let id = match item.get("id") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.is_empty() => None,
                Some(Value::String(s)) => {
                    Some(s.trim().parse().map_err(|_| ApiError::not_found())?)
                }
                Some(Value::Number(n)) => Some(n.as_i64().ok_or_else(ApiError::not_found)?),
                Some(_) => return Err(ApiError::not_found()),
            };
            Ok(KeywordChange {
                id,
                keyword: item
                    .get("keyword")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                whole_word: truthy(item.get("whole_word")),
                destroy: truthy(item.get("_destroy")).unwrap_or(false),
            })
        })
        .collect()
}

fn input(form: FilterForm) -> Result<FilterInput, ApiError> {
    let contexts = match &form.context {
        None => None,
        Some(value) => Some(strings(value).ok_or_else(|| invalid("Context is malformed"))?),
    };
    let expires_in = match &form.expires_in {
        None => None,
        Some(value) => Some(expires_in(value)?),
    };
    Ok(FilterInput {
        title: form.title,
        contexts,
        action: form.filter_action,
        expires_in,
        keywords: keyword_changes(&form.keywords_attributes)?,
    })
}

#[get("/api/v2/filters")]
pub async fn index(app: &State<App>, token: Token) -> ApiResult<Json<Value>> {
    token.owner("read:filters")?;
    let all = app.run(|conn| filters::all(conn)).await?;
    Ok(Json(json!(all
        .iter()
        .map(entity::filter)
        .collect::<Vec<_>>())))
}

#[get("/api/v2/filters/<id>")]
pub async fn show(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("read:filters")?;
    let id = parse_id(id)?;
    let filter = app.run(move |conn| filters::get(conn, id)).await?;
    Ok(Json(entity::filter(&filter)))
}

#[post("/api/v2/filters", data = "<body>")]
pub async fn create(
    app: &State<App>,
    token: Token,
    body: Body<FilterForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:filters")?;
    let input = input(body.0)?;
    let filter = app
        .run(move |conn| filters::create(conn, input, Timestamp::now()))
        .await?;
    Ok(Json(entity::filter(&filter)))
}

#[put("/api/v2/filters/<id>", data = "<body>")]
pub async fn update(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<FilterForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:filters")?;
    let id = parse_id(id)?;
    let input = input(body.0)?;
    let filter = app
        .run(move |conn| filters::update(conn, id, input, Timestamp::now()))
        .await?;
    Ok(Json(entity::filter(&filter)))
}

#[delete("/api/v2/filters/<id>")]
pub async fn destroy(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:filters")?;
    let id = parse_id(id)?;
    app.run(move |conn| filters::delete(conn, id)).await?;
    Ok(Json(json!({})))
}

#[get("/api/v2/filters/<id>/keywords", rank = 2)]
pub async fn keywords(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("read:filters")?;
    let id = parse_id(id)?;
    let filter = app.run(move |conn| filters::get(conn, id)).await?;
    Ok(Json(json!(filter
        .keywords
        .iter()
        .map(entity::keyword)
        .collect::<Vec<_>>())))
}

#[post("/api/v2/filters/<id>/keywords", data = "<body>", rank = 2)]
pub async fn add_keyword(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<KeywordForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:filters")?;
    let id = parse_id(id)?;
    let form = body.0;
    let keyword = app
        .run(move |conn| {
            filters::add_keyword(
                conn,
                id,
                form.keyword.as_deref().unwrap_or(""),
                form.whole_word.unwrap_or(true),
            )
        })
        .await?;
    Ok(Json(entity::keyword(&keyword)))
}

#[get("/api/v2/filters/keywords/<id>")]
pub async fn keyword(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("read:filters")?;
    let id = parse_id(id)?;
    let (_, keyword) = app
        .run(move |conn| filters::keyword_by_id(conn, id))
        .await?;
    Ok(Json(entity::keyword(&keyword)))
}

#[put("/api/v2/filters/keywords/<id>", data = "<body>")]
pub async fn update_keyword(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<KeywordForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:filters")?;
    let id = parse_id(id)?;
    let form = body.0;
    let (_, keyword) = app
        .run(move |conn| {
            filters::update_keyword(conn, id, form.keyword.as_deref(), form.whole_word)
        })
        .await?;
    Ok(Json(entity::keyword(&keyword)))
}

#[delete("/api/v2/filters/keywords/<id>")]
pub async fn delete_keyword(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:filters")?;
    let id = parse_id(id)?;
    app.run(move |conn| filters::delete_keyword(conn, id))
        .await?;
    Ok(Json(json!({})))
}

#[get("/api/v2/filters/<id>/statuses", rank = 2)]
pub async fn statuses(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("read:filters")?;
    let id = parse_id(id)?;
    let filter = app.run(move |conn| filters::get(conn, id)).await?;
    Ok(Json(json!(filter
        .statuses
        .iter()
        .map(entity::status)
        .collect::<Vec<_>>())))
}

#[post("/api/v2/filters/<id>/statuses", data = "<body>", rank = 2)]
pub async fn add_status(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<StatusForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:filters")?;
    let id = parse_id(id)?;
    let status_id: i64 = body
        .0
        .status_id
        .as_deref()
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| invalid("Status can't be blank"))?;
    let status = app
        .run(move |conn| filters::add_status(conn, id, status_id))
        .await?;
    Ok(Json(entity::status(&status)))
}

#[get("/api/v2/filters/statuses/<id>")]
pub async fn status(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("read:filters")?;
    let id = parse_id(id)?;
    let (_, status) = app.run(move |conn| filters::status_by_id(conn, id)).await?;
    Ok(Json(entity::status(&status)))
}

#[delete("/api/v2/filters/statuses/<id>")]
pub async fn delete_status(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:filters")?;
    let id = parse_id(id)?;
    app.run(move |conn| filters::delete_status(conn, id))
        .await?;
    Ok(Json(json!({})))
}

/// The v1 list (older apps read it): one filter per keyword.
#[get("/api/v1/filters")]
pub async fn index_v1(app: &State<App>, token: Token) -> ApiResult<Json<Value>> {
    token.owner("read:filters")?;
    let all = app.run(|conn| filters::all(conn)).await?;
    let v1: Vec<Value> = all
        .iter()
        .flat_map(|rule| rule.keywords.iter().map(move |k| entity::v1(rule, k)))
        .collect();
    Ok(Json(json!(v1)))
}
