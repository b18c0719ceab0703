//! The owner's browser session, which the API reads on `/oauth/authorize` only: there the owner
//! approves an app in the browser. Everywhere else the API knows bearer tokens alone.

use rocket::request::{FromRequest, Outcome, Request};

use crate::app::App;
use crate::domain::auth::{self, Session, SESSION_COOKIE};
use crate::model::Timestamp;

/// The logged-in owner's session, if the request carries a live one.
pub struct OwnerSession(pub Option<Session>);

impl OwnerSession {
    /// Whether a posted form carries this session's CSRF token.
    pub fn csrf_matches(&self, token: &str) -> bool {
        self.0
            .as_ref()
            .is_some_and(|s| auth::constant_time_eq(token.as_bytes(), s.csrf_token.as_bytes()))
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for OwnerSession {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let Some(cookie) = request.cookies().get(SESSION_COOKIE) else {
            return Outcome::Success(OwnerSession(None));
        };
        let cookie = cookie.value().to_string();
        let Some(app) = request.rocket().state::<App>() else {
            return Outcome::Success(OwnerSession(None));
        };
        let session = app
            .run(move |conn| auth::session(conn, &cookie, Timestamp::now()))
            .await
            .ok()
            .flatten();
        Outcome::Success(OwnerSession(session))
    }
}

/// Whether a POST came from a page of ours: its `Origin` (when sent) is this server.
pub fn same_origin(request: &Request<'_>) -> bool {
    let Some(origin) = request.headers().get_one("Origin") else {
        return !matches!(
            request.headers().get_one("Sec-Fetch-Site"),
            Some("cross-site" | "same-site")
        );
    };
    let ours = request
        .rocket()
        .state::<App>()
        .map(|app| app.config.origin())
        .unwrap_or_default();
    let by_host = request.headers().get_one("Host").map(|host| {
        let scheme = ours.split("://").next().unwrap_or("http");
        format!("{scheme}://{host}")
    });
    origin == ours || Some(origin.to_string()) == by_host
}

/// The request's `same_origin` answer as a guard value.
pub struct FromOurPage(pub bool);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for FromOurPage {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(FromOurPage(same_origin(request)))
    }
}
