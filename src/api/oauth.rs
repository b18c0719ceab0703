//! `POST /oauth/token` (the grants that hand out bearer tokens), `POST /oauth/revoke`, and the
//! server's OAuth metadata (RFC 8414). Errors here are OAuth's: `{"error": "invalid_grant",
//! "error_description": …}`, with Doorkeeper's wording, as Mastodon answers.

use std::net::IpAddr;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::response::{self, Responder, Response};
use rocket::serde::json::Json;
use rocket::{get, post, Request, State};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::oauth::{self, Issued, Revoked, Scopes};
use crate::error::Error;
use crate::model::Timestamp;

use super::body::Body;

#[derive(Deserialize)]
pub struct TokenRequest {
    grant_type: String,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
    /// The password grant's.
    password: Option<String>,
    /// The authorization_code grant's.
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    /// The refresh_token grant's.
    refresh_token: Option<String>,
}

/// An OAuth error response.
#[derive(Debug)]
pub struct OAuthError(pub Error);

impl From<Error> for OAuthError {
    fn from(error: Error) -> OAuthError {
        OAuthError(error)
    }
}

/// Doorkeeper's descriptions, which Mastodon sends.
fn described(error: &Error) -> (&str, &'static str) {
    match (error.status, error.message.as_str()) {
        (401, _) | (_, "invalid_client") => ("invalid_client", "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."),
        (_, "invalid_grant") => ("invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."),
        (_, "invalid_scope") => ("invalid_scope", "The requested scope is invalid, unknown, or malformed."),
        (_, "unsupported_grant_type") => ("unsupported_grant_type", "The authorization grant type is not supported by the authorization server."),
        (_, "unauthorized_client") => ("unauthorized_client", "You are not authorized to revoke this token"),
        _ => ("invalid_request", "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed."),
    }
}

impl<'r> Responder<'r, 'static> for OAuthError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let error = self.0;
        if error.status >= 500 || error.status == 429 {
            // Ours, or the rate limit: the API's error shape (and its X-RateLimit-* headers).
            let mut response = super::error::ApiError(error).respond_to(request)?;
            if response.status() == Status::TooManyRequests {
                let reset = Timestamp(Timestamp::now().0 + 15 * 60 * 1000);
                response.set_header(Header::new("X-RateLimit-Reset", reset.rfc3339()));
                response.set_header(Header::new("Retry-After", "900"));
            }
            return Ok(response);
        }
        let (code, description) = described(&error);
        let body = json!({ "error": code, "error_description": description }).to_string();
        Response::build()
            .status(Status::from_code(error.status).unwrap_or(Status::BadRequest))
            .header(ContentType::JSON)
            .header(Header::new("Cache-Control", "no-store"))
            .sized_body(body.len(), std::io::Cursor::new(body))
            .ok()
    }
}

/// Client credentials sent as HTTP Basic (`client_secret_basic`), when they are.
pub struct BasicClient(Option<(String, String)>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for BasicClient {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let decoded = request
            .headers()
            .get_one("Authorization")
            .and_then(|h| h.strip_prefix("Basic "))
            .filter(|b| b.len() <= 1_000)
            .and_then(|b| B64.decode(b.trim()).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|pair| {
                let (id, secret) = pair.split_once(':')?;
                // RFC 6749 §2.3.1: both are form-encoded before joining.
                let decode = |s: &str| {
                    url::form_urlencoded::parse(format!("x={s}").as_bytes())
                        .next()
                        .map(|(_, v)| v.into_owned())
                };
                Some((decode(id)?, decode(secret)?))
            });
        Outcome::Success(BasicClient(decoded))
    }
}

/// The client's id and secret from the body, else from HTTP Basic.
fn credentials(id: Option<String>, secret: Option<String>, basic: BasicClient) -> (String, String) {
    match (id, secret, basic.0) {
        (Some(id), Some(secret), _) => (id, secret),
        (_, _, Some(pair)) => pair,
        (id, secret, None) => (id.unwrap_or_default(), secret.unwrap_or_default()),
    }
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
    basic: BasicClient,
    address: Option<IpAddr>,
) -> Result<Json<Value>, OAuthError> {
    let request = body.0;
    let address = address.map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
    let (client_id, client_secret) = credentials(
        request.client_id.clone(),
        request.client_secret.clone(),
        basic,
    );
    let issued = app
        .run(move |conn| {
            let now = Timestamp::now();
            let client = oauth::client(conn, &client_id, &client_secret)?;
            match request.grant_type.as_str() {
                "authorization_code" => oauth::exchange(
                    conn,
                    &client,
                    request.code.as_deref().unwrap_or(""),
                    request.redirect_uri.as_deref(),
                    request.code_verifier.as_deref(),
                    now,
                ),
                "refresh_token" => oauth::refresh(
                    conn,
                    &client,
                    request.refresh_token.as_deref().unwrap_or(""),
                    request.scope.as_deref(),
                    now,
                ),
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
        .await?;
    Ok(Json(token_json(&issued)))
}

#[derive(Deserialize)]
pub struct RevokeRequest {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// RFC 7009: 200 `{}` whether the token was live or unknown; another app's token is refused.
#[post("/oauth/revoke", data = "<body>")]
pub async fn revoke(
    app: &State<App>,
    body: Body<RevokeRequest>,
    basic: BasicClient,
) -> Result<Json<Value>, OAuthError> {
    let request = body.0;
    let (client_id, client_secret) = credentials(request.client_id, request.client_secret, basic);
    let token = request.token.unwrap_or_default();
    let outcome = app
        .run(move |conn| {
            let client = oauth::client(conn, &client_id, &client_secret)?;
            oauth::revoke(conn, &client, &token, Timestamp::now())
        })
        .await?;
    match outcome {
        Revoked::Done => Ok(Json(json!({}))),
        Revoked::NotYours => Err(OAuthError(Error::new(403, "unauthorized_client"))),
    }
}

/// RFC 8414 metadata, with the fields Mastodon 4.3 publishes.
#[get("/.well-known/oauth-authorization-server")]
pub fn metadata(app: &State<App>) -> Json<Value> {
    let origin = app.config.origin();
    Json(json!({
        "issuer": format!("{origin}/"),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": format!("{origin}/oauth/authorize"),
        "token_endpoint": format!("{origin}/oauth/token"),
        "revocation_endpoint": format!("{origin}/oauth/revoke"),
        "scopes_supported": Scopes::supported().collect::<Vec<_>>(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "app_registration_endpoint": format!("{origin}/api/v1/apps"),
    }))
}
