//! `/api/v1/notifications` (list with `types[]`, `exclude_types[]`, `account_id`; one; dismiss;
//! clear; unread count) and `/api/v1/markers`, over `domain::notifications` and
//! `domain::markers` (the notifications marker is the web page's read state).

use rocket::request::{FromRequest, Outcome, Request};
use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::markers::{self, Marker};
use crate::domain::notifications::{self, Item, Listed, Query};
use crate::model::Timestamp;
use crate::urls::Urls;

use super::auth::Token;
use super::body::{flex, Body};
use super::entities::account::{self, Account};
use super::entities::datetime;
use super::entities::notification::{self, Notice};
use super::error::ApiResult;
use super::lists::parse_id;
use super::paging::{PageQuery, Paged};
use super::timelines::{owner_account, statuses};

/// The query's repeated parameters (`types[]=a&types[]=b`, or `types=a`), at most 50 of each.
pub struct Repeated(Vec<(String, String)>);

impl Repeated {
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name || k.strip_suffix("[]") == Some(name))
            .map(|(_, v)| v.clone())
            .take(50)
            .collect()
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Repeated {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let pairs = request
            .uri()
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_str().as_bytes())
                    .take(200)
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Outcome::Success(Repeated(pairs))
    }
}

fn notices(urls: &Urls, listed: &Listed) -> Vec<Notice> {
    let owner = owner_account(urls, &listed.owner);
    listed
        .items
        .iter()
        .filter_map(|item| notice(urls, &owner, item))
        .collect()
}

/// One notification as Mastodon shows it, for the list and the streams alike. A move's target
/// is an account we hold, or the owner when the move came here.
pub fn notice(urls: &Urls, owner: &Account, item: &Item) -> Option<Notice> {
    let status = item
        .entry
        .as_ref()
        .and_then(|e| statuses(urls, owner, &[e], std::slice::from_ref(&item.extras)).pop());
    let target = match (&item.target, &item.notification.object_uri) {
        (Some(actor), _) => Some(account::remote(urls, actor)),
        (None, Some(uri)) if *uri == urls.actor() => Some(owner.clone()),
        _ => None,
    };
    notification::notification(urls, &item.notification, status, target)
}

#[get("/api/v1/notifications?<account_id>&<page..>")]
pub async fn index(
    app: &State<App>,
    token: Token,
    repeated: Repeated,
    account_id: Option<String>,
    page: PageQuery,
) -> ApiResult<Paged> {
    token.owner("read:notifications")?;
    let query = Query {
        types: repeated.all("types"),
        exclude_types: repeated.all("exclude_types"),
        account_id: account_id.map(|id| id.trim().parse().unwrap_or(-1)),
    };
    let range = page.range_up_to(40, 80);
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let listed = app
        .run(move |conn| notifications::listed(conn, &urls, &username, &query, &range))
        .await?;
    let ids: Vec<i64> = listed.items.iter().map(|i| i.notification.id).collect();
    Ok(Paged::from_ids(&notices(&app.urls, &listed), &ids))
}

#[get("/api/v1/notifications/unread_count")]
pub async fn unread_count(app: &State<App>, token: Token) -> ApiResult<Json<Value>> {
    token.owner("read:notifications")?;
    let count = app.run(|conn| notifications::unread(conn)).await?;
    Ok(Json(json!({ "count": count })))
}

#[get("/api/v1/notifications/<id>", rank = 2)]
pub async fn show(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("read:notifications")?;
    let id = parse_id(id)?;
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let listed = app
        .run(move |conn| notifications::one(conn, &urls, &username, id))
        .await?;
    let notice = notices(&app.urls, &listed)
        .pop()
        .ok_or_else(super::error::ApiError::not_found)?;
    Ok(Json(json!(notice)))
}

#[post("/api/v1/notifications/<id>/dismiss")]
pub async fn dismiss(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:notifications")?;
    let id = parse_id(id)?;
    app.run(move |conn| notifications::dismiss(conn, id))
        .await?;
    Ok(Json(json!({})))
}

#[post("/api/v1/notifications/clear")]
pub async fn clear(app: &State<App>, token: Token) -> ApiResult<Json<Value>> {
    token.owner("write:notifications")?;
    app.run(|conn| notifications::clear(conn)).await?;
    Ok(Json(json!({})))
}

fn markers_json(home: Option<Marker>, notifications: Option<Marker>) -> Value {
    let mut out = serde_json::Map::new();
    for (name, marker) in [("home", home), ("notifications", notifications)] {
        if let Some(m) = marker {
            out.insert(
                name.into(),
                json!({
                    "last_read_id": m.last_read_id.to_string(),
                    "version": m.version,
                    "updated_at": datetime(m.updated_at),
                }),
            );
        }
    }
    Value::Object(out)
}

#[get("/api/v1/markers")]
pub async fn get_markers(
    app: &State<App>,
    token: Token,
    repeated: Repeated,
) -> ApiResult<Json<Value>> {
    token.owner("read:statuses")?;
    let wanted = repeated.all("timeline");
    let (home, notes) = (
        wanted.iter().any(|t| t == "home"),
        wanted.iter().any(|t| t == "notifications"),
    );
    let (h, n) = app.run(move |conn| markers::get(conn, home, notes)).await?;
    Ok(Json(markers_json(h, n)))
}

#[derive(Deserialize, Default)]
pub struct MarkerForm {
    #[serde(default, deserialize_with = "flex::opt_id")]
    last_read_id: Option<String>,
}

#[derive(Deserialize)]
pub struct MarkersForm {
    home: Option<MarkerForm>,
    notifications: Option<MarkerForm>,
}

#[post("/api/v1/markers", data = "<body>")]
pub async fn set_markers(
    app: &State<App>,
    token: Token,
    body: Body<MarkersForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:statuses")?;
    let id = |m: Option<MarkerForm>| -> ApiResult<Option<i64>> {
        m.and_then(|m| m.last_read_id)
            .map(|id| {
                id.trim().parse().map_err(|_| {
                    super::error::ApiError::new(422, "Validation failed: last_read_id")
                })
            })
            .transpose()
    };
    let (home, notes) = (id(body.0.home)?, id(body.0.notifications)?);
    let (h, n) = app
        .run(move |conn| markers::set(conn, home, notes, Timestamp::now()))
        .await?;
    Ok(Json(markers_json(h, n)))
}
