//! The bearer token guard: who an API request speaks for and what it may do.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use crate::app::App;
use crate::domain::oauth::Grant;

use super::error::ApiError;

/// A live token from `Authorization: Bearer …` (or `access_token` in the query, as Mastodon's
/// streaming API allows for browsers). Missing or invalid: 401.
pub struct Token(pub Grant);

impl Token {
    /// 403 unless the token's scopes grant `scope` (Mastodon's answer to a missing scope).
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if self.0.scopes.allows(scope) {
            Ok(())
        } else {
            Err(ApiError::forbidden_scope())
        }
    }

    /// Like `require`, and the token must act for the owner (not an app-only token).
    pub fn owner(&self, scope: &str) -> Result<(), ApiError> {
        if !self.0.for_owner {
            return Err(ApiError::new(
                422,
                "This method requires an authenticated user",
            ));
        }
        self.require(scope)
    }
}

pub fn bearer(request: &Request<'_>) -> Option<String> {
    if let Some(header) = request.headers().get_one("Authorization") {
        let (kind, token) = header.trim().split_once(' ')?;
        return kind
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_string());
    }
    request
        .query_value::<String>("access_token")
        .and_then(Result::ok)
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Token {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        let unauthorized = || Outcome::Error((Status::Unauthorized, ApiError::unauthorized()));
        let Some(bearer) = bearer(request).filter(|b| !b.is_empty() && b.len() <= 200) else {
            return unauthorized();
        };
        let Some(app) = request.rocket().state::<App>() else {
            return unauthorized();
        };
        match app.authenticate(bearer).await {
            Ok(Some(grant)) => Outcome::Success(Token(grant)),
            Ok(None) => unauthorized(),
            Err(error) => Outcome::Error((Status::InternalServerError, error.into())),
        }
    }
}

/// The raw bearer as sent (next to a `Token` guard, which checked it): Web Push hands it back
/// to the app in each payload.
pub struct Bearer(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Bearer {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        match bearer(request).filter(|b| !b.is_empty() && b.len() <= 200) {
            Some(bearer) => Outcome::Success(Bearer(bearer)),
            None => Outcome::Error((Status::Unauthorized, ApiError::unauthorized())),
        }
    }
}

/// A token when one is sent (public endpoints answer more to a logged-in app).
pub struct MaybeToken(pub Option<Token>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MaybeToken {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        if bearer(request).is_none() {
            return Outcome::Success(MaybeToken(None));
        }
        match Token::from_request(request).await {
            Outcome::Success(token) => Outcome::Success(MaybeToken(Some(token))),
            Outcome::Error(e) => Outcome::Error(e),
            Outcome::Forward(f) => Outcome::Forward(f),
        }
    }
}
