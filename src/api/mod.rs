//! The Mastodon client API and its OAuth 2, so the apps people already use (Tusky, Ivory, Elk,
//! Phanpy, toot) work with Perch. Handlers are thin, over the same `domain` functions as the web
//! page; `entities` shapes the domain's views as Mastodon's JSON. The URL table is `routes()`.

pub mod accounts;
pub mod apps;
pub mod auth;
pub mod authorize;
pub mod body;
pub mod conversations;
pub mod cors;
pub mod entities;
pub mod error;
pub mod filters;
pub mod instance;
pub mod lists;
pub mod media;
pub mod notifications;
pub mod oauth;
pub mod paging;
pub mod polls;
pub mod push;
pub mod scheduled_statuses;
pub mod session;
pub mod status_actions;
pub mod statuses;
pub mod streaming;
pub mod timelines;

use rocket::http::Status;
use rocket::response::{self, Responder};
use rocket::{catch, catchers, routes, Catcher, Request, Route};

use self::error::json_error;

/// Every API and OAuth route.
pub fn routes() -> Vec<Route> {
    routes![
        // Apps and OAuth
        apps::create,
        apps::verify_credentials,
        oauth::token,
        oauth::revoke,
        oauth::metadata,
        authorize::form,
        authorize::decide,
        // Statuses, scheduled statuses and media
        statuses::create,
        statuses::show,
        statuses::batch,
        statuses::remove,
        statuses::edit,
        statuses::history,
        statuses::source,
        statuses::context,
        status_actions::favourite,
        status_actions::unfavourite,
        status_actions::reblog,
        status_actions::unreblog,
        status_actions::bookmark,
        status_actions::unbookmark,
        status_actions::pin,
        status_actions::unpin,
        status_actions::mute,
        status_actions::unmute,
        status_actions::favourited_by,
        status_actions::reblogged_by,
        polls::show,
        polls::vote,
        scheduled_statuses::list,
        scheduled_statuses::show,
        scheduled_statuses::reschedule,
        scheduled_statuses::cancel,
        media::create_v1,
        media::create_v2,
        media::show,
        media::update,
        // Filters
        filters::index,
        filters::show,
        filters::create,
        filters::update,
        filters::destroy,
        filters::keywords,
        filters::add_keyword,
        filters::keyword,
        filters::update_keyword,
        filters::delete_keyword,
        filters::statuses,
        filters::add_status,
        filters::status,
        filters::delete_status,
        filters::index_v1,
        // Timelines, lists, notifications, markers
        timelines::home,
        timelines::public,
        timelines::tag,
        timelines::list,
        timelines::bookmarks,
        timelines::favourites,
        timelines::trends,
        timelines::trends_tags,
        conversations::index,
        conversations::read,
        conversations::remove,
        lists::index,
        lists::show,
        lists::create,
        lists::update,
        lists::destroy,
        lists::members,
        lists::add,
        lists::remove,
        lists::of_account,
        lists::followed_tags,
        lists::tag,
        lists::follow,
        lists::unfollow,
        notifications::index,
        notifications::unread_count,
        notifications::show,
        notifications::dismiss,
        notifications::clear,
        notifications::get_markers,
        notifications::set_markers,
        // Instance
        instance::instance_v1,
        instance::instance_v1_slash,
        instance::instance_v2,
        instance::instance_v2_slash,
        instance::peers,
        instance::activity,
        instance::rules,
        instance::extended_description,
        instance::translation_languages,
        instance::announcements,
        instance::custom_emojis,
        instance::preferences,
        // Accounts, search, follow requests, blocks, mutes, domain blocks
        accounts::verify_credentials,
        accounts::update_credentials_multipart,
        accounts::update_credentials,
        accounts::lookup,
        accounts::relationships,
        accounts::search,
        accounts::search_v2,
        accounts::show,
        accounts::account_statuses,
        accounts::followers,
        accounts::following,
        accounts::follow,
        accounts::unfollow,
        accounts::remove_from_followers,
        accounts::block,
        accounts::unblock,
        accounts::mute,
        accounts::unmute,
        accounts::note,
        accounts::featured_tags_of,
        accounts::featured_tags,
        accounts::featured_tag_suggestions,
        accounts::endorsements,
        accounts::familiar_followers,
        accounts::directory,
        accounts::suggestions,
        accounts::suggestions_v2,
        accounts::follow_requests,
        accounts::authorize_request,
        accounts::reject_request,
        accounts::blocks,
        accounts::mutes,
        accounts::domain_blocks,
        accounts::block_domain,
        accounts::unblock_domain,
        // Web Push
        push::create,
        push::show,
        push::update,
        push::destroy,
        // Live updates
        streaming::health,
        streaming::websocket,
        streaming::user,
        streaming::user_notification,
        streaming::public,
        streaming::public_local,
        streaming::public_remote,
        streaming::hashtag,
        streaming::hashtag_local,
        streaming::list,
        // Browser apps' preflights
        cors::preflight_api,
        cors::preflight_oauth,
    ]
}

/// Errors under `/api` are JSON, whatever the client accepts.
pub fn catchers() -> Vec<Catcher> {
    catchers![api_error]
}

struct CaughtError(Status);

impl<'r> Responder<'r, 'static> for CaughtError {
    fn respond_to(self, _request: &'r Request<'_>) -> response::Result<'static> {
        let message = match self.0.code {
            401 => "The access token is invalid",
            403 => "This action is outside the authorized scopes",
            404 => "Record not found",
            413 => "The request is too large",
            422 => "Validation failed",
            429 => "Too many requests",
            _ => self.0.reason().unwrap_or("error"),
        };
        json_error(self.0, message)
    }
}

#[catch(default)]
fn api_error(status: Status, _request: &Request<'_>) -> CaughtError {
    CaughtError(status)
}
