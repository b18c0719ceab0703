//! `/api/v1/instance` and `/api/v2/instance` (with and without a trailing slash), peers,
//! activity, custom emojis and preferences: what apps read first to learn what the server
//! takes. The limits are the ones Perch enforces (`model`, `media`).

use rocket::serde::json::Json;
use rocket::{get, State};
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::{accounts, statuses};
use crate::model::{Timestamp, MAX_ATTACHMENTS, MAX_DESCRIPTION_CHARS, MAX_POST_CHARS};

use super::auth::{MaybeToken, Token};
use super::entities::account::Account;
use super::error::ApiResult;

/// The Mastodon version apps compare against, with ours, as GoToSocial and others write it.
pub fn version() -> String {
    format!("4.3.0 (compatible; Perch {})", env!("CARGO_PKG_VERSION"))
}

/// The image types the upload pipeline takes (`media::process`).
const IMAGE_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

fn configuration() -> Value {
    json!({
        "accounts": {
            "max_featured_tags": 0,
            "max_pinned_statuses": crate::domain::pins::MAX_PINNED,
        },
        "statuses": {
            "max_characters": MAX_POST_CHARS,
            "max_media_attachments": MAX_ATTACHMENTS,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": IMAGE_TYPES,
            "description_limit": MAX_DESCRIPTION_CHARS,
            "image_size_limit": crate::media::MAX_UPLOAD_BYTES,
            "image_matrix_limit": crate::media::MAX_PIXELS,
            // Images only: no video or audio is taken.
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": crate::domain::polls::MAX_OPTIONS,
            "max_characters_per_option": crate::domain::polls::MAX_CHARS_PER_OPTION,
            "min_expiration": crate::domain::polls::MIN_EXPIRATION_SECS,
            "max_expiration": crate::domain::polls::MAX_EXPIRATION_SECS,
        },
        "translation": { "enabled": false },
    })
}

struct Facts {
    owner: Account,
    posts: u64,
    domains: usize,
    /// The VAPID public key apps subscribe to Web Push with.
    vapid_key: String,
}

async fn facts(app: &App) -> ApiResult<Facts> {
    let username = app.config.username.clone();
    let (owner, domains, vapid_key) = app
        .run(move |conn| {
            Ok((
                statuses::owner(conn, &username)?,
                accounts::peers(conn)?.len(),
                crate::domain::push::vapid_public_key(conn)?,
            ))
        })
        .await?;
    Ok(Facts {
        posts: owner.counts.posts,
        owner: super::statuses::owner_account(&app.urls, &owner),
        domains,
        vapid_key,
    })
}

fn streaming_url(app: &App) -> String {
    let origin = app.urls.origin();
    match origin.strip_prefix("https://") {
        Some(rest) => format!("wss://{rest}"),
        None => format!("ws://{}", origin.trim_start_matches("http://")),
    }
}

fn title(facts: &Facts) -> String {
    if facts.owner.display_name.is_empty() {
        facts.owner.username.clone()
    } else {
        facts.owner.display_name.clone()
    }
}

fn v1(app: &App, facts: Facts) -> Value {
    let configuration = configuration();
    json!({
        "uri": app.urls.host(),
        "title": title(&facts),
        "short_description": "",
        "description": facts.owner.note,
        "email": "",
        "version": version(),
        "urls": { "streaming_api": streaming_url(app) },
        "stats": {
            "user_count": 1,
            "status_count": facts.posts,
            "domain_count": facts.domains,
        },
        "thumbnail": facts.owner.avatar,
        "languages": ["en"],
        "registrations": false,
        "approval_required": false,
        "invites_enabled": false,
        "configuration": configuration,
        "contact_account": facts.owner,
        "vapid_key": facts.vapid_key,
        "rules": [],
    })
}

