//! Mastodon's streaming API: `/api/v1/streaming` over WebSocket (`stream=…` and
//! subscribe/unsubscribe messages on one connection) and the server-sent-event endpoints
//! (`/api/v1/streaming/user` …), over `domain::stream`'s hub. Events are Mastodon's: `update`,
//! `notification`, `delete` and `status.update`.
//!
//! A connection that falls `stream::BACKLOG` events behind (a client that does not read) is
//! closed, as is one whose socket takes longer than `SEND_TIMEOUT` to take a message; at most
//! `stream::MAX_LISTENERS` are open at once (then 503).

use std::time::Duration;

use rocket::futures::{SinkExt, StreamExt};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::stream::{Event as SseEvent, EventStream};
use rocket::response::{self, Responder};
use rocket::tokio::sync::broadcast::error::RecvError;
use rocket::{get, State};
use rocket_ws as ws;
use serde::Deserialize;
use serde_json::json;

use crate::app::App;
use crate::domain::oauth::Grant;
use crate::domain::stream::{self, Event, Listener, Stream};
use crate::urls::Urls;

use super::error::{ApiError, ApiResult};
use super::timelines::{owner_account, statuses};

/// How long a socket may take to accept one message before the client counts as gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// A ping (WebSocket) or comment (SSE) this often keeps proxies from closing an idle stream.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// Largest client message (a subscribe or unsubscribe) read.
const MAX_MESSAGE: usize = 4096;
/// Streams one WebSocket connection may hold at once.
const MAX_STREAMS: usize = 32;

/// The token of a streaming request: `Authorization: Bearer`, `access_token` in the query, or
/// (browsers cannot set headers on a WebSocket) `Sec-WebSocket-Protocol`.
pub struct StreamToken {
    grant: Grant,
    /// The subprotocol to echo: a browser closes a socket whose protocol is not answered.
    protocol: Option<String>,
}

impl StreamToken {
    fn allows(&self, stream: &Stream) -> bool {
        let scope = if stream.has_statuses() {
            "read:statuses"
        } else {
            "read:notifications"
        };
        self.grant.for_owner && self.grant.scopes.allows(scope)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for StreamToken {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        let unauthorized = || Outcome::Error((Status::Unauthorized, ApiError::unauthorized()));
        let protocol = request
            .headers()
            .get_one("Sec-WebSocket-Protocol")
            .map(|p| p.trim().to_string());
        let Some(bearer) = super::auth::bearer(request)
            .or_else(|| protocol.clone())
            .filter(|b| !b.is_empty() && b.len() <= 200)
        else {
            return unauthorized();
        };
        let Some(app) = request.rocket().state::<App>() else {
            return unauthorized();
        };
        match app.authenticate(bearer).await {
            Ok(Some(grant)) => Outcome::Success(StreamToken { grant, protocol }),
            Ok(None) => unauthorized(),
            Err(error) => Outcome::Error((Status::InternalServerError, error.into())),
        }
    }
}

/// What a connection needs of the `App` for as long as it is open (owned: a connection
/// outlives the request that opened it).
#[derive(Clone)]
struct Ctx {
    db: crate::app::Db,
    urls: Urls,
    username: String,
}

impl Ctx {
    fn of(app: &App) -> Ctx {
        Ctx {
            db: app.db.clone(),
            urls: app.urls.clone(),
            username: app.config.username.clone(),
        }
    }

    /// Like `App::run`: blocking database work off the async threads.
    async fn run<T, F>(&self, work: F) -> crate::error::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut rusqlite::Connection, &Urls, &str) -> crate::error::Result<T>
            + Send
            + 'static,
    {
        let this = self.clone();
        rocket::tokio::task::spawn_blocking(move || {
            let mut conn = this.db.get().map_err(crate::error::Error::internal)?;
            work(&mut conn, &this.urls, &this.username)
        })
        .await
        .map_err(|e| crate::error::Error::internal(format!("database task failed: {e}")))?
    }
}

