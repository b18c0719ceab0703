//! `/api/v1/statuses`: create (now or scheduled, once per `Idempotency-Key`), get, batch get,
//! delete, edit, history, source and context, over `domain::statuses`.

use rocket::request::{FromRequest, Outcome, Request};
use rocket::serde::json::Json;
use rocket::{delete, get, post, put, State};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::polls::NewPoll;
use crate::domain::statuses::create::{
    self as making, Created, MediaAttribute, NewStatus, StatusEdit,
};
use crate::domain::statuses::{self, Owner, View};
use crate::error::Error;
use crate::model::{Shown, Timestamp};
use crate::urls::Urls;

use super::auth::{MaybeToken, Token};
use super::body::{flex, Body};
use super::entities::account::{self, Account};
use super::entities::status::{self, Status};
use super::entities::{datetime, media, scheduled_status};
use super::error::{ApiError, ApiResult};

/// The `Idempotency-Key` header, when sent.
pub struct IdempotencyKey(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IdempotencyKey {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        let key = request.headers().get_one("Idempotency-Key");
        Outcome::Success(IdempotencyKey(key.map(str::to_string)))
    }
}

/// An id in a path: one that is not a number names nothing.
pub fn parse_id(id: &str) -> ApiResult<i64> {
    id.trim().parse().map_err(|_| ApiError::not_found())
}

pub fn owner_account(urls: &Urls, owner: &Owner) -> Account {
    account::owner(
        urls,
        &owner.profile,
        &owner.fields_html,
        &owner.counts,
        owner.last_post,
    )
}

/// A view as Mastodon's Status; the owner's own boost is wrapped with the owner's account.
pub fn render(urls: &Urls, owner: &Account, view: &View) -> Status {
    let (entry, extras) = view;
    let post_id = match &entry.shown {
        Shown::Own(p) => p.id,
        Shown::Remote(p) => p.id,
    };
    let inner = status::entry(urls, owner, entry, extras);
    if entry.boosted_by.is_some() || entry.id == post_id {
        return inner;
    }
    let mut outer = inner.clone();
    outer.id = entry.id.to_string();
    outer.account = owner.clone();
    outer.content = String::new();
    outer.spoiler_text = String::new();
    outer.media_attachments = Vec::new();
    outer.mentions = Vec::new();
    outer.tags = Vec::new();
    outer.in_reply_to_id = None;
    outer.in_reply_to_account_id = None;
    outer.uri = urls.activity(entry.id);
    outer.url = None;
    outer.pinned = false;
    outer.reblog = Some(Box::new(inner));
    outer
}

fn world_readable(view: &View) -> bool {
    match &view.0.shown {
        Shown::Own(p) => p.visibility.is_world_readable(),
        Shown::Remote(p) => p.visibility.is_world_readable(),
    }
}

/// Loads the owner and runs `work`, on a pooled connection.
pub async fn with_owner<T: Send + 'static>(
    app: &App,
    work: impl FnOnce(&mut rusqlite::Connection, &Urls) -> crate::error::Result<T> + Send + 'static,
) -> ApiResult<(Account, T)> {
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let (owner, value) = app
        .run(move |conn| {
            let value = work(conn, &urls)?;
            Ok((statuses::owner(conn, &username)?, value))
        })
        .await?;
    Ok((owner_account(&app.urls, &owner), value))
}

fn ids(value: &Value) -> ApiResult<Vec<i64>> {
    let list = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items.clone(),
        Value::Object(map) => map.values().cloned().collect(),
        other => vec![other.clone()],
    };
    list.iter()
        .map(|v| match v {
            Value::String(s) => s.trim().parse().ok(),
            Value::Number(n) => n.as_i64(),
            _ => None,
        })
        .map(|id| {
            id.ok_or_else(|| ApiError::new(422, "Validation failed: a media id is malformed"))
        })
        .collect()
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "flex::opt_bool")]
    sensitive: Option<bool>,
    #[serde(default, deserialize_with = "flex::opt_id")]
    in_reply_to_id: Option<String>,
    #[serde(default)]
    media_ids: Value,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    poll: Value,
    #[serde(default)]
    scheduled_at: Option<String>,
}

/// A flexible boolean: JSON true/false, or the strings form bodies carry.
fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.trim(), "true" | "1" | "on"),
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}

