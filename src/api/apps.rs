//! `POST /api/v1/apps` and `GET /api/v1/apps/verify_credentials`.

use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::oauth::{self, Registration};
use crate::model::Timestamp;

use super::auth::Token;
use super::body::{flex, Body};
use super::error::ApiResult;

#[derive(Deserialize)]
pub struct NewApp {
    client_name: String,
    /// A string (space-separated) or, since Mastodon 4.3, an array.
    #[serde(deserialize_with = "flex::vec_string")]
    redirect_uris: Vec<String>,
    scopes: Option<String>,
    website: Option<String>,
}

#[post("/api/v1/apps", data = "<body>")]
pub async fn create(app: &State<App>, body: Body<NewApp>) -> ApiResult<Json<Value>> {
    let form = body.0;
    let registered = app
        .run(move |conn| {
            oauth::register_app(
                conn,
                &Registration {
                    name: &form.client_name,
                    website: form.website.as_deref(),
                    redirect_uris: &form.redirect_uris.join(" "),
                    scopes: form.scopes.as_deref(),
                },
                Timestamp::now(),
            )
        })
        .await?;
    Ok(Json(json!({
        "id": registered.id.to_string(),
        "name": registered.name,
        "website": registered.website,
        "scopes": registered.scopes.iter().collect::<Vec<_>>(),
        "redirect_uri": registered.redirect_uris.join("\n"),
        "redirect_uris": registered.redirect_uris,
        "client_id": registered.client_id,
        "client_secret": registered.client_secret,
        "client_secret_expires_at": 0,
        "vapid_key": Value::Null,
    })))
}

#[get("/api/v1/apps/verify_credentials")]
pub fn verify_credentials(token: Token) -> Json<Value> {
    let grant = token.0;
    Json(json!({
        "id": grant.app_id.to_string(),
        "name": grant.app_name,
        "website": grant.app_website,
        "scopes": grant.scopes.iter().collect::<Vec<_>>(),
        "vapid_key": Value::Null,
    }))
}
