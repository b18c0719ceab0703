//! Public pages: the profile with its feeds, a post's thread, tag pages, and stored media.

use rocket::http::ContentType;
use rocket::response::Redirect;
use rocket::{get, State};

use crate::domain::{people, public, threads};
use crate::error::{Error, Result};
use crate::render::{self, feeds, Viewer};

use super::activitypub::{actor_document, note_document};
use super::cache::Key;
use super::guards::{MaybeOwner, Wants};
use super::reply::Reply;
use super::App;

const PAGE_SIZE: usize = 20;
const FEED_SIZE: usize = 20;

enum ProfileFormat {
    Page,
    Atom,
    Rss,
}

/// `@user`, `@user.atom` or `@user.rss`, for our user only.
fn parse_handle(app: &App, handle: &str) -> Option<ProfileFormat> {
    let name = handle.strip_prefix('@')?;
    let (name, format) = match name.rsplit_once('.') {
        Some((n, "atom")) => (n, ProfileFormat::Atom),
        Some((n, "rss")) => (n, ProfileFormat::Rss),
        _ => (name, ProfileFormat::Page),
    };
    (name == app.config.username).then_some(format)
}

#[get("/<handle>?<max_id>&<min_id>", rank = 10)]
pub async fn profile_or_feed(
    app: &State<App>,
    handle: &str,
    max_id: Option<i64>,
    min_id: Option<i64>,
    wants: Wants,
    owner: MaybeOwner,
) -> Result<Reply> {
    let format = parse_handle(app, handle).ok_or_else(Error::not_found)?;
    let username = app.config.username.clone();
    match format {
        ProfileFormat::Page if matches!(wants, Wants::Activity) => actor_document(app).await,
        // Its first page as strangers see it is the same for all of them: kept.
        ProfileFormat::Page if !owner.is_owner() && max_id.is_none() && min_id.is_none() => {
            let urls = app.urls.clone();
            let body = app
                .cached(Key::ProfilePage, move |conn| {
                    let page = public::profile_page(conn, &username, None, None, PAGE_SIZE)?;
                    let markup = render::profile::profile_page(&urls, &page, &Viewer::default());
                    Ok(markup.into_string())
                })
                .await?;
            Ok(Reply::Kept(body, ContentType::HTML))
        }
        ProfileFormat::Page => {
            let page = app
                .run(move |conn| public::profile_page(conn, &username, max_id, min_id, PAGE_SIZE))
                .await?;
            Ok(Reply::Html(render::profile::profile_page(
                &app.urls,
                &page,
                &owner.viewer(),
            )))
        }
        ProfileFormat::Atom | ProfileFormat::Rss => {
            let (profile, posts) = app
                .run(move |conn| public::feed(conn, &username, FEED_SIZE))
                .await?;
            Ok(match format {
                ProfileFormat::Atom => Reply::Xml(
                    feeds::atom(&app.urls, &profile, &posts).into_string(),
                    ContentType::new("application", "atom+xml").with_params(("charset", "utf-8")),
                ),
                _ => Reply::Xml(
                    feeds::rss(&app.urls, &profile, &posts).into_string(),
                    ContentType::new("application", "rss+xml").with_params(("charset", "utf-8")),
                ),
            })
        }
    }
}

#[get("/<handle>/<id>", rank = 10)]
pub async fn post_page(
    app: &State<App>,
    handle: &str,
    id: i64,
    wants: Wants,
    owner: MaybeOwner,
) -> Result<Reply> {
    if !matches!(parse_handle(app, handle), Some(ProfileFormat::Page)) {
        return Err(Error::not_found());
    }
    let is_owner = owner.is_owner();
    if matches!(wants, Wants::Activity) {
        return note_document(app, id).await;
    }
    let (username, urls) = (app.config.username.clone(), app.urls.clone());
    let page = app
        .run(move |conn| threads::post_page(conn, &urls, &username, id, is_owner))
        .await?;
    Ok(Reply::Html(render::posts::post_page(
        &app.urls,
        &page,
        &owner.viewer(),
    )))
}

#[get("/tags/<tag>?<max_id>")]
pub async fn tag(
    app: &State<App>,
    tag: &str,
    max_id: Option<i64>,
    owner: MaybeOwner,
) -> Result<Reply> {
    if tag.is_empty() || tag.chars().count() > 100 {
        return Err(Error::not_found());
    }
    let username = app.config.username.clone();
    let name = tag.to_string();
    let is_owner = owner.is_owner();
    let (profile, page) = app
        .run(move |conn| public::tag_page(conn, &username, &name, is_owner, max_id, PAGE_SIZE))
        .await?;
    Ok(Reply::Html(render::profile::tag_page(
        &app.urls,
        &profile,
        tag,
        &page,
        &owner.viewer(),
    )))
}

async fn serve_media(app: &App, id: i64, preview: bool, is_owner: bool) -> Result<Reply> {
    let stored = app
        .run(move |conn| public::media(conn, id, preview, is_owner))
        .await?;
    // The type comes from our own encoder at upload, never from the uploader.
    let content_type = ContentType::parse_flexible(&stored.mime)
        .filter(|t| t.top() == "image")
        .ok_or_else(|| Error::internal("stored media has a non-image type"))?;
    Ok(Reply::Bytes(stored.data, content_type, 31_536_000))
}

#[get("/media/<id>/<_name>")]
pub async fn media(app: &State<App>, id: i64, _name: &str, owner: MaybeOwner) -> Result<Reply> {
    serve_media(app, id, false, owner.is_owner()).await
}

#[get("/media/<id>/preview/<_name>")]
pub async fn media_preview(
    app: &State<App>,
    id: i64,
    _name: &str,
    owner: MaybeOwner,
) -> Result<Reply> {
    serve_media(app, id, true, owner.is_owner()).await
}

/// Where other servers send their users to interact with a remote object (the `subscribe`
/// template of our WebFinger answer): the owner's search shows it with its buttons.
#[get("/authorize_interaction?<uri>")]
pub fn authorize_interaction(uri: Option<&str>) -> Result<Reply> {
    let uri = uri.ok_or_else(|| Error::bad_request("the uri parameter is missing"))?;
    let valid = url::Url::parse(uri).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !valid {
        return Err(Error::bad_request(
            "the uri parameter must be an http(s) URL",
        ));
    }
    Ok(Reply::Redirect(Redirect::to(format!(
        "/search?q={}",
        crate::urls::percent_encode_path(uri)
    ))))
}

/// A visitor's "do this from my server": finds their server's `subscribe` template by WebFinger
/// (through the private-address guard) and sends them there with the object's id.
#[get("/interact?<uri>&<handle>")]
pub async fn interact(app: &State<App>, uri: &str, handle: &str) -> Result<Reply> {
    let ours = uri.starts_with(&format!("{}/", app.urls.origin()));
    if !ours {
        return Err(Error::bad_request(
            "only this server's posts and profile can be acted on here",
        ));
    }
    let (handle, uri) = (handle.to_string(), uri.to_string());
    let target = app
        .run_remote(move |_conn, remote| people::interaction_url(remote, &handle, &uri))
        .await?;
    Ok(Reply::Redirect(Redirect::to(target)))
}
