//! Web Push (RFC 8030) for the owner's apps: subscriptions per access token with Mastodon's
//! alerts and policy, the VAPID key published as `vapid_key`, and the worker that sends each new
//! notification, encrypted (RFC 8291) and signed (RFC 8292), to every subscription that wants
//! it. The notifications table is the queue: each subscription remembers how far it has sent,
//! so the delivery worker's rules hold (retries with backoff; 404/410 ends the subscription).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::delivery::Backoff;
use crate::error::{Error, Result};
use crate::federation::client::Client;
use crate::federation::webpush::{self, VapidKey};
use crate::model::{Shown, Timestamp};
use crate::secrets::SecretKey;
use crate::store::push::{self as stored, NewSubscription};
use crate::store::settings;
use crate::urls::Urls;

use super::notifications::{self, Query};

const VAPID_KEY: &str = "vapid_private_key_pkcs8";
/// Waits before each retry of a push that failed in a way that may pass.
const BACKOFF: Backoff = Backoff::new(&[
    Duration::from_secs(30),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(6 * 3600),
]);
const IDLE_WAIT: Duration = Duration::from_millis(500);
/// Longest endpoint URL taken.
const MAX_ENDPOINT: usize = 2048;
/// Characters of a post in a notification's body.
const BODY_CHARS: usize = 140;

/// Mastodon's alert switches.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Alerts {
    #[serde(default)]
    pub mention: bool,
    #[serde(default)]
    pub status: bool,
    #[serde(default)]
    pub reblog: bool,
    #[serde(default)]
    pub follow: bool,
    #[serde(default)]
    pub follow_request: bool,
    #[serde(default)]
    pub favourite: bool,
    #[serde(default)]
    pub poll: bool,
    #[serde(default)]
    pub update: bool,
    #[serde(default, rename = "admin.sign_up")]
    pub admin_sign_up: bool,
    #[serde(default, rename = "admin.report")]
    pub admin_report: bool,
}

impl Alerts {
    fn wants(&self, kind: &str) -> bool {
        match kind {
            "mention" => self.mention,
            "status" => self.status,
            "reblog" => self.reblog,
            "follow" => self.follow,
            "follow_request" => self.follow_request,
            // Mastodon's apps have no switch of their own for reactions: the favourites' one.
            "favourite" | super::notifications::REACTION_TYPE => self.favourite,
            "poll" => self.poll,
            _ => false,
        }
    }
}

/// The policy: whose notifications are pushed. Perch pushes all or none ("followed" and
/// "follower" are kept and treated as "all").
pub fn valid_policy(policy: &str) -> bool {
    matches!(policy, "all" | "followed" | "follower" | "none")
}

/// A subscription as the API shows it.
#[derive(Clone, Debug)]
pub struct View {
    pub id: i64,
    pub endpoint: String,
    pub alerts: Alerts,
    pub policy: String,
    pub server_key: String,
}

/// The VAPID key, made on first use for a database from before Web Push (and at `init`).
fn vapid_key(conn: &Connection) -> Result<VapidKey> {
    if settings::get(conn, VAPID_KEY)?.is_none() {
        let pkcs8 = webpush::generate_vapid_key().map_err(|_| Error::internal("vapid key"))?;
        settings::set_if_missing(conn, VAPID_KEY, &pkcs8)?;
    }
    let pkcs8 = settings::get(conn, VAPID_KEY)?.ok_or_else(|| Error::internal("vapid key"))?;
    VapidKey::from_pkcs8(&pkcs8).map_err(|_| Error::internal("the stored VAPID key is broken"))
}

/// The VAPID public key apps subscribe with: `vapid_key` in the push subscription and in the
/// instance document (`configuration.vapid.public_key` in v2, `vapid_key` in v1).
pub fn vapid_public_key(conn: &Connection) -> Result<String> {
    Ok(vapid_key(conn)?.public_key())
}

