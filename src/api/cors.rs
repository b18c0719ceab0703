//! CORS for browser apps (Elk, Phanpy): the API and the OAuth token endpoints answer any origin,
//! as Mastodon does. Tokens travel in headers, never cookies, so this opens nothing of the web
//! page's session: its routes get no such headers.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Header, Status};
use rocket::{options, Request, Response};

/// Paths whose answers any origin may read: Mastodon's list (the API, the token and revoke
/// endpoints, the discovery documents). `/oauth/authorize` is a cookie page and stays closed.
pub fn is_open(path: &str) -> bool {
    path.starts_with("/api/")
        || path.starts_with("/.well-known/")
        || path.starts_with("/nodeinfo/")
        || matches!(path, "/oauth/token" | "/oauth/revoke")
}

/// The headers a preflight may allow: the ones apps send, and any others it asks for
/// (rack-cors' `headers: :any`, as Mastodon), when they are plain header names.
fn allowed_headers(request: &Request<'_>) -> String {
    let mut allowed = vec!["Authorization", "Content-Type", "Idempotency-Key", "Accept"];
    let asked = request
        .headers()
        .get_one("Access-Control-Request-Headers")
        .filter(|h| h.len() <= 1_000)
        .unwrap_or("");
    for name in asked.split(',').map(str::trim) {
        let plain =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if plain && !allowed.iter().any(|a| a.eq_ignore_ascii_case(name)) {
            allowed.push(name);
        }
    }
    allowed.join(", ")
}

pub struct Cors;

#[rocket::async_trait]
impl Fairing for Cors {
    fn info(&self) -> Info {
        Info {
            name: "CORS for the client API",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        if !is_open(request.uri().path().as_str()) {
            return;
        }
        response.set_header(Header::new("Access-Control-Allow-Origin", "*"));
        response.set_header(Header::new(
            "Access-Control-Expose-Headers",
            "Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, X-Request-Id, Idempotency-Key",
        ));
        if request.method() == rocket::http::Method::Options {
            response.set_header(Header::new(
                "Access-Control-Allow-Methods",
                "POST, PUT, DELETE, GET, PATCH, OPTIONS",
            ));
            response.set_header(Header::new(
                "Access-Control-Allow-Headers",
                allowed_headers(request),
            ));
            response.set_header(Header::new("Access-Control-Max-Age", "1728000"));
        }
    }
}

/// Preflights: answered empty (the fairing adds the headers).
#[options("/api/<_path..>")]
pub fn preflight_api(_path: std::path::PathBuf) -> Status {
    Status::NoContent
}

#[options("/oauth/<_path..>")]
pub fn preflight_oauth(_path: std::path::PathBuf) -> Status {
    Status::NoContent
}