/// `poll[options][]`, `poll[expires_in]`, `poll[multiple]`, `poll[hide_totals]`, from JSON or a
/// form body; None without a poll.
pub fn poll_of(value: &Value) -> ApiResult<Option<NewPoll>> {
    let Value::Object(poll) = value else {
        return Ok(None);
    };
    let bad = |what: &str| ApiError::new(422, format!("Validation failed: {what}"));
    let options: Vec<String> = match poll.get("options") {
        Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(Value::Object(map)) => map.values().collect(),
        _ => return Err(bad("a poll needs options")),
    }
    .into_iter()
    .map(|v| {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| bad("a poll option is not text"))
    })
    .collect::<ApiResult<_>>()?;
    let expires_in = match poll.get("expires_in") {
        Some(Value::Number(n)) => n.as_f64().map(|f| f as i64),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok().map(|f| f as i64),
        _ => None,
    }
    .ok_or_else(|| bad("a poll needs expires_in, in seconds"))?;
    Ok(Some(NewPoll {
        options,
        expires_in,
        multiple: truthy(poll.get("multiple")),
        hide_totals: truthy(poll.get("hide_totals")),
    }))
}

fn new_status(form: &CreateForm) -> ApiResult<NewStatus> {
    let poll = poll_of(&form.poll)?;
    let visibility = match form.visibility.as_deref().filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(status::parse_visibility(v).ok_or_else(|| {
            ApiError::new(
                422,
                "Validation failed: Visibility is not included in the list",
            )
        })?),
    };
    let in_reply_to_id = match &form.in_reply_to_id {
        None => None,
        Some(id) => Some(id.trim().parse().map_err(|_| {
            ApiError::new(
                422,
                "Validation failed: the post replied to is not known here",
            )
        })?),
    };
    Ok(NewStatus {
        text: form.status.clone().unwrap_or_default(),
        visibility,
        spoiler_text: form.spoiler_text.clone(),
        sensitive: form.sensitive.unwrap_or(false),
        in_reply_to_id,
        media_ids: ids(&form.media_ids)?,
        language: form.language.clone(),
        poll,
    })
}

#[post("/api/v1/statuses", data = "<body>")]
pub async fn create(
    app: &State<App>,
    token: Token,
    key: IdempotencyKey,
    body: Body<CreateForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:statuses")?;
    let form = body.0;
    let new = new_status(&form)?;
    let at = match form
        .scheduled_at
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        None => None,
        Some(text) => Some(Timestamp::parse_rfc3339(text.trim()).ok_or_else(|| {
            ApiError::new(422, "Validation failed: Scheduled at is not a valid time")
        })?),
    };
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let made = app
        .run_remote(move |conn, remote| {
            let now = Timestamp::now();
            let made = making::create(conn, &urls, Some(remote), &new, at, key.0.as_deref(), now)?;
            Ok(match made {
                Created::Posted(id) => {
                    let view = statuses::get(conn, &urls, id)?;
                    let owner = statuses::owner(conn, &username)?;
                    let account = owner_account(&urls, &owner);
                    serde_json::to_value(render(&urls, &account, &view)).map_err(Error::internal)?
                }
                Created::Scheduled(view) => scheduled_status::scheduled(&urls, &view),
            })
        })
        .await?;
    Ok(Json(made))
}

#[get("/api/v1/statuses/<id>")]
pub async fn show(app: &State<App>, token: MaybeToken, id: &str) -> ApiResult<Json<Status>> {
    let id = parse_id(id)?;
    let signed_in = match &token.0 {
        Some(token) => {
            token.require("read:statuses")?;
            token.0.for_owner
        }
        None => false,
    };
    let (owner, view) = with_owner(app, move |conn, urls| statuses::get(conn, urls, id)).await?;
    if !signed_in && !world_readable(&view) {
        return Err(ApiError::not_found());
    }
    Ok(Json(render(&app.urls, &owner, &view)))
}

/// `id[]=1&id[]=2` (or `id=1`) from the query string.
pub struct IdList(Vec<i64>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IdList {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        let query = request.uri().query().map(|q| q.as_str()).unwrap_or("");
        let ids: Vec<i64> = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k == "id[]" || k == "id")
            .filter_map(|(_, v)| v.trim().parse().ok())
            .take(40)
            .collect();
        Outcome::Success(IdList(ids))
    }
}

#[get("/api/v1/statuses", rank = 2)]
pub async fn batch(app: &State<App>, token: Token, ids: IdList) -> ApiResult<Json<Vec<Status>>> {
    token.require("read:statuses")?;
    let ids = ids.0;
    let (owner, views) =
        with_owner(app, move |conn, urls| statuses::get_many(conn, urls, &ids)).await?;
    Ok(Json(
        views.iter().map(|v| render(&app.urls, &owner, v)).collect(),
    ))
}

