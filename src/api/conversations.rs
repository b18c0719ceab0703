//! `/api/v1/conversations` (list, read, remove) over `domain::conversations`.

use rocket::serde::json::Json;
use rocket::{delete, get, post, State};
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::conversations::{self, Conversations};
use crate::model::Timestamp;
use crate::urls::Urls;

use super::auth::Token;
use super::entities::account;
use super::entities::conversation::Conversation;
use super::error::{ApiError, ApiResult};
use super::lists::parse_id;
use super::paging::{PageQuery, Paged};
use super::timelines::{owner_account, statuses};

fn entities(urls: &Urls, listed: &Conversations) -> Vec<Conversation> {
    let owner = owner_account(urls, &listed.owner);
    listed
        .items
        .iter()
        .map(|c| Conversation {
            id: c.id.to_string(),
            unread: c.unread,
            accounts: c
                .accounts
                .iter()
                .map(|a| account::remote(urls, a))
                .collect(),
            last_status: statuses(urls, &owner, &[&c.last], std::slice::from_ref(&c.extras)).pop(),
        })
        .collect()
}

#[get("/api/v1/conversations?<page..>")]
pub async fn index(app: &State<App>, token: Token, page: PageQuery) -> ApiResult<Paged> {
    token.owner("read:statuses")?;
    let range = page.range_up_to(20, 40);
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let listed = app
        .run(move |conn| conversations::list(conn, &urls, &username, &range))
        .await?;
    // Pages are keyed by each conversation's last message, as Mastodon's are.
    let keys: Vec<i64> = listed.items.iter().map(|c| c.last.id).collect();
    Ok(Paged::from_ids(&entities(&app.urls, &listed), &keys))
}

#[post("/api/v1/conversations/<id>/read")]
pub async fn read(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:conversations")?;
    let id = parse_id(id)?;
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let listed = app
        .run(move |conn| conversations::mark_read(conn, &urls, &username, id, Timestamp::now()))
        .await?;
    let one = entities(&app.urls, &listed)
        .pop()
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(json!(one)))
}

#[delete("/api/v1/conversations/<id>")]
pub async fn remove(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:conversations")?;
    let id = parse_id(id)?;
    let urls = app.urls.clone();
    app.run(move |conn| conversations::remove(conn, &urls, id, Timestamp::now()))
        .await?;
    Ok(Json(json!({})))
}
