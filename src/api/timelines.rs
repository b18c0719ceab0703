//! `/api/v1/timelines/{home,public,tag/:hashtag,list/:id}`, `/api/v1/bookmarks`,
//! `/api/v1/favourites` and the empty trends, over `domain::timeline::feeds`.

use rocket::serde::json::Json;
use rocket::{get, State};
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::bookmarks::{self as saved_posts, Saved};
use crate::domain::timeline::{self, Feed, Statuses};
use crate::model::{Entry, Range};
use crate::urls::Urls;

use super::auth::{MaybeToken, Token};
use super::entities::account::Account;
use super::entities::status::{self, Extras, Status};
use super::error::ApiResult;
use super::paging::{PageQuery, Paged};

pub use super::statuses::owner_account;

/// Entries as statuses, newest first, each with its extras.
pub fn statuses(
    urls: &Urls,
    owner: &Account,
    entries: &[&Entry],
    extras: &[Extras],
) -> Vec<Status> {
    entries
        .iter()
        .zip(extras)
        .map(|(entry, extras)| status::entry(urls, owner, entry, extras))
        .collect()
}

fn paged(urls: &Urls, page: Statuses) -> Paged {
    let owner = owner_account(urls, &page.owner);
    let entries: Vec<&Entry> = page.entries.iter().collect();
    Paged::new(
        &statuses(urls, &owner, &entries, &page.extras),
        page.entries.last().map(|e| e.id).or(page.older),
        page.entries.first().map(|e| e.id),
    )
}

async fn feed(app: &App, feed: Feed<'static>, range: Range) -> ApiResult<Paged> {
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let page = app
        .run(move |conn| timeline::feeds::statuses(conn, &urls, &username, feed, &range))
        .await?;
    Ok(paged(&app.urls, page))
}

#[get("/api/v1/timelines/home?<page..>")]
pub async fn home(app: &State<App>, token: Token, page: PageQuery) -> ApiResult<Paged> {
    token.owner("read:statuses")?;
    feed(app, Feed::Home, page.range()).await
}

fn flag(value: Option<String>) -> bool {
    matches!(value.as_deref(), Some("true" | "1" | "on"))
}

#[get("/api/v1/timelines/public?<local>&<remote>&<only_media>&<page..>")]
pub async fn public(
    app: &State<App>,
    token: MaybeToken,
    local: Option<String>,
    remote: Option<String>,
    only_media: Option<String>,
    page: PageQuery,
) -> ApiResult<Paged> {
    if let Some(token) = &token.0 {
        token.require("read:statuses")?;
    }
    let feed_of = Feed::Public {
        local: flag(local),
        remote: flag(remote),
        only_media: flag(only_media),
    };
    feed(app, feed_of, page.range()).await
}

#[get("/api/v1/timelines/tag/<hashtag>?<local>&<remote>&<only_media>&<page..>")]
pub async fn tag(
    app: &State<App>,
    token: MaybeToken,
    hashtag: &str,
    local: Option<String>,
    remote: Option<String>,
    only_media: Option<String>,
    page: PageQuery,
) -> ApiResult<Paged> {
    if let Some(token) = &token.0 {
        token.require("read:statuses")?;
    }
    let name = crate::domain::lists::tag_name(hashtag)?;
    let (urls, username, range) = (app.urls.clone(), app.config.username.clone(), page.range());
    let (local, remote, only_media) = (flag(local), flag(remote), flag(only_media));
    let page = app
        .run(move |conn| {
            let feed = Feed::Tag {
                name: &name,
                local,
                remote,
                only_media,
            };
            timeline::feeds::statuses(conn, &urls, &username, feed, &range)
        })
        .await?;
    Ok(paged(&app.urls, page))
}

#[get("/api/v1/timelines/list/<id>?<page..>")]
pub async fn list(app: &State<App>, token: Token, id: &str, page: PageQuery) -> ApiResult<Paged> {
    token.owner("read:lists")?;
    let id = super::lists::parse_id(id)?;
    app.run(move |conn| crate::domain::lists::get(conn, id).map(|_| ()))
        .await?;
    feed(app, Feed::List(id), page.range()).await
}

fn saved_page(urls: &Urls, saved: Saved) -> Paged {
    let owner = owner_account(urls, &saved.owner);
    let entries: Vec<&Entry> = saved.entries.iter().map(|(_, e)| e).collect();
    Paged::new(
        &statuses(urls, &owner, &entries, &saved.extras),
        saved.entries.last().map(|(key, _)| *key),
        saved.entries.first().map(|(key, _)| *key),
    )
}

#[get("/api/v1/bookmarks?<page..>")]
pub async fn bookmarks(app: &State<App>, token: Token, page: PageQuery) -> ApiResult<Paged> {
    token.owner("read:bookmarks")?;
    let (urls, username, range) = (app.urls.clone(), app.config.username.clone(), page.range());
    let saved = app
        .run(move |conn| saved_posts::bookmarked(conn, &urls, &username, &range))
        .await?;
    Ok(saved_page(&app.urls, saved))
}

#[get("/api/v1/favourites?<page..>")]
pub async fn favourites(app: &State<App>, token: Token, page: PageQuery) -> ApiResult<Paged> {
    token.owner("read:favourites")?;
    let (urls, username, range) = (app.urls.clone(), app.config.username.clone(), page.range());
    let saved = app
        .run(move |conn| saved_posts::favourited(conn, &urls, &username, &range))
        .await?;
    Ok(saved_page(&app.urls, saved))
}

/// Perch has no trends: Mastodon answers an empty list when they are off.
#[get("/api/v1/trends/<_kind>")]
pub fn trends(_kind: &str) -> Json<Value> {
    Json(json!([]))
}

#[get("/api/v1/trends")]
pub fn trends_tags() -> Json<Value> {
    Json(json!([]))
}