fn v2(app: &App, facts: Facts) -> Value {
    let mut configuration = configuration();
    configuration["urls"] = json!({
        "streaming": streaming_url(app),
        "status": null,
        "about": format!("{}/", app.urls.origin()),
        "privacy_policy": null,
        "terms_of_service": null,
    });
    configuration["vapid"] = json!({ "public_key": facts.vapid_key });
    json!({
        "domain": app.urls.host(),
        "title": title(&facts),
        "version": version(),
        "source_url": "https://github.com/perch-social/perch",
        "description": facts.owner.note,
        "usage": { "users": { "active_month": 1 } },
        "thumbnail": { "url": facts.owner.avatar },
        "icon": [],
        "languages": ["en"],
        "configuration": configuration,
        "registrations": {
            "enabled": false,
            "approval_required": false,
            "message": null,
            "url": null,
            "min_age": null,
            "reason_required": false,
        },
        "api_versions": { "mastodon": 2 },
        "contact": { "email": "", "account": facts.owner },
        "rules": [],
    })
}

#[get("/api/v1/instance")]
pub async fn instance_v1(app: &State<App>) -> ApiResult<Json<Value>> {
    Ok(Json(v1(app, facts(app).await?)))
}

/// `/api/v1/instance/`: the trailing slash some apps send (rocket routes it as a tail).
#[get("/api/v1/instance/<rest..>", rank = 5)]
pub async fn instance_v1_slash(
    app: &State<App>,
    rest: std::path::PathBuf,
) -> ApiResult<Json<Value>> {
    if rest.as_os_str().is_empty() {
        Ok(Json(v1(app, facts(app).await?)))
    } else {
        Err(super::error::ApiError::not_found())
    }
}

#[get("/api/v2/instance")]
pub async fn instance_v2(app: &State<App>) -> ApiResult<Json<Value>> {
    Ok(Json(v2(app, facts(app).await?)))
}

/// `/api/v2/instance/`: the trailing slash some apps send (rocket routes it as a tail).
#[get("/api/v2/instance/<rest..>", rank = 5)]
pub async fn instance_v2_slash(
    app: &State<App>,
    rest: std::path::PathBuf,
) -> ApiResult<Json<Value>> {
    if rest.as_os_str().is_empty() {
        Ok(Json(v2(app, facts(app).await?)))
    } else {
        Err(super::error::ApiError::not_found())
    }
}

#[get("/api/v1/instance/peers")]
pub async fn peers(app: &State<App>) -> ApiResult<Json<Value>> {
    let domains = app.run(|conn| accounts::peers(conn)).await?;
    Ok(Json(json!(domains)))
}

/// The last 12 weeks, newest first, as Mastodon lists them (numbers as strings).
#[get("/api/v1/instance/activity")]
pub async fn activity(app: &State<App>) -> ApiResult<Json<Value>> {
    let weeks = app
        .run(|conn| accounts::weekly_posts(conn, Timestamp::now(), 12))
        .await?;
    Ok(Json(json!(weeks
        .iter()
        .map(|(start, posts)| json!({
            "week": (start.0 / 1000).to_string(),
            "statuses": posts.to_string(),
            "logins": "1",
            "registrations": "0",
        }))
        .collect::<Vec<_>>())))
}

#[get("/api/v1/instance/rules")]
pub fn rules() -> Json<Value> {
    Json(json!([]))
}

#[get("/api/v1/instance/extended_description")]
pub async fn extended_description(app: &State<App>) -> ApiResult<Json<Value>> {
    let facts = facts(app).await?;
    Ok(Json(json!({
        "updated_at": null,
        "content": facts.owner.note,
    })))
}

/// Perch translates nothing: no language pairs, as Mastodon answers without a translator.
#[get("/api/v1/instance/translation_languages")]
pub fn translation_languages() -> Json<Value> {
    Json(json!({}))
}

/// A one-person server has no one to announce things to; apps ask on every start.
#[get("/api/v1/announcements")]
pub fn announcements(token: Token) -> ApiResult<Json<Value>> {
    token.owner("read")?;
    Ok(Json(json!([])))
}

/// Perch has no custom emojis.
#[get("/api/v1/custom_emojis")]
pub fn custom_emojis(token: MaybeToken) -> ApiResult<Json<Value>> {
    if let Some(token) = &token.0 {
        token.require("read")?;
    }
    Ok(Json(json!([])))
}

#[get("/api/v1/preferences")]
pub fn preferences(token: Token) -> ApiResult<Json<Value>> {
    token.owner("read:accounts")?;
    Ok(Json(json!({
        "posting:default:visibility": "public",
        "posting:default:sensitive": false,
        "posting:default:language": null,
        "posting:default:quote_policy": "nobody",
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
    })))
}
