//! The owner's pages: logging in and out, first set-up, settings.

use rocket::form::{Form, FromForm};
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::{get, post, State};

use crate::domain::auth::{self, LoginRefusal};
use crate::domain::profile::{self, Picture, ProfileForm};
use crate::error::{Error, Result};
use crate::model::{Field, Timestamp};
use crate::render::{self, Viewer};

use super::guards::{self, ClientAddress, Owner, SameOrigin, UserAgent};
use super::reply::Reply;
use super::App;

/// Only our own paths are followed after logging in: no open redirect. The path must also be a
/// valid URI path: browsers drop tabs and line breaks (`/\t/evil` is `//evil` to them), and
/// rocket cannot redirect to what does not parse.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && rocket::http::uri::Origin::parse(path).is_ok() =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

#[get("/login?<next>")]
pub fn login_form(app: &State<App>, next: Option<&str>) -> Reply {
    Reply::Html(render::admin::login(
        &app.config.display_name,
        &safe_next(next),
        None,
    ))
}

#[derive(FromForm)]
pub struct LoginForm<'r> {
    password: &'r str,
    next: Option<&'r str>,
}

#[post("/login", data = "<form>")]
pub async fn login(
    app: &State<App>,
    _origin: SameOrigin,
    address: ClientAddress,
    agent: UserAgent,
    jar: &CookieJar<'_>,
    form: Form<LoginForm<'_>>,
) -> Result<Reply> {
    let password = form.password.to_string();
    let next = safe_next(form.next);
    let outcome = app
        .run(move |conn| {
            let now = Timestamp::now();
            match auth::login(conn, &address.0, &password, now)? {
                Ok(()) => Ok(Ok(auth::start_session(conn, &agent.0, now)?.0)),
                Err(refusal) => Ok(Err(refusal)),
            }
        })
        .await?;
    let site = &app.config.display_name;
    match outcome {
        Ok(cookie) => {
            jar.add(guards::session_cookie(cookie, app.config.https));
            Ok(Reply::Redirect(Redirect::to(next)))
        }
        Err(LoginRefusal::TooManyAttempts) => Ok(Reply::HtmlStatus(
            Status::TooManyRequests,
            render::admin::login(site, &next, Some("Too many failed attempts; wait a quarter of an hour.")),
        )),
        Err(LoginRefusal::WrongPassword) => Ok(Reply::HtmlStatus(
            Status::Unauthorized,
            render::admin::login(site, &next, Some("That password is not right.")),
        )),
        Err(LoginRefusal::NoPasswordYet) => Ok(Reply::HtmlStatus(
            Status::Unauthorized,
            render::admin::login(site, &next, Some("No password is set yet: use the set-up link printed by perch serve, or run perch passwd.")),
        )),
    }
}

#[derive(FromForm)]
pub struct CsrfOnly<'r> {
    pub csrf: &'r str,
}

#[post("/logout", data = "<form>")]
pub async fn logout(
    app: &State<App>,
    owner: Owner,
    jar: &CookieJar<'_>,
    form: Form<CsrfOnly<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let session = owner.session.clone();
    app.run(move |conn| auth::end_session(conn, &session))
        .await?;
    guards::clear_session_cookie(jar);
    Ok(Reply::Redirect(Redirect::to("/login")))
}

#[get("/setup?<token>")]
pub async fn setup_form(app: &State<App>, token: Option<&str>) -> Result<Reply> {
    let token = token.unwrap_or("").to_string();
    let check = token.clone();
    let valid = app
        .run(move |conn| auth::setup_token_valid(conn, &check))
        .await?;
    if !valid {
        return Err(Error::new(
            404,
            "this set-up link has been used or replaced; log in instead",
        ));
    }
    Ok(Reply::Html(render::admin::setup(
        &app.config.display_name,
        &token,
        None,
    )))
}

#[derive(FromForm)]
pub struct SetupForm<'r> {
    token: &'r str,
    password: &'r str,
    confirm: &'r str,
}

#[post("/setup", data = "<form>")]
pub async fn setup(
    app: &State<App>,
    _origin: SameOrigin,
    agent: UserAgent,
    jar: &CookieJar<'_>,
    form: Form<SetupForm<'_>>,
) -> Result<Reply> {
    let site = &app.config.display_name;
    if form.password != form.confirm {
        return Ok(Reply::HtmlStatus(
            Status::BadRequest,
            render::admin::setup(site, form.token, Some("The two passwords differ.")),
        ));
    }
    let token = form.token.to_string();
    let password = form.password.to_string();
    let outcome = app
        .run(move |conn| {
            if !auth::setup_token_valid(conn, &token)? {
                return Err(Error::new(
                    404,
                    "this set-up link has been used or replaced; log in instead",
                ));
            }
            if let Err(e) = auth::set_password(conn, &password) {
                return Ok(Err(e));
            }
            Ok(Ok(auth::start_session(conn, &agent.0, Timestamp::now())?.0))
        })
        .await?;
    match outcome {
        Ok(cookie) => {
            jar.add(guards::session_cookie(cookie, app.config.https));
            Ok(Reply::Redirect(Redirect::to("/settings?welcome=true")))
        }
        Err(e) => Ok(Reply::HtmlStatus(
            Status::BadRequest,
            render::admin::setup(site, form.token, Some(&e.message)),
        )),
    }
}

async fn settings_page(
    app: &App,
    viewer: Viewer,
    message: Option<String>,
    status: Status,
) -> Result<Reply> {
    let username = app.config.username.clone();
    let profile = app.run(move |conn| profile::get(conn, &username)).await?;
    let markup = render::admin::settings(&app.urls, &profile, &viewer, message.as_deref());
    Ok(if status == Status::Ok {
        Reply::Html(markup)
    } else {
        Reply::HtmlStatus(status, markup)
    })
}