fn decode_key(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .or_else(|| URL_SAFE.decode(text).ok())
        .or_else(|| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(text)
                .ok()
        })
}

fn view(conn: &Connection, sub: &stored::Subscription) -> Result<View> {
    Ok(View {
        id: sub.id,
        endpoint: sub.endpoint.clone(),
        alerts: serde_json::from_str(&sub.alerts).unwrap_or_default(),
        policy: sub.policy.clone(),
        server_key: vapid_public_key(conn)?,
    })
}

/// What the app sends to subscribe.
pub struct Subscribe<'a> {
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
    pub alerts: Alerts,
    pub policy: &'a str,
    /// The bearer token the app subscribed with, sent back in each push as Mastodon does.
    pub access_token: &'a str,
}

/// Subscribes the token (replacing its subscription); pushes start with the next
/// notification.
pub fn subscribe(
    conn: &Connection,
    secret: &SecretKey,
    urls: &Urls,
    username: &str,
    token_id: i64,
    new: &Subscribe,
    now: Timestamp,
) -> Result<View> {
    let endpoint = url::Url::parse(new.endpoint.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
        .filter(|_| new.endpoint.len() <= MAX_ENDPOINT)
        .ok_or_else(|| Error::new(422, "Validation failed: Endpoint is not a valid URL"))?;
    let p256dh = decode_key(new.p256dh)
        .filter(|k| k.len() == 65 && k[0] == 4)
        .ok_or_else(|| Error::new(422, "Validation failed: the p256dh key is not valid"))?;
    let auth = decode_key(new.auth)
        .filter(|k| k.len() == 16)
        .ok_or_else(|| Error::new(422, "Validation failed: the auth secret is not valid"))?;
    if !valid_policy(new.policy) {
        return Err(Error::new(422, "Validation failed: unknown policy"));
    }
    let alerts = serde_json::to_string(&new.alerts).map_err(Error::internal)?;
    let sent_through = super::stream::newest_notification(conn, urls, username)?;
    stored::replace(
        conn,
        &NewSubscription {
            token_id,
            endpoint: endpoint.as_str(),
            p256dh: &secret.seal(&p256dh),
            auth: &secret.seal(&auth),
            alerts: &alerts,
            policy: new.policy,
            sent_through,
            access_token: &secret.seal(new.access_token.as_bytes()),
        },
        now,
    )?;
    get(conn, token_id)
}

pub fn get(conn: &Connection, token_id: i64) -> Result<View> {
    let sub =
        stored::of_token(conn, token_id)?.ok_or_else(|| Error::new(404, "Record not found"))?;
    view(conn, &sub)
}

pub fn update(
    conn: &Connection,
    secret: &SecretKey,
    token_id: i64,
    alerts: &Alerts,
    policy: &str,
    access_token: &str,
) -> Result<View> {
    if !valid_policy(policy) {
        return Err(Error::new(422, "Validation failed: unknown policy"));
    }
    let alerts = serde_json::to_string(alerts).map_err(Error::internal)?;
    if !stored::set_alerts(
        conn,
        token_id,
        &alerts,
        policy,
        &secret.seal(access_token.as_bytes()),
    )? {
        return Err(Error::not_found());
    }
    get(conn, token_id)
}

/// The token's current alerts and policy (for an update that names only some).
pub fn current(conn: &Connection, token_id: i64) -> Result<Option<(Alerts, String)>> {
    Ok(stored::of_token(conn, token_id)?.map(|s| {
        (
            serde_json::from_str(&s.alerts).unwrap_or_default(),
            s.policy,
        )
    }))
}

pub fn unsubscribe(conn: &Connection, token_id: i64) -> Result<()> {
    stored::delete_of_token(conn, token_id)?;
    Ok(())
}

/// Seals the keys of subscriptions stored raw (before 0018). Run at start, after the key file
/// is loaded: the migration itself cannot read that file.
pub fn seal_raw_subscriptions(conn: &Connection, secret: &SecretKey) -> Result<usize> {
    let raw = stored::unsealed(conn)?;
    for sub in &raw {
        stored::set_sealed(
            conn,
            sub.id,
            &secret.seal(&sub.p256dh),
            &secret.seal(&sub.auth),
        )?;
    }
    Ok(raw.len())
}

/// A subscription's keys and token, opened; None when they were sealed under another key
/// (a database moved without its key file).
struct Opened {
    p256dh: Vec<u8>,
    auth: Vec<u8>,
    access_token: String,
}

fn open(secret: &SecretKey, sub: &stored::Subscription) -> Option<Opened> {
    if !sub.sealed {
        return None;
    }
    let access_token = match &sub.access_token {
        Some(sealed) => String::from_utf8(secret.open(sealed)?).ok()?,
        None => String::new(),
    };
    Some(Opened {
        p256dh: secret.open(&sub.p256dh)?,
        auth: secret.open(&sub.auth)?,
        access_token,
    })
}

/// The JSON Mastodon pushes for a notification.
fn payload(
    item: &notifications::Item,
    kind: &str,
    owner_avatar: &str,
    access_token: &str,
) -> serde_json::Value {
    let n = &item.notification;
    let who = n
        .actor
        .as_ref()
        .map(|a| {
            if a.display_name.trim().is_empty() {
                a.username.clone()
            } else {
                a.display_name.clone()
            }
        })
        .unwrap_or_default();
    let title = match kind {
        "mention" => format!("You were mentioned by {who}"),
        "favourite" => format!("{who} favourited your post"),
        super::notifications::REACTION_TYPE => format!(
            "{who} reacted {} to your post",
            n.content.as_deref().unwrap_or_default()
        ),
        "reblog" => format!("{who} boosted your post"),
        "follow" => format!("{who} is now following you"),
        "follow_request" => format!("{who} has requested to follow you"),
        "poll" => "A poll has ended".to_string(),
        _ => format!("New notification from {who}"),
    };
    let body = match item.entry.as_ref().map(|e| &e.shown) {
        Some(Shown::Own(post)) => crate::text::plain_text(&post.content_html, BODY_CHARS),
        Some(Shown::Remote(post)) => crate::text::plain_text(&post.content_html, BODY_CHARS),
        None => n
            .actor
            .as_ref()
            .map(|a| crate::text::plain_text(&a.summary_html, BODY_CHARS))
            .unwrap_or_default(),
    };
    let icon = n
        .actor
        .as_ref()
        .and_then(|a| a.avatar_url.clone())
        .unwrap_or_else(|| owner_avatar.to_string());
    serde_json::json!({
        "access_token": access_token,
        "preferred_locale": "en",
        "notification_id": n.id,
        "notification_type": kind,
        "icon": icon,
        "title": title,
        "body": body,
    })
}

/// The push worker: its own connection and client, stepped by `run_once(now)`.
pub struct PushWorker {
    conn: Connection,
    secret: Arc<SecretKey>,
    client: Arc<Client>,
    urls: Urls,
    username: String,
}

/// What one attempt came to.
enum Sent {
    Done,
    Gone,
    Retry(String, Option<Duration>),
}

impl PushWorker {
    pub fn new(
        conn: Connection,
        secret: Arc<SecretKey>,
        client: Arc<Client>,
        urls: Urls,
        username: String,
    ) -> Self {
        PushWorker {
            conn,
            secret,
            client,
            urls,
            username,
        }
    }

    /// Sends what is due at `now`; returns how many pushes it attempted.
    pub fn run_once(&mut self, now: Timestamp) -> Result<usize> {
        let key = vapid_key(&self.conn)?;
        let mut attempted = 0;
        for sub in stored::due(&self.conn, now, 50)? {
            attempted += self.run_subscription(&key, &sub, now)?;
        }
        Ok(attempted)
    }

    fn run_subscription(
        &self,
        key: &VapidKey,
        sub: &stored::Subscription,
        now: Timestamp,
    ) -> Result<usize> {
        let Some(opened) = open(&self.secret, sub) else {
            crate::log::warn(
                "push",
                "subscription dropped: its keys do not open with this key file",
                &[("subscription", &sub.id.to_string())],
            );
            stored::delete(&self.conn, sub.id)?;
            return Ok(0);
        };
        let range = crate::model::Range {
            min_id: Some(sub.sent_through),
            limit: 20,
            ..Default::default()
        };
        let mut listed = notifications::listed(
            &self.conn,
            &self.urls,
            &self.username,
            &Query::default(),
            &range,
        )?;
        listed.items.sort_by_key(|i| i.notification.id);
        let alerts: Alerts = serde_json::from_str(&sub.alerts).unwrap_or_default();
        let avatar = self.urls.origin().to_string();
        let mut attempted = 0;
        for item in &listed.items {
            let id = item.notification.id;
            let kind = notifications::mastodon_type(item.notification.kind);
            let wanted = sub.policy != "none" && alerts.wants(kind);
            if !wanted {
                stored::sent(&self.conn, sub.id, id)?;
                continue;
            }
            attempted += 1;
            let body = payload(item, kind, &avatar, &opened.access_token).to_string();
            match self.send(key, sub, &opened, body.as_bytes(), now) {
                Sent::Done => stored::sent(&self.conn, sub.id, id)?,
                Sent::Gone => {
                    stored::delete(&self.conn, sub.id)?;
                    return Ok(attempted);
                }
                Sent::Retry(why, retry_after) => {
                    match BACKOFF.after(sub.attempts + 1) {
                        Some(wait) => {
                            let wait = retry_after.unwrap_or(wait).max(wait);
                            let at = now.0.saturating_add(wait.as_millis() as i64);
                            stored::retry_later(&self.conn, sub.id, &why, Timestamp(at))?;
                        }
                        // Given up on this notification; the next ones are tried.
                        None => stored::sent(&self.conn, sub.id, id)?,
                    }
                    return Ok(attempted);
                }
            }
        }
        Ok(attempted)
    }

    fn send(
        &self,
        key: &VapidKey,
        sub: &stored::Subscription,
        opened: &Opened,
        body: &[u8],
        now: Timestamp,
    ) -> Sent {
        let Ok(endpoint) = url::Url::parse(&sub.endpoint) else {
            return Sent::Gone;
        };
        let encrypted = match webpush::encrypt(&opened.p256dh, &opened.auth, body) {
            Ok(encrypted) => encrypted,
            Err(_) => return Sent::Gone,
        };
        let Ok(authorization) = key.authorization(&endpoint, self.urls.origin(), now.0 / 1000)
        else {
            return Sent::Retry("cannot sign the VAPID token".into(), None);
        };
        let headers = [
            ("Authorization", authorization),
            ("Content-Encoding", "aes128gcm".to_string()),
            ("Content-Type", "application/octet-stream".to_string()),
            ("TTL", "172800".to_string()),
            ("Urgency", "normal".to_string()),
        ];
        match self.client.post_push(&sub.endpoint, &headers, &encrypted) {
            Ok(answer) => match answer.status {
                200..=299 => Sent::Done,
                404 | 410 => Sent::Gone,
                408 | 429 | 500..=599 => {
                    Sent::Retry(format!("status {}", answer.status), answer.retry_after)
                }
                // Any other refusal will not change on a retry: this one is dropped.
                _ => Sent::Done,
            },
            Err(error) => Sent::Retry(format!("{error:?}"), None),
        }
    }
}

/// Runs the worker on its own thread until `stop` is set.
pub fn spawn(mut worker: PushWorker, stop: Arc<AtomicBool>) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("perch-push".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Err(e) = worker.run_once(Timestamp::now()) {
                    crate::log::warn("push", "worker run failed", &[("error", &e.to_string())]);
                }
                std::thread::park_timeout(IDLE_WAIT);
            }
        })
}

#[cfg(test)]
mod tests;
