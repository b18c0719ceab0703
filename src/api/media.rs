//! `/api/v1/media` and `/api/v2/media` (multipart `file`, `description`, `focus`), and `GET`/`PUT`
//! of one upload, over `domain::media` (the web page's image pipeline and limits).

use rocket::form::{Form, FromForm};
use rocket::serde::json::Json;
use rocket::{get, post, put, State};
use serde::Deserialize;

use crate::app::App;
use crate::domain::media;
use crate::model::Timestamp;

use super::auth::Token;
use super::body::Body;
use super::entities::media::{self as entity, MediaAttachment};
use super::error::ApiResult;
use super::statuses::{focus_of, parse_id};

#[derive(FromForm)]
pub struct Upload<'r> {
    /// Capped by rocket's `bytes` limit (`media::MAX_UPLOAD_BYTES`): beyond it, 413.
    file: &'r [u8],
    description: Option<String>,
    focus: Option<String>,
}

async fn upload(
    app: &App,
    token: Token,
    form: Form<Upload<'_>>,
) -> ApiResult<Json<MediaAttachment>> {
    token.owner("write:media")?;
    let focus = focus_of(form.focus.as_deref())?;
    let (data, description) = (
        form.file.to_vec(),
        form.description.clone().unwrap_or_default(),
    );
    let stored = app
        .run(move |conn| media::upload(conn, data, &description, focus, Timestamp::now()))
        .await?;
    Ok(Json(entity::own(&app.urls, &stored)))
}

#[post("/api/v1/media", data = "<form>")]
pub async fn create_v1(
    app: &State<App>,
    token: Token,
    form: Form<Upload<'_>>,
) -> ApiResult<Json<MediaAttachment>> {
    upload(app, token, form).await
}

/// Images are processed before the answer, so v2 answers 200 with the URL set, as Mastodon
/// does for images.
#[post("/api/v2/media", data = "<form>")]
pub async fn create_v2(
    app: &State<App>,
    token: Token,
    form: Form<Upload<'_>>,
) -> ApiResult<Json<MediaAttachment>> {
    upload(app, token, form).await
}

#[get("/api/v1/media/<id>")]
pub async fn show(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<MediaAttachment>> {
    token.owner("write:media")?;
    let id = parse_id(id)?;
    let stored = app.run(move |conn| media::get(conn, id)).await?;
    Ok(Json(entity::own(&app.urls, &stored)))
}

#[derive(Deserialize)]
pub struct Change {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    focus: Option<String>,
}

#[put("/api/v1/media/<id>", data = "<body>")]
pub async fn update(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<Change>,
) -> ApiResult<Json<MediaAttachment>> {
    token.owner("write:media")?;
    let id = parse_id(id)?;
    let change = body.0;
    let focus = focus_of(change.focus.as_deref())?;
    let stored = app
        .run(move |conn| media::describe(conn, id, change.description.as_deref(), focus))
        .await?;
    Ok(Json(entity::own(&app.urls, &stored)))
}