/// One message for the client: the stream names it is for, the event and its payload (a JSON
/// document as a string, or a status id for `delete`).
struct Outgoing {
    stream: Vec<String>,
    event: &'static str,
    payload: String,
}

/// What one connection is subscribed to, and how far it has read the notifications.
struct Subscriptions {
    streams: Vec<Stream>,
    notifications_seen: i64,
}

impl Subscriptions {
    async fn new(cx: &Ctx) -> ApiResult<Subscriptions> {
        let seen = cx
            .run(|conn, urls, username| stream::newest_notification(conn, urls, username))
            .await?;
        Ok(Subscriptions {
            streams: Vec::new(),
            notifications_seen: seen,
        })
    }

    /// What `event` means for each subscribed stream, in the order to send it.
    async fn messages(&mut self, cx: &Ctx, event: Event) -> ApiResult<Vec<Outgoing>> {
        let streams = self.streams.clone();
        match event {
            Event::Deleted(id) => Ok(streams
                .iter()
                .filter(|s| s.has_statuses())
                .map(|s| Outgoing {
                    stream: s.names(),
                    event: "delete",
                    payload: id.to_string(),
                })
                .collect()),
            Event::Posted(_) | Event::Edited(_) | Event::Boosted(_) => {
                let name = if matches!(event, Event::Edited(_)) {
                    "status.update"
                } else {
                    "update"
                };
                let found = cx
                    .run(move |conn, urls, username| {
                        let mut found = Vec::new();
                        for s in streams.iter().filter(|s| s.has_statuses()) {
                            let entry = match &event {
                                Event::Boosted(id) => stream::entry_at(conn, urls, s, *id)?,
                                Event::Posted(uri) | Event::Edited(uri) => {
                                    stream::entry_in(conn, urls, s, uri)?
                                }
                                _ => None,
                            };
                            if let Some(entry) = entry {
                                found.push((s.names(), entry));
                            }
                        }
                        let owner = (!found.is_empty())
                            .then(|| crate::domain::timeline::feeds::owner(conn, username))
                            .transpose()?;
                        Ok((owner, found))
                    })
                    .await?;
                let (Some(owner), found) = found else {
                    return Ok(Vec::new());
                };
                let owner = owner_account(&cx.urls, &owner);
                Ok(found
                    .into_iter()
                    .filter_map(|(names, (entry, extras))| {
                        let status = statuses(&cx.urls, &owner, &[&entry], &[extras]).pop()?;
                        Some(Outgoing {
                            stream: names,
                            event: name,
                            payload: serde_json::to_string(&status).ok()?,
                        })
                    })
                    .collect())
            }
            Event::Notified => {
                if !streams.iter().any(Stream::has_notifications) {
                    return Ok(Vec::new());
                }
                let after = self.notifications_seen;
                let listed = cx
                    .run(move |conn, urls, username| {
                        stream::notifications_after(conn, urls, username, after)
                    })
                    .await?;
                let owner = owner_account(&cx.urls, &listed.owner);
                let mut out = Vec::new();
                for item in &listed.items {
                    self.notifications_seen = self.notifications_seen.max(item.notification.id);
                    let Some(notice) = super::notifications::notice(&cx.urls, &owner, item) else {
                        continue;
                    };
                    let Ok(payload) = serde_json::to_string(&notice) else {
                        continue;
                    };
                    for s in streams.iter().filter(|s| s.has_notifications()) {
                        out.push(Outgoing {
                            stream: s.names(),
                            event: "notification",
                            payload: payload.clone(),
                        });
                    }
                }
                Ok(out)
            }
        }
    }
}

/// A stream named by the query (or a message), checked against the token and the lists.
async fn resolve(
    cx: &Ctx,
    token: &StreamToken,
    name: &str,
    tag: Option<&str>,
    list: Option<&str>,
) -> ApiResult<Stream> {
    let list_id = list.and_then(|l| l.trim().parse::<i64>().ok());
    let Some(stream) = Stream::parse(name, tag, list_id) else {
        return Err(ApiError::new(400, "Unknown stream type"));
    };
    if !token.allows(&stream) {
        return Err(ApiError::forbidden_scope());
    }
    if let Stream::List(id) = stream {
        if !cx
            .run(move |conn, _, _| stream::list_exists(conn, id))
            .await?
        {
            return Err(ApiError::not_found());
        }
    }
    Ok(stream)
}

