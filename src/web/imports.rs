//! `/settings/import` and `/settings/export/KIND.csv`: Mastodon's CSV files through the settings
//! page (issue 12, item 4). An upload is queued as a job the worker applies at its pace; the
//! work is `domain::transfer`.

use rocket::form::{Form, FromForm};
use rocket::http::ContentType;
use rocket::response::Redirect;
use rocket::{get, post, State};

use crate::domain::{profile, transfer};
use crate::error::{Error, Result};
use crate::model::Timestamp;
use crate::render::imports as view;

use super::guards::Owner;
use super::reply::Reply;
use super::App;

const PAGE: &str = "/settings/import";
/// Imports the page lists, newest first.
const SHOWN: usize = 10;

async fn page(app: &State<App>, owner: &Owner, error: Option<&str>) -> Result<Reply> {
    let username = app.config.username.clone();
    let (profile, jobs) = app
        .run(move |conn| {
            let jobs = transfer::recent(conn, SHOWN)?
                .into_iter()
                .map(|(job, skipped)| {
                    let lines = skipped.into_iter().map(|b| (b.line, b.reason)).collect();
                    (job, lines)
                })
                .collect::<Vec<_>>();
            Ok((profile::get(conn, &username)?, jobs))
        })
        .await?;
    let markup = view::settings(&profile, &jobs, error, &owner.viewer());
    Ok(match error {
        Some(_) => Reply::HtmlStatus(rocket::http::Status::BadRequest, markup),
        None => Reply::Html(markup),
    })
}

#[get("/settings/import")]
pub async fn settings(app: &State<App>, owner: Owner) -> Result<Reply> {
    page(app, &owner, None).await
}

#[derive(FromForm)]
pub struct ImportForm<'r> {
    csrf: &'r str,
    kind: &'r str,
    mode: &'r str,
    file: &'r [u8],
}

#[post("/settings/import", data = "<form>")]
pub async fn import(app: &State<App>, owner: Owner, form: Form<ImportForm<'_>>) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let queued = queue(app, &form).await;
    match queued {
        Ok(()) => Ok(Reply::Redirect(Redirect::to(PAGE))),
        Err(e) if e.status < 500 => page(app, &owner, Some(&e.message)).await,
        Err(e) => Err(e),
    }
}

async fn queue(app: &State<App>, form: &ImportForm<'_>) -> Result<()> {
    let kind = transfer::Kind::parse(form.kind)
        .ok_or_else(|| Error::bad_request("unknown kind of file"))?;
    let mode = match form.mode {
        "overwrite" => transfer::Mode::Overwrite,
        _ => transfer::Mode::Merge,
    };
    let text = String::from_utf8(form.file.to_vec())
        .map_err(|_| Error::bad_request("the file is not UTF-8 text"))?;
    app.run(move |conn| transfer::queue(conn, kind, &text, mode, true, Timestamp::now()))
        .await?;
    Ok(())
}

#[get("/settings/export/<file>")]
pub async fn export(app: &State<App>, _owner: Owner, file: &str) -> Result<Reply> {
    let kind = file
        .strip_suffix(".csv")
        .and_then(transfer::Kind::parse)
        .ok_or_else(Error::not_found)?;
    let text = app.run(move |conn| transfer::export(conn, kind)).await?;
    Ok(Reply::Bytes(text.into_bytes(), ContentType::CSV, 0))
}
