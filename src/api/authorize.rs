//! `/oauth/authorize`: where a Mastodon app sends the owner's browser. Without a session the
//! owner logs in on Perch's own login page first; then an approve page names the app, its
//! website and the scopes. Approving redirects back to the app with a code (or shows the code to
//! copy, out of band); a request that cannot be answered safely gets a page, never a redirect.

use maud::Markup;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::form::{Form, FromForm};
use rocket::http::uri::Origin;
use rocket::http::{Header, Status};
use rocket::response::content::RawHtml;
use rocket::response::{self, Responder, Response};
use rocket::{get, post, Request, State};

use crate::app::App;
use crate::domain::oauth::{self, Answer, AuthorizeRequest};
use crate::error::Error;
use crate::model::Timestamp;
use crate::render;

use super::session::{FromOurPage, OwnerSession};

/// The parameters Mastodon's authorize endpoint takes (`lang` is read and ignored).
#[derive(FromForm, Default)]
pub struct Params {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    force_login: Option<String>,
    csrf: Option<String>,
    decision: Option<String>,
}

impl Params {
    fn request(&self) -> AuthorizeRequest {
        AuthorizeRequest {
            response_type: self.response_type.clone(),
            client_id: self.client_id.clone(),
            redirect_uri: self.redirect_uri.clone(),
            scope: self.scope.clone(),
            state: self.state.clone(),
            code_challenge: self.code_challenge.clone(),
            code_challenge_method: self.code_challenge_method.clone(),
        }
    }
}

/// An HTML page (with its status) or a redirect to any URI (an app's own scheme included).
pub enum Page {
    Html(Status, Markup),
    Redirect(Status, String),
}

impl<'r> Responder<'r, 'static> for Page {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        match self {
            Page::Html(status, markup) => {
                Response::build_from(RawHtml(markup.into_string()).respond_to(request)?)
                    .status(status)
                    .ok()
            }
            Page::Redirect(status, location) => Response::build()
                .status(status)
                .header(Header::new("Location", location))
                .ok(),
        }
    }
}

fn refused(app: &App, error: &Error) -> Page {
    let status = Status::from_code(error.status).unwrap_or(Status::BadRequest);
    Page::Html(
        status,
        render::oauth::refused(&app.config.display_name, &error.message),
    )
}

/// The login page, coming back here afterwards (without `force_login`, which is then honoured).
fn to_login(uri: &Origin<'_>) -> Page {
    let query: Vec<&str> = uri
        .query()
        .map(|q| q.as_str())
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("force_login="))
        .collect();
    let back = format!("/oauth/authorize?{}", query.join("&"));
    let next: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
    Page::Redirect(Status::SeeOther, format!("/login?next={next}"))
}

#[get("/oauth/authorize?<params..>")]
pub async fn form(
    app: &State<App>,
    session: OwnerSession,
    uri: &Origin<'_>,
    params: Params,
) -> Page {
    let request = params.request();
    let consent = match app.run(move |conn| oauth::check(conn, &request)).await {
        Ok(consent) => consent,
        Err(error) => return refused(app, &error),
    };
    let forced = matches!(params.force_login.as_deref(), Some("true" | "1"));
    match &session.0 {
        Some(session) if !forced => Page::Html(
            Status::Ok,
            render::oauth::approve(&app.config.display_name, &consent, &session.csrf_token),
        ),
        _ => to_login(uri),
    }
}

#[post("/oauth/authorize", data = "<params>")]
pub async fn decide(
    app: &State<App>,
    session: OwnerSession,
    ours: FromOurPage,
    params: Form<Params>,
) -> Page {
    let site = &app.config.display_name;
    if session.0.is_none() {
        return refused(
            app,
            &Error::new(401, "Log in first, then try again from the app."),
        );
    }
    if !ours.0 || !session.csrf_matches(params.csrf.as_deref().unwrap_or("")) {
        return refused(
            app,
            &Error::new(403, "The form has expired; start again from the app."),
        );
    }
    let request = params.request();
    let approved = params.decision.as_deref() == Some("approve");
    let outcome = app
        .run(move |conn| {
            if approved {
                oauth::approve(conn, &request, Timestamp::now()).map(Some)
            } else {
                oauth::deny(conn, &request).map(|to| to.map(Answer::Redirect))
            }
        })
        .await;
    match outcome {
        Ok(Some(Answer::Redirect(location))) => Page::Redirect(Status::Found, location),
        Ok(Some(Answer::ShowCode(code))) => {
            Page::Html(Status::Ok, render::oauth::show_code(site, &code))
        }
        Ok(None) => Page::Html(Status::Ok, render::oauth::denied(site)),
        Err(error) => refused(app, &error),
    }
}

/// The approve form redirects to the app's own URI, which a page's `form-action 'self'` would
/// block in browsers: on the authorize page (only) that directive is left out, as Mastodon does.
pub struct AuthorizeCsp;

#[rocket::async_trait]
impl Fairing for AuthorizeCsp {
    fn info(&self) -> Info {
        Info {
            name: "the authorize page's CSP",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        if request.uri().path() != "/oauth/authorize" {
            return;
        }
        if let Some(policy) = response.headers().get_one("Content-Security-Policy") {
            let without: Vec<&str> = policy
                .split(';')
                .map(str::trim)
                .filter(|d| !d.starts_with("form-action"))
                .collect();
            let policy = without.join("; ");
            response.set_header(Header::new("Content-Security-Policy", policy));
        }
    }
}
