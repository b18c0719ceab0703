//! Public pages: the profile with its feeds, a post's thread, tag pages, and stored media.

use maud::Markup;
use rocket::http::ContentType;
use rocket::response::Redirect;
use rocket::{get, State};
use rusqlite::Connection;

use crate::domain::{posts as post_rules, profile as profiles};
use crate::error::{Error, Result};
use crate::model::Counts;
use crate::render::{self, feeds, profile::ProfileView, Viewer};
use crate::store::counters;
use crate::store::interactions::{self, Kind};
use crate::store::media as stored_media;
use crate::store::posts::{self, Audience};
use crate::store::remote_posts;
use crate::urls::Urls;

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
                    let page =
                        profile_page(conn, &urls, &username, None, None, &Viewer::default())?;
                    Ok(page.into_string())
                })
                .await?;
            Ok(Reply::Kept(body, ContentType::HTML))
        }
        ProfileFormat::Page => {
            let urls = app.urls.clone();
            let viewer = owner.viewer();
            let page = app
                .run(move |conn| profile_page(conn, &urls, &username, max_id, min_id, &viewer))
                .await?;
            Ok(Reply::Html(page))
        }
        ProfileFormat::Atom | ProfileFormat::Rss => {
            let (profile, page) = app
                .run(move |conn| {
                    let profile = profiles::get(conn, &username)?;
                    let page = posts::page(conn, Audience::Anyone, None, None, FEED_SIZE * 2)?;
                    Ok((profile, page))
                })
                .await?;
            // Feeds carry public posts only: unlisted ones stay off subscriptions, as on Mastodon.
            let public: Vec<_> = page
                .items
                .into_iter()
                .filter(|p| p.visibility == crate::model::Visibility::Public)
                .take(FEED_SIZE)
                .collect();
            Ok(match format {
                ProfileFormat::Atom => Reply::Xml(
                    feeds::atom(&app.urls, &profile, &public).into_string(),
                    ContentType::new("application", "atom+xml").with_params(("charset", "utf-8")),
                ),
                _ => Reply::Xml(
                    feeds::rss(&app.urls, &profile, &public).into_string(),
                    ContentType::new("application", "rss+xml").with_params(("charset", "utf-8")),
                ),
            })
        }
    }
}

/// The profile page with one page of posts.
fn profile_page(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    max_id: Option<i64>,
    min_id: Option<i64>,
    viewer: &Viewer,
) -> Result<Markup> {
    let profile = profiles::get(conn, username)?;
    let counters = counters::get(conn)?;
    let counts = Counts {
        posts: counters.public_posts,
        followers: counters.followers,
        following: counters.following,
    };
    let pinned = posts::pinned(conn, Audience::Anyone)?;
    let page = posts::page(conn, Audience::Anyone, max_id, min_id, PAGE_SIZE)?;
    let fields = profiles::fields_html(&profile);
    let view = ProfileView {
        profile: &profile,
        fields_html: &fields,
        counts,
        pinned: &pinned,
        page: &page,
    };
    Ok(render::profile::profile_page(urls, &view, viewer))
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
    let username = app.config.username.clone();
    let urls = app.urls.clone();
    let audience = if is_owner {
        Audience::Owner
    } else {
        Audience::Anyone
    };
    let (profile, ancestors, post, replies, remote_replies, counts, history) = app
        .run(move |conn| {
            let post = post_rules::get_visible(conn, id, is_owner)?;
            let profile = profiles::get(conn, &username)?;
            let ancestors = post_rules::ancestors(conn, &urls, &post, is_owner)?;
            let uri = urls.post(id);
            let replies = posts::replies_to(conn, &uri, audience)?;
            let remote_replies = remote_posts::replies_to(conn, &uri, !is_owner)?;
            let counts = (
                interactions::count(conn, &uri, Kind::Like)?,
                interactions::count(conn, &uri, Kind::Announce)?,
            );
            let history = posts::history(conn, id)?;
            Ok((
                profile,
                ancestors,
                post,
                replies,
                remote_replies,
                counts,
                history,
            ))
        })
        .await?;
    let viewer = owner.viewer();
    let view = render::posts::ThreadView {
        ancestors: &ancestors,
        focus: &post,
        replies: &replies,
        remote_replies: &remote_replies,
        likes: counts.0,
        boosts: counts.1,
        history: &history,
    };
    let thread = render::posts::thread(&app.urls, &profile, &view, &viewer);
    Ok(Reply::Html(render::profile::post_page(
        &app.urls, &profile, thread, &post, &viewer,
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
    let audience = if owner.is_owner() {
        Audience::Owner
    } else {
        Audience::Anyone
    };
    let (profile, page) = app
        .run(move |conn| {
            let profile = profiles::get(conn, &username)?;
            let page = posts::page_with_tag(conn, &name, audience, max_id, PAGE_SIZE)?;
            Ok((profile, page))
        })
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
        .run(move |conn| stored_media::bytes(conn, id, preview)?.ok_or_else(Error::not_found))
        .await?;
    // Attachments of posts not for everyone are as hidden as the posts.
    let visible = match stored.post_visibility.as_deref() {
        None => true,
        Some(v) => is_owner || matches!(v, "public" | "unlisted"),
    };
    if !visible {
        return Err(Error::not_found());
    }
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
    let (user, domain) = crate::domain::actors::parse_handle(handle)
        .ok_or_else(|| Error::bad_request("give your account as @you@example.social"))?;
    let answer = app
        .run_remote(move |_conn, remote| {
            use crate::domain::actors::Fetch;
            remote
                .webfinger(&user, &domain)
                .map_err(|e| Error::new(422, format!("cannot find your account: {e}")))
        })
        .await?;
    let template = answer
        .subscribe_template
        .filter(|t| t.contains("{uri}") && (t.starts_with("https://") || t.starts_with("http://")))
        .ok_or_else(|| Error::new(422, "your server does not say where to send you"))?;
    Ok(Reply::Redirect(Redirect::to(
        template.replace("{uri}", &crate::urls::percent_encode_path(uri)),
    )))
}
