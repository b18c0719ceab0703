//! What handlers answer with, the error responder, the security headers, and the catchers.

use std::sync::Arc;

use maud::Markup;
use rocket::http::{ContentType, Header, Status};
use rocket::response::content::RawHtml;
use rocket::response::{self, Redirect, Responder, Response};
use rocket::{catch, Request};
use serde_json::Value;

use crate::error::Error;
use crate::render::{self, Viewer};

use super::guards::wants_html;

/// A handler's answer.
pub enum Reply {
    Html(Markup),
    /// An ActivityPub document.
    Activity(Value),
    /// Other JSON with its content type (JRD, NodeInfo).
    Json(Value, ContentType),
    Xml(String, ContentType),
    Redirect(Redirect),
    /// Bytes with a content type and cache lifetime in seconds.
    Bytes(Vec<u8>, ContentType, u32),
    /// An HTML page with a status other than 200 (a form shown again with its error).
    HtmlStatus(Status, Markup),
    /// A body kept in memory (`web::cache`), with its content type.
    Kept(Arc<str>, ContentType),
}

/// The content type of ActivityPub documents.
pub fn activity_json() -> ContentType {
    ContentType::new("application", "activity+json").with_params(("charset", "utf-8"))
}

/// Back to where a form came from, our own paths only: a form cannot send the owner elsewhere.
pub fn back_to(back: Option<&str>) -> Reply {
    let path = match back {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => "/".to_string(),
    };
    Reply::Redirect(Redirect::to(path))
}

/// A shared body as rocket reads one (it copies out of it chunk by chunk).
struct SharedBody(Arc<str>);

impl AsRef<[u8]> for SharedBody {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl<'r> Responder<'r, 'static> for Reply {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        match self {
            Reply::Html(markup) => RawHtml(markup.into_string()).respond_to(request),
            Reply::HtmlStatus(status, markup) => {
                Response::build_from(RawHtml(markup.into_string()).respond_to(request)?)
                    .status(status)
                    .ok()
            }
            Reply::Activity(value) => Response::build()
                .header(activity_json())
                .sized_body(None, std::io::Cursor::new(value.to_string()))
                .ok(),
            Reply::Json(value, content_type) => Response::build()
                .header(content_type)
                .sized_body(None, std::io::Cursor::new(value.to_string()))
                .ok(),
            Reply::Xml(text, content_type) => Response::build()
                .header(content_type)
                .sized_body(None, std::io::Cursor::new(text))
                .ok(),
            Reply::Redirect(redirect) => redirect.respond_to(request),
            Reply::Kept(body, content_type) => {
                let length = body.len();
                Response::build()
                    .header(content_type)
                    .sized_body(length, std::io::Cursor::new(SharedBody(body)))
                    // One chunk: a page is not cut into 4 KiB pieces, each a channel send.
                    .max_chunk_size(length.max(4096))
                    .ok()
            }
            Reply::Bytes(bytes, content_type, max_age) => Response::build()
                .header(content_type)
                .header(Header::new(
                    "Cache-Control",
                    format!("public, max-age={max_age}, immutable"),
                ))
                .sized_body(bytes.len(), std::io::Cursor::new(bytes))
                .ok(),
        }
    }
}

impl<'r> Responder<'r, 'static> for Error {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        if self.status >= 500 {
            crate::log::warn(
                "web",
                "server error",
                &[
                    ("method", &request.method()),
                    ("path", &request.uri().path()),
                    ("error", &self),
                ],
            );
        }
        let status = Status::from_code(self.status).unwrap_or(Status::InternalServerError);
        error_response(request, status, &self.message)
    }
}

/// An error as an HTML page for browsers, as `{"error": …}` for everyone else.
fn error_response(
    request: &Request<'_>,
    status: Status,
    message: &str,
) -> response::Result<'static> {
    let body = if wants_html(request) {
        let site = request
            .rocket()
            .state::<super::App>()
            .map(|app| app.config.display_name.clone())
            .unwrap_or_else(|| "Perch".into());
        let viewer = Viewer::default();
        Response::build_from(
            RawHtml(render::error_page(status.code, message, &viewer, &site).into_string())
                .respond_to(request)?,
        )
        .finalize()
    } else {
        let json = serde_json::json!({ "error": message }).to_string();
        Response::build()
            .header(ContentType::JSON)
            .sized_body(json.len(), std::io::Cursor::new(json))
            .finalize()
    };
    Response::build_from(body).status(status).ok()
}

#[catch(401)]
pub fn unauthorized(request: &Request<'_>) -> Result<Redirect, Error> {
    // Pages that need the owner send a browser to the login form and back.
    if wants_html(request) && request.method() == rocket::http::Method::Get {
        let next = request.uri().to_string();
        let next = crate::urls::percent_encode_path(&next);
        return Ok(Redirect::to(format!("/login?next={next}")));
    }
    Err(Error::new(401, "log in first"))
}

#[catch(404)]
pub fn not_found() -> Error {
    Error::not_found()
}

#[catch(413)]
pub fn payload_too_large() -> Error {
    Error::new(413, "the request is too large")
}

#[catch(422)]
pub fn unprocessable(request: &Request<'_>) -> Error {
    // On a GET, a path segment that does not parse (an id that is not a number) names nothing.
    if request.method() == rocket::http::Method::Get {
        return Error::not_found();
    }
    Error::new(422, "the form is incomplete or malformed")
}

#[catch(400)]
pub fn bad_request() -> Error {
    Error::bad_request("bad request")
}

#[catch(default)]
pub fn default_catcher(status: Status, _request: &Request<'_>) -> Error {
    Error::new(status.code, status.reason().unwrap_or("error"))
}

/// Headers on every answer: no sniffing, no framing, a strict CSP on pages, `Vary: Accept` because
/// the same URL answers HTML or ActivityPub JSON.
pub struct SecurityHeaders;

#[rocket::async_trait]
impl rocket::fairing::Fairing for SecurityHeaders {
    fn info(&self) -> rocket::fairing::Info {
        rocket::fairing::Info {
            name: "security headers",
            kind: rocket::fairing::Kind::Response,
        }
    }

    async fn on_response<'r>(&self, _request: &'r Request<'_>, response: &mut Response<'r>) {
        response.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        response.set_header(Header::new("Referrer-Policy", "same-origin"));
        response.set_header(Header::new("X-Frame-Options", "DENY"));
        response.set_header(Header::new("Vary", "Accept"));
        response.set_header(Header::new(
            "Content-Security-Policy",
            "default-src 'none'; img-src 'self' https: http: data:; style-src 'self'; script-src 'self'; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ));
        if response.headers().get_one("Cache-Control").is_none() {
            response.set_header(Header::new("Cache-Control", "no-cache"));
        }
    }
}