#[get("/settings?<welcome>&<saved>")]
pub async fn settings(
    app: &State<App>,
    owner: Owner,
    welcome: Option<bool>,
    saved: Option<bool>,
) -> Result<Reply> {
    let message = if welcome == Some(true) {
        Some("Welcome! Your password is set. Tell the world who you are:".to_string())
    } else if saved == Some(true) {
        Some("Saved.".to_string())
    } else {
        None
    };
    settings_page(app, owner.viewer(), message, Status::Ok).await
}

#[derive(FromForm)]
pub struct FieldForm {
    name: String,
    value: String,
}

#[derive(FromForm)]
pub struct ProfileSettingsForm<'r> {
    csrf: &'r str,
    display_name: String,
    bio: String,
    fields: Vec<FieldForm>,
    manually_approves_followers: bool,
    discoverable: bool,
}

/// Shows a refused form again with its reason, or passes a failure of ours on.
async fn settings_outcome(app: &App, owner: &Owner, result: Result<()>) -> Result<Reply> {
    match result {
        Ok(()) => Ok(Reply::Redirect(Redirect::to("/settings?saved=true"))),
        Err(e) if e.status < 500 => {
            let status = Status::from_code(e.status).unwrap_or(Status::BadRequest);
            settings_page(app, owner.viewer(), Some(e.message), status).await
        }
        Err(e) => Err(e),
    }
}

#[post("/settings/profile", data = "<form>")]
pub async fn update_profile(
    app: &State<App>,
    owner: Owner,
    form: Form<ProfileSettingsForm<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let update = ProfileForm {
        display_name: form.display_name.clone(),
        bio: form.bio.clone(),
        fields: form
            .fields
            .iter()
            .map(|f| Field {
                name: f.name.clone(),
                value: f.value.clone(),
            })
            .collect(),
        manually_approves_followers: form.manually_approves_followers,
        discoverable: form.discoverable,
        bot: None,
    };
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let result = app
        .run(move |conn| {
            Ok(profile::update(
                conn,
                &urls,
                &username,
                &update,
                Timestamp::now(),
            ))
        })
        .await?;
    settings_outcome(app, &owner, result).await
}

#[derive(FromForm)]
pub struct UploadForm<'r> {
    csrf: &'r str,
    file: &'r [u8],
}

async fn upload(
    app: &App,
    owner: &Owner,
    picture: Picture,
    form: Form<UploadForm<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let data = form.file.to_vec();
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let result = app
        .run(move |conn| {
            Ok(profile::set_picture(
                conn,
                &urls,
                &username,
                picture,
                &data,
                Timestamp::now(),
            ))
        })
        .await?;
    settings_outcome(app, owner, result).await
}

#[post("/settings/avatar", data = "<form>")]
pub async fn upload_avatar(
    app: &State<App>,
    owner: Owner,
    form: Form<UploadForm<'_>>,
) -> Result<Reply> {
    upload(app, &owner, Picture::Avatar, form).await
}

#[post("/settings/header", data = "<form>")]
pub async fn upload_header(
    app: &State<App>,
    owner: Owner,
    form: Form<UploadForm<'_>>,
) -> Result<Reply> {
    upload(app, &owner, Picture::Header, form).await
}

async fn remove(app: &App, owner: &Owner, picture: Picture, csrf: &str) -> Result<Reply> {
    owner.check_csrf(csrf)?;
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let result = app
        .run(move |conn| {
            Ok(profile::remove_picture(
                conn,
                &urls,
                &username,
                picture,
                Timestamp::now(),
            ))
        })
        .await?;
    settings_outcome(app, owner, result).await
}

#[post("/settings/avatar/remove", data = "<form>")]
pub async fn remove_avatar(
    app: &State<App>,
    owner: Owner,
    form: Form<CsrfOnly<'_>>,
) -> Result<Reply> {
    remove(app, &owner, Picture::Avatar, form.csrf).await
}

#[post("/settings/header/remove", data = "<form>")]
pub async fn remove_header(
    app: &State<App>,
    owner: Owner,
    form: Form<CsrfOnly<'_>>,
) -> Result<Reply> {
    remove(app, &owner, Picture::Header, form.csrf).await
}

#[derive(FromForm)]
pub struct PasswordForm<'r> {
    csrf: &'r str,
    current: &'r str,
    password: &'r str,
}

/// Changing the password ends every other session; this browser gets a fresh one.
#[post("/settings/password", data = "<form>")]
pub async fn change_password(
    app: &State<App>,
    owner: Owner,
    address: ClientAddress,
    agent: UserAgent,
    jar: &CookieJar<'_>,
    form: Form<PasswordForm<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let (current, password) = (form.current.to_string(), form.password.to_string());
    let result = app
        .run(move |conn| {
            let now = Timestamp::now();
            match auth::login(conn, &address.0, &current, now)? {
                Ok(()) => {}
                Err(LoginRefusal::TooManyAttempts) => {
                    return Ok(Err(Error::new(
                        429,
                        "too many failed attempts; wait a quarter of an hour",
                    )))
                }
                Err(_) => return Ok(Err(Error::new(403, "the current password is not right"))),
            }
            if let Err(e) = auth::set_password(conn, &password) {
                return Ok(Err(e));
            }
            Ok(Ok(auth::start_session(conn, &agent.0, now)?.0))
        })
        .await?;
    match result {
        Ok(cookie) => {
            jar.add(guards::session_cookie(cookie, app.config.https));
            Ok(Reply::Redirect(Redirect::to("/settings?saved=true")))
        }
        Err(e) => settings_outcome(app, &owner, Err(e)).await,
    }
}
