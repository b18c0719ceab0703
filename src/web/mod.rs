//! The HTTP surface. Handlers are thin: read the request, call `domain`, hand the result to
//! `render` or `federation::build`. The whole URL table is `routes()` below.

pub mod activitypub;
pub mod admin;
pub mod apps;
pub mod archive;
pub mod assets;
pub mod backfill;
pub mod bookmarks;
pub mod cache;
pub mod compose;
pub mod follows;
pub mod guards;
pub mod health;
pub mod imports;
pub mod inbox;
pub mod interactions;
pub mod moderation;
pub mod moving;
pub mod network;
pub mod notifications;
pub mod pages;
pub mod pins;
pub mod polls;
pub mod quotes;
pub mod reactions;
pub mod reply;
pub mod search;
pub mod server_status;
pub mod threads;
pub mod wellknown;

use rocket::{catchers, routes, Route};

/// The state every handler reads; it lives in `app` so the API shares it.
pub use crate::app::App;

/// Every route Perch answers.
pub fn routes() -> Vec<Route> {
    routes![
        // Discovery
        wellknown::webfinger,
        wellknown::host_meta,
        wellknown::nodeinfo_links,
        wellknown::nodeinfo,
        // The actor and its collections (JSON; browsers are sent to the profile page)
        activitypub::actor,
        activitypub::outbox,
        activitypub::followers,
        activitypub::following,
        activitypub::featured,
        activitypub::note,
        activitypub::create,
        activitypub::replies,
        activitypub::likes,
        activitypub::shares,
        activitypub::context,
        // Inboxes (signed POSTs from other servers)
        inbox::user_inbox,
        inbox::shared_inbox,
        // Public pages (HTML; servers get the ActivityPub twin)
        pages::profile_or_feed,
        pages::post_page,
        quotes::authorization,
        pages::tag,
        pages::media,
        pages::media_preview,
        pages::authorize_interaction,
        pages::interact,
        assets::asset,
        // The owner's pages
        compose::home,
        admin::login_form,
        admin::login,
        admin::logout,
        admin::setup_form,
        admin::setup,
        compose::compose,
        compose::edit_form,
        compose::edit,
        compose::delete,
        compose::newest,
        admin::settings,
        admin::update_profile,
        admin::upload_avatar,
        admin::upload_header,
        admin::remove_avatar,
        admin::remove_header,
        admin::change_password,
        apps::list,
        apps::revoke,
        // The owner's view of the fediverse
        notifications::notifications,
        follows::people,
        search::search,
        threads::thread,
        interactions::like,
        interactions::unlike,
        interactions::boost,
        interactions::unboost,
        quotes::revoke,
        reactions::react,
        reactions::unreact,
        polls::vote,
        follows::follow,
        follows::unfollow,
        follows::remove_follower,
        follows::approve,
        follows::reject,
        // Bookmarks (private) and pins (the featured collection)
        bookmarks::list,
        bookmarks::bookmark,
        bookmarks::unbookmark,
        pins::pin,
        pins::unpin,
        // Blocks, mutes, blocked domains, muted words
        moderation::settings,
        moderation::block,
        moderation::unblock,
        moderation::mute,
        moderation::unmute,
        moderation::block_domain,
        moderation::unblock_domain,
        moderation::mute_word,
        moderation::unmute_word,
        // Moving in (aliases) and out
        moving::settings,
        moving::add_alias,
        moving::remove_alias,
        moving::move_out,
        moving::cancel,
        // For service managers and monitors
        network::settings,
        network::save,
        health::health,
        server_status::page,
        // Fetching older posts and whole threads
        archive::settings,
        archive::import,
        archive::export,
        imports::settings,
        imports::import,
        imports::export,
        backfill::settings,
        backfill::switch,
    ]
}

pub fn catchers() -> Vec<rocket::Catcher> {
    catchers![
        reply::unauthorized,
        reply::not_found,
        reply::payload_too_large,
        reply::unprocessable,
        reply::bad_request,
        reply::default_catcher
    ]
}