#[delete("/api/v1/statuses/<id>")]
pub async fn remove(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Status>> {
    token.owner("write:statuses")?;
    let id = parse_id(id)?;
    let (owner, view) = with_owner(app, move |conn, urls| {
        statuses::delete(conn, urls, id, Timestamp::now())
    })
    .await?;
    let mut answer = render(&app.urls, &owner, &view);
    if let Shown::Own(post) = &view.0.shown {
        answer.text = Some(post.source.clone());
    }
    Ok(Json(answer))
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "flex::opt_bool")]
    sensitive: Option<bool>,
    #[serde(default)]
    media_ids: Option<Value>,
    #[serde(default)]
    media_attributes: Value,
    #[serde(default)]
    poll: Value,
}

fn parse_focus(text: &str) -> ApiResult<(f64, f64)> {
    let bad = || {
        ApiError::new(
            422,
            "Validation failed: focus must be two numbers from -1 to 1, as \"x,y\"",
        )
    };
    let (x, y) = text.split_once(',').ok_or_else(bad)?;
    let (x, y): (f64, f64) = (
        x.trim().parse().map_err(|_| bad())?,
        y.trim().parse().map_err(|_| bad())?,
    );
    if !(-1.0..=1.0).contains(&x) || !(-1.0..=1.0).contains(&y) {
        return Err(bad());
    }
    Ok((x, y))
}

pub fn focus_of(value: Option<&str>) -> ApiResult<Option<(f64, f64)>> {
    value
        .filter(|f| !f.trim().is_empty())
        .map(parse_focus)
        .transpose()
}

fn attributes(value: &Value) -> ApiResult<Vec<MediaAttribute>> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(map) => map.values().collect(),
        _ => Vec::new(),
    };
    items
        .into_iter()
        .map(|item| {
            let id = ids(item.get("id").unwrap_or(&Value::Null))?
                .first()
                .copied()
                .ok_or_else(|| {
                    ApiError::new(422, "Validation failed: a media attribute has no id")
                })?;
            let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_string);
            Ok((id, text("description"), focus_of(text("focus").as_deref())?))
        })
        .collect()
}

#[put("/api/v1/statuses/<id>", data = "<body>")]
pub async fn edit(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<EditForm>,
) -> ApiResult<Json<Status>> {
    token.owner("write:statuses")?;
    let id = parse_id(id)?;
    let form = body.0;
    if !form.poll.is_null() {
        return Err(ApiError::new(
            422,
            "Validation failed: a poll cannot be changed by an edit here",
        ));
    }
    let change = StatusEdit {
        text: form.status.clone().unwrap_or_default(),
        spoiler_text: form.spoiler_text.clone(),
        sensitive: form.sensitive.unwrap_or(false),
        media_ids: form.media_ids.as_ref().map(ids).transpose()?,
        media_attributes: attributes(&form.media_attributes)?,
    };
    let (owner, view) = with_owner(app, move |conn, urls| {
        making::edit(conn, urls, id, &change, Timestamp::now())?;
        statuses::get(conn, urls, id)
    })
    .await?;
    Ok(Json(render(&app.urls, &owner, &view)))
}

#[get("/api/v1/statuses/<id>/history")]
pub async fn history(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.require("read:statuses")?;
    let id = parse_id(id)?;
    let (owner, (entry, versions)) =
        with_owner(app, move |conn, urls| statuses::history(conn, urls, id)).await?;
    let account = match &entry.shown {
        Shown::Own(_) => owner,
        Shown::Remote(post) => account::remote(&app.urls, &post.actor),
    };
    let list: Vec<Value> = versions
        .iter()
        .map(|v| {
            json!({
                "content": v.content_html,
                "spoiler_text": v.summary.clone().unwrap_or_default(),
                "sensitive": v.sensitive,
                "created_at": datetime(v.written),
                "account": account,
                "poll": null,
                "media_attachments": v.media.iter().map(|m| media::own(&app.urls, m)).collect::<Vec<_>>(),
                "emojis": [],
            })
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

#[get("/api/v1/statuses/<id>/source")]
pub async fn source(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.require("read:statuses")?;
    let id = parse_id(id)?;
    let (_, (entry, _)) = with_owner(app, move |conn, urls| statuses::get(conn, urls, id)).await?;
    let Shown::Own(post) = &entry.shown else {
        return Err(ApiError::not_found());
    };
    Ok(Json(json!({
        "id": post.id.to_string(),
        "text": post.source,
        "spoiler_text": post.summary.clone().unwrap_or_default(),
    })))
}

#[get("/api/v1/statuses/<id>/context")]
pub async fn context(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.require("read:statuses")?;
    let id = parse_id(id)?;
    let (owner, (above, below)) = with_owner(app, move |conn, urls| {
        statuses::context(conn, urls, id, Timestamp::now())
    })
    .await?;
    let shape = |views: &[View]| -> Vec<Status> {
        views.iter().map(|v| render(&app.urls, &owner, v)).collect()
    };
    Ok(Json(json!({
        "ancestors": shape(&above),
        "descendants": shape(&below),
    })))
}
