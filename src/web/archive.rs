//! `/settings/archive`: a Mastodon archive uploaded (under the form's upload limit) and the
//! account downloaded as one (issue 12, items 5 and 6). The work is `domain::transfer::archive`.

use rocket::form::{Form, FromForm};
use rocket::http::ContentType;
use rocket::{get, post, State};

use crate::domain::{profile, transfer::archive};
use crate::error::Result;
use crate::model::Timestamp;
use crate::render::archive as view;

use super::guards::Owner;
use super::reply::Reply;
use super::App;

#[get("/settings/archive")]
pub async fn settings(app: &State<App>, owner: Owner) -> Result<Reply> {
    let username = app.config.username.clone();
    let profile = app.run(move |conn| profile::get(conn, &username)).await?;
    Ok(Reply::Html(view::settings(&profile, None, &owner.viewer())))
}

#[derive(FromForm)]
pub struct ImportForm<'r> {
    csrf: &'r str,
    file: &'r [u8],
    private: bool,
}

#[post("/settings/archive", data = "<form>")]
pub async fn import(app: &State<App>, owner: Owner, form: Form<ImportForm<'_>>) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let (bytes, private) = (form.file.to_vec(), form.private);
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let (profile, outcome) = app
        .run(move |conn| {
            let outcome = archive::import(
                conn,
                &urls,
                std::io::Cursor::new(bytes),
                private,
                Timestamp::now(),
            )
            .map(|report| report.summary())
            .map_err(|e| e.message);
            Ok((profile::get(conn, &username)?, outcome))
        })
        .await?;
    Ok(Reply::Html(view::settings(
        &profile,
        Some(&outcome),
        &owner.viewer(),
    )))
}

/// The whole account as a zip, built in memory (the size of the posts and images).
#[get("/settings/archive/perch-archive.zip")]
pub async fn export(app: &State<App>, _owner: Owner) -> Result<Reply> {
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let bytes = app
        .run(move |conn| {
            let mut out = std::io::Cursor::new(Vec::new());
            archive::export(conn, &urls, &username, &mut out)?;
            Ok(out.into_inner())
        })
        .await?;
    Ok(Reply::Bytes(bytes, ContentType::ZIP, 0))
}
