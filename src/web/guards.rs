//! Request guards: who is asking (the owner or not), what they accept, and where a form came from.

use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};

use crate::domain::auth::{self, Session};
use crate::domain::notifications;
use crate::error::Error;
use crate::model::Timestamp;
use crate::render::Viewer;

use super::App;

pub const SESSION_COOKIE: &str = "perch_session";

/// Whether the request asks for an ActivityPub document rather than a page. Rocket's own `format`
/// routing sends `application/ld+json; profile=…` to HTML, so the whole header is read here.
pub fn wants_activity(request: &Request<'_>) -> bool {
    let accept = request
        .headers()
        .get("Accept")
        .collect::<Vec<_>>()
        .join(",");
    accept.split(',').any(|item| {
        let media_type = item
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        matches!(
            media_type.as_str(),
            "application/activity+json" | "application/ld+json" | "application/json"
        )
    })
}

/// Browsers (and anyone asking for text/html) get pages.
pub fn wants_html(request: &Request<'_>) -> bool {
    let accept = request
        .headers()
        .get("Accept")
        .collect::<Vec<_>>()
        .join(",");
    accept.to_ascii_lowercase().contains("text/html") && !wants_activity(request)
}

/// The `Accept` decision as a guard.
pub enum Wants {
    Activity,
    Page,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Wants {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(if wants_activity(request) {
            Wants::Activity
        } else {
            Wants::Page
        })
    }
}

/// The session behind the cookie, with the unread notification count the navigation shows.
async fn find_session(request: &Request<'_>) -> Option<(Session, u64)> {
    let cookie = request.cookies().get(SESSION_COOKIE)?.value().to_string();
    let app = request.rocket().state::<App>()?;
    app.run(move |conn| {
        let Some(session) = auth::session(conn, &cookie, Timestamp::now())? else {
            return Ok(None);
        };
        Ok(Some((session, notifications::unread(conn)?)))
    })
    .await
    .ok()
    .flatten()
}

/// The logged-in owner; anyone else is answered 401 (a browser is sent to the login form).
pub struct Owner {
    pub session: Session,
    /// Unread notifications, for the navigation.
    pub unread: u64,
}

impl Owner {
    pub fn viewer(&self) -> Viewer {
        Viewer {
            csrf: Some(self.session.csrf_token.clone()),
            unread: self.unread,
        }
    }

    /// A state-changing form must carry the session's CSRF token.
    pub fn check_csrf(&self, token: &str) -> Result<(), Error> {
        if auth::constant_time_eq(token.as_bytes(), self.session.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(Error::new(
                403,
                "the form has expired; reload the page and try again",
            ))
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Owner {
    type Error = Error;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Error> {
        if let Err(error) = same_origin(request) {
            return Outcome::Error((Status::Forbidden, error));
        }
        match find_session(request).await {
            Some((session, unread)) => Outcome::Success(Owner { session, unread }),
            None => Outcome::Error((Status::Unauthorized, Error::new(401, "log in first"))),
        }
    }
}

/// The owner if logged in, for public pages that show more to the owner.
pub struct MaybeOwner(pub Option<(Session, u64)>);

impl MaybeOwner {
    pub fn viewer(&self) -> Viewer {
        Viewer {
            csrf: self.0.as_ref().map(|(s, _)| s.csrf_token.clone()),
            unread: self.0.as_ref().map_or(0, |(_, unread)| *unread),
        }
    }

    pub fn is_owner(&self) -> bool {
        self.0.is_some()
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MaybeOwner {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(MaybeOwner(find_session(request).await))
    }
}

/// Refuses a state-changing request sent from another site's page: its `Origin` (or, failing
/// that, `Sec-Fetch-Site`) must be ours.
pub fn same_origin(request: &Request<'_>) -> Result<(), Error> {
    if request.method() == rocket::http::Method::Get
        || request.method() == rocket::http::Method::Head
    {
        return Ok(());
    }
    let refused = || {
        Err(Error::new(
            403,
            "refused: the form was sent from another site",
        ))
    };
    if let Some(origin) = request.headers().get_one("Origin") {
        let ours = request
            .rocket()
            .state::<App>()
            .map(|app| app.config.origin())
            .unwrap_or_default();
        let by_host = request.headers().get_one("Host").map(|host| {
            let scheme = ours.split("://").next().unwrap_or("http");
            format!("{scheme}://{host}")
        });
        if origin == ours || Some(origin.to_string()) == by_host {
            return Ok(());
        }
        return refused();
    }
    match request.headers().get_one("Sec-Fetch-Site") {
        Some("cross-site") | Some("same-site") => refused(),
        _ => Ok(()),
    }
}

/// A guard form of `same_origin` for forms posted before login (log in, set-up).
pub struct SameOrigin;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SameOrigin {
    type Error = Error;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Error> {
        match same_origin(request) {
            Ok(()) => Outcome::Success(SameOrigin),
            Err(error) => Outcome::Error((Status::Forbidden, error)),
        }
    }
}

/// The client's address, for the login rate limit.
pub struct ClientAddress(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddress {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let address = request
            .client_ip()
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| "unknown".into());
        Outcome::Success(ClientAddress(address))
    }
}

pub struct UserAgent(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for UserAgent {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(UserAgent(
            request
                .headers()
                .get_one("User-Agent")
                .unwrap_or("")
                .to_string(),
        ))
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure under https.
pub fn session_cookie(value: String, https: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https)
        .path("/")
        .max_age(rocket::time::Duration::days(30))
        .build()
}

pub fn clear_session_cookie(jar: &CookieJar<'_>) {
    jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
}

#[cfg(test)]
mod tests;