fn listener() -> ApiResult<Listener> {
    stream::listen().ok_or_else(|| ApiError::new(503, "Too many streaming connections"))
}

#[get("/api/v1/streaming/health")]
pub fn health() -> &'static str {
    "OK"
}

/// The WebSocket answer, with the subprotocol echoed when the token came in it.
pub struct Upgrade {
    channel: ws::Channel<'static>,
    protocol: Option<String>,
}

impl<'r> Responder<'r, 'static> for Upgrade {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let mut response = self.channel.respond_to(request)?;
        if let Some(protocol) = self.protocol {
            response.set_raw_header("Sec-WebSocket-Protocol", protocol);
        }
        Ok(response)
    }
}

/// A client's message: `{"type": "subscribe", "stream": "hashtag", "tag": "rust"}`.
#[derive(Deserialize)]
struct Command {
    #[serde(rename = "type")]
    kind: String,
    stream: String,
    tag: Option<String>,
    list: Option<serde_json::Value>,
}

fn ws_text(message: &Outgoing) -> ws::Message {
    ws::Message::Text(
        json!({
            "stream": message.stream,
            "event": message.event,
            "payload": message.payload,
        })
        .to_string(),
    )
}

fn ws_error(error: &str, status: u16) -> ws::Message {
    ws::Message::Text(json!({"error": error, "status": status}).to_string())
}

#[get("/api/v1/streaming?<stream>&<tag>&<list>")]
pub async fn websocket(
    app: &State<App>,
    socket: ws::WebSocket,
    token: StreamToken,
    stream: Option<&str>,
    tag: Option<&str>,
    list: Option<&str>,
) -> ApiResult<Upgrade> {
    let cx = Ctx::of(app);
    let mut subscriptions = Subscriptions::new(&cx).await?;
    if let Some(name) = stream {
        let first = resolve(&cx, &token, name, tag, list).await?;
        subscriptions.streams.push(first);
    }
    let mut listener = listener()?;
    let protocol = token.protocol.clone();
    let channel = socket.channel(move |mut socket| {
        Box::pin(async move {
            let mut heartbeat = rocket::tokio::time::interval(HEARTBEAT);
            loop {
                let outgoing: Vec<ws::Message> = rocket::tokio::select! {
                    incoming = socket.next() => match incoming {
                        Some(Ok(ws::Message::Text(text))) => {
                            command(&cx, &token, &mut subscriptions, &text).await
                        }
                        Some(Ok(ws::Message::Close(_))) | None | Some(Err(_)) => break,
                        Some(Ok(_)) => Vec::new(),
                    },
                    event = listener.events.recv() => match event {
                        Ok(event) => match subscriptions.messages(&cx, event).await {
                            Ok(messages) => messages.iter().map(ws_text).collect(),
                            Err(_) => Vec::new(),
                        },
                        // Too slow to keep up, or the hub is gone: the client reconnects.
                        Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => break,
                    },
                    _ = heartbeat.tick() => vec![ws::Message::Ping(Vec::new())],
                };
                for message in outgoing {
                    match rocket::tokio::time::timeout(SEND_TIMEOUT, socket.send(message)).await {
                        Ok(Ok(())) => {}
                        _ => return Ok(()),
                    }
                }
            }
            Ok(())
        })
    });
    Ok(Upgrade { channel, protocol })
}

