//! The HTTP surface. Handlers are thin: read the request, call `domain`, hand the result to
//! `render` or `federation::build`. The whole URL table is `routes()` below.

pub mod activitypub;
pub mod admin;
pub mod assets;
pub mod backfill;
pub mod bookmarks;
pub mod cache;
pub mod compose;
pub mod follows;
pub mod guards;
pub mod health;
pub mod inbox;
pub mod interactions;
pub mod moderation;
pub mod notifications;
pub mod pages;
pub mod pins;
pub mod reply;
pub mod search;
pub mod server_status;
pub mod threads;
pub mod wellknown;

use std::sync::Arc;

use rocket::{catchers, routes, Route};
use rusqlite::Connection;

use crate::config::Config;
use crate::domain::actors::Remote;
use crate::error::{Error, Result};
use crate::federation::client::Client;
use crate::federation::keys::SigningKey;
use crate::store::Db;
use crate::urls::Urls;

use self::cache::{Documents, Key};

/// What every handler may read: set up once at start.
pub struct App {
    pub config: Config,
    pub urls: Urls,
    pub db: Db,
    pub public_key_pem: String,
    /// Outgoing HTTP (key fetches on the inbox path run it through `spawn_blocking`).
    pub client: Arc<Client>,
    /// The owner's key, for signed GETs; its id is `urls.key_id()`.
    pub signing_key: Arc<SigningKey>,
    /// Public documents and pages kept in memory while they are fresh.
    pub documents: Arc<Documents>,
    /// The WebFinger answer: it depends on the configuration only.
    pub webfinger: Arc<str>,
}

impl App {
    /// Runs blocking database work off the async threads, on a pooled connection.
    pub async fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let db = self.db.clone();
        rocket::tokio::task::spawn_blocking(move || {
            let mut conn = db.get().map_err(Error::internal)?;
            work(&mut conn)
        })
        .await
        .map_err(|e| Error::internal(format!("database task failed: {e}")))?
    }

    /// A public document or page from memory while nothing it is built from has changed (no
    /// blocking hop), else built by `build` on a pooled connection and kept.
    pub async fn cached<F>(&self, key: Key, build: F) -> Result<Arc<str>>
    where
        F: FnOnce(&Connection) -> Result<String> + Send + 'static,
    {
        if let Some(body) = self.documents.fresh(key) {
            return Ok(body);
        }
        let documents = self.documents.clone();
        self.run(move |conn| documents.build(conn, key, build))
            .await
    }

    /// Like `run`, for work that also fetches from other servers (signed with the owner's key).
    pub async fn run_remote<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &Remote) -> Result<T> + Send + 'static,
    {
        let (client, key, key_id) = (
            self.client.clone(),
            self.signing_key.clone(),
            self.urls.key_id(),
        );
        self.run(move |conn| {
            let remote = Remote::new(&client, &key, &key_id);
            work(conn, &remote)
        })
        .await
    }
}

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
        // Inboxes (signed POSTs from other servers)
        inbox::user_inbox,
        inbox::shared_inbox,
        // Public pages (HTML; servers get the ActivityPub twin)
        pages::profile_or_feed,
        pages::post_page,
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
        // The owner's view of the fediverse
        notifications::notifications,
        follows::people,
        search::search,
        threads::thread,
        interactions::like,
        interactions::unlike,
        interactions::boost,
        interactions::unboost,
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
        // For service managers and monitors
        health::health,
        server_status::page,
        // Fetching older posts and whole threads
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
