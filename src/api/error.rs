//! The API's errors: `{"error": "…"}` with Mastodon's status codes, always JSON.

use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder, Response};
use rocket::Request;

use crate::error::Error;

#[derive(Debug)]
pub struct ApiError(pub Error);

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError(Error::new(status, message))
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(401, "The access token is invalid")
    }

    pub fn forbidden_scope() -> ApiError {
        ApiError::new(403, "This action is outside the authorized scopes")
    }

    pub fn not_found() -> ApiError {
        ApiError::new(404, "Record not found")
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        ApiError(error)
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> ApiError {
        ApiError(error.into())
    }
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let error = self.0;
        if error.status >= 500 {
            crate::log::warn(
                "api",
                "server error",
                &[
                    ("method", &request.method()),
                    ("path", &request.uri().path()),
                    ("error", &error),
                ],
            );
        }
        let status = Status::from_code(error.status).unwrap_or(Status::InternalServerError);
        json_error(status, &error.message)
    }
}

pub fn json_error(status: Status, message: &str) -> response::Result<'static> {
    let body = serde_json::json!({ "error": message }).to_string();
    let mut response = Response::build();
    response
        .status(status)
        .header(ContentType::JSON)
        .sized_body(body.len(), std::io::Cursor::new(body));
    if status == Status::TooManyRequests {
        // Mastodon's rate-limit headers, so apps back off rather than retry at once.
        response.header(Header::new("X-RateLimit-Limit", "300"));
        response.header(Header::new("X-RateLimit-Remaining", "0"));
    }
    response.ok()
}
