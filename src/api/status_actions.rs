//! What the owner does to a status from an app: favourite, reblog, bookmark, pin, mute a
//! conversation (and their undoing), and who favourited or reblogged it.

use rocket::serde::json::Json;
use rocket::{get, post, State};

use crate::app::App;
use crate::domain::interactions::Kind;
use crate::domain::statuses::{self, Action};
use crate::model::Timestamp;

use super::auth::Token;
use super::entities::account;
use super::entities::status::Status;
use super::error::ApiResult;
use super::paging::{PageQuery, Paged};
use super::statuses::{parse_id, render, with_owner};

async fn act(
    app: &App,
    token: Token,
    scope: &str,
    id: &str,
    action: Action,
) -> ApiResult<Json<Status>> {
    token.owner(scope)?;
    let id = parse_id(id)?;
    let (owner, view) = with_owner(app, move |conn, urls| {
        statuses::act(conn, urls, id, action, Timestamp::now())
    })
    .await?;
    Ok(Json(render(&app.urls, &owner, &view)))
}

macro_rules! action {
    ($name:ident, $path:literal, $scope:literal, $action:expr) => {
        #[post($path)]
        pub async fn $name(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Status>> {
            act(app, token, $scope, id, $action).await
        }
    };
}

action!(
    favourite,
    "/api/v1/statuses/<id>/favourite",
    "write:favourites",
    Action::Favourite
);
action!(
    unfavourite,
    "/api/v1/statuses/<id>/unfavourite",
    "write:favourites",
    Action::Unfavourite
);
action!(
    reblog,
    "/api/v1/statuses/<id>/reblog",
    "write:statuses",
    Action::Reblog
);
action!(
    unreblog,
    "/api/v1/statuses/<id>/unreblog",
    "write:statuses",
    Action::Unreblog
);
action!(
    bookmark,
    "/api/v1/statuses/<id>/bookmark",
    "write:bookmarks",
    Action::Bookmark
);
action!(
    unbookmark,
    "/api/v1/statuses/<id>/unbookmark",
    "write:bookmarks",
    Action::Unbookmark
);
action!(
    pin,
    "/api/v1/statuses/<id>/pin",
    "write:accounts",
    Action::Pin
);
action!(
    unpin,
    "/api/v1/statuses/<id>/unpin",
    "write:accounts",
    Action::Unpin
);
action!(
    mute,
    "/api/v1/statuses/<id>/mute",
    "write:mutes",
    Action::Mute
);
action!(
    unmute,
    "/api/v1/statuses/<id>/unmute",
    "write:mutes",
    Action::Unmute
);

async fn interacted(
    app: &App,
    token: Token,
    id: &str,
    kind: Kind,
    page: PageQuery,
) -> ApiResult<Paged> {
    token.require("read:accounts")?;
    let id = parse_id(id)?;
    let range = page.range_up_to(40, 80);
    let urls = app.urls.clone();
    let found = app
        .run(move |conn| statuses::interacted(conn, &urls, id, kind, &range))
        .await?;
    let accounts: Vec<_> = found
        .iter()
        .map(|(_, actor)| account::remote(&app.urls, actor))
        .collect();
    let keys: Vec<i64> = found.iter().map(|(key, _)| *key).collect();
    Ok(Paged::from_ids(&accounts, &keys))
}

#[get("/api/v1/statuses/<id>/favourited_by?<page..>")]
pub async fn favourited_by(
    app: &State<App>,
    token: Token,
    id: &str,
    page: PageQuery,
) -> ApiResult<Paged> {
    interacted(app, token, id, Kind::Like, page).await
}

#[get("/api/v1/statuses/<id>/reblogged_by?<page..>")]
pub async fn reblogged_by(
    app: &State<App>,
    token: Token,
    id: &str,
    page: PageQuery,
) -> ApiResult<Paged> {
    interacted(app, token, id, Kind::Announce, page).await
}