/// A subscribe or unsubscribe message; an answer only for a bad one (Mastodon's error shape).
async fn command(
    cx: &Ctx,
    token: &StreamToken,
    subscriptions: &mut Subscriptions,
    text: &str,
) -> Vec<ws::Message> {
    if text.len() > MAX_MESSAGE {
        return vec![ws_error("Message too large", 400)];
    }
    let Ok(command) = serde_json::from_str::<Command>(text) else {
        return vec![ws_error("Could not parse the message", 400)];
    };
    let list = command.list.as_ref().map(|l| match l {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let stream = match resolve(
        cx,
        token,
        &command.stream,
        command.tag.as_deref(),
        list.as_deref(),
    )
    .await
    {
        Ok(stream) => stream,
        Err(error) => return vec![ws_error(&error.0.message, error.0.status)],
    };
    match command.kind.as_str() {
        "subscribe" => {
            if subscriptions.streams.len() >= MAX_STREAMS {
                return vec![ws_error("Too many subscriptions", 400)];
            }
            if !subscriptions.streams.contains(&stream) {
                subscriptions.streams.push(stream);
            }
        }
        "unsubscribe" => subscriptions.streams.retain(|s| *s != stream),
        _ => return vec![ws_error("Unknown message type", 400)],
    }
    Vec::new()
}

/// Server-sent events for one stream.
async fn sse(
    app: &State<App>,
    token: StreamToken,
    name: &str,
    tag: Option<&str>,
    list: Option<&str>,
) -> ApiResult<EventStream![SseEvent + 'static]> {
    let cx = Ctx::of(app);
    let stream = resolve(&cx, &token, name, tag, list).await?;
    let mut subscriptions = Subscriptions::new(&cx).await?;
    subscriptions.streams.push(stream);
    let mut listener = listener()?;
    Ok(EventStream! {
        loop {
            let event = match listener.events.recv().await {
                Ok(event) => event,
                Err(_) => break,
            };
            let Ok(messages) = subscriptions.messages(&cx, event).await else {
                continue;
            };
            for message in messages {
                yield SseEvent::data(message.payload).event(message.event);
            }
        }
    }
    .heartbeat(HEARTBEAT))
}

#[get("/api/v1/streaming/user")]
pub async fn user(
    app: &State<App>,
    token: StreamToken,
) -> ApiResult<EventStream![SseEvent + 'static]> {
    sse(app, token, "user", None, None).await
}

#[get("/api/v1/streaming/user/notification")]
pub async fn user_notification(
    app: &State<App>,
    token: StreamToken,
) -> ApiResult<EventStream![SseEvent + 'static]> {
    sse(app, token, "user:notification", None, None).await
}

#[get("/api/v1/streaming/public?<only_media>")]
pub async fn public(
    app: &State<App>,
    token: StreamToken,
    only_media: Option<&str>,
) -> ApiResult<EventStream![SseEvent + 'static]> {
    let _ = only_media;
    sse(app, token, "public", None, None).await
}

#[get("/api/v1/streaming/public/local")]
pub async fn public_local(
    app: &State<App>,
    token: StreamToken,
) -> ApiResult<EventStream![SseEvent + 'static]> {
    sse(app, token, "public:local", None, None).await
}

#[get("/api/v1/streaming/public/remote")]
pub async fn public_remote(
    app: &State<App>,
    token: StreamToken,
) -> ApiResult<EventStream![SseEvent + 'static]> {
    sse(app, token, "public:remote", None, None).await
}

#[get("/api/v1/streaming/hashtag?<tag>")]
pub async fn hashtag(
    app: &State<App>,
    token: StreamToken,
    tag: Option<&str>,
) -> ApiResult<EventStream![SseEvent + 'static]> {
    sse(app, token, "hashtag", tag, None).await
}

#[get("/api/v1/streaming/hashtag/local?<tag>")]
pub async fn hashtag_local(
    app: &State<App>,
    token: StreamToken,
    tag: Option<&str>,
) -> ApiResult<EventStream![SseEvent + 'static]> {
    sse(app, token, "hashtag:local", tag, None).await
}

#[get("/api/v1/streaming/list?<list>")]
pub async fn list(
    app: &State<App>,
    token: StreamToken,
    list: Option<&str>,
) -> ApiResult<EventStream![SseEvent + 'static]> {
    sse(app, token, "list", None, list).await
}
