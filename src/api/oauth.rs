//! `POST /oauth/token`: the grants that hand out bearer tokens.

use std::net::IpAddr;

use rocket::serde::json::Json;
use rocket::{post, State};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::oauth::{self, Issued};
use crate::error::Error;
use crate::model::Timestamp;

use super::body::Body;
use super::error::{ApiError, ApiResult};

#[derive(Deserialize)]
pub struct TokenRequest {
    grant_type: String,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
    /// The password grant's.
    password: Option<String>,
}

fn token_json(issued: &Issued) -> Value {
    let mut answer = json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "scope": issued.scopes.to_string(),
        "created_at": issued.created_at.0 / 1000,
    });
    if let Some(refresh) = &issued.refresh_token {
        answer["refresh_token"] = Value::String(refresh.clone());
    }
    answer
}

#[post("/oauth/token", data = "<body>")]
pub async fn token(
    app: &State<App>,
    body: Body<TokenRequest>,
    address: Option<IpAddr>,
) -> ApiResult<Json<Value>> {
    let request = body.0;
    let address = address.map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
    let issued = app
        .run(move |conn| {
            let now = Timestamp::now();
            let client = oauth::client(
                conn,
                request.client_id.as_deref().unwrap_or(""),
                request.client_secret.as_deref().unwrap_or(""),
            )?;
            match request.grant_type.as_str() {
                "password" => oauth::password_grant(
                    conn,
                    &client,
                    request.password.as_deref().unwrap_or(""),
                    request.scope.as_deref(),
                    &address,
                    now,
                ),
                "client_credentials" => {
                    let scopes = oauth::granted(&client, request.scope.as_deref())?;
                    oauth::issue(conn, client.id, &scopes, false, now)
                }
                _ => Err(Error::new(400, "unsupported_grant_type")),
            }
        })
        .await
        .map_err(ApiError::from)?;
    Ok(Json(token_json(&issued)))
}
