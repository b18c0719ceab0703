//! `POST /users/<user>/inbox` and `POST /inbox`. Thin: read the body (capped), run the verify
//! half of `domain::inbox` off the async threads, hand the activity to the inbound writer, and
//! answer 202 once it is committed. The inbox worker does the rest.

use std::time::SystemTime;

use rocket::data::{Data, ToByteUnit};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{post, State};

use crate::domain::actors::Remote;
use crate::domain::inbox::verify::{self, Refusal, Verdict};
use crate::domain::inbox::{InboundWriter, NewInbound};
use crate::error::{Error, Result};
use crate::federation::signatures::{self, IncomingRequest};
use crate::model::Timestamp;

use super::App;

/// Largest activity accepted (Mastodon's limit too).
const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// What the signature check needs from the request line and headers.
pub struct SignedRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    content_length: Option<u64>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SignedRequest {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|h| (h.name().to_string(), h.value().to_string()))
            .collect();
        let content_length = request
            .headers()
            .get_one("Content-Length")
            .and_then(|v| v.trim().parse().ok());
        Outcome::Success(SignedRequest {
            method: request.method().as_str().to_string(),
            target: request.uri().to_string(),
            headers,
            content_length,
        })
    }
}

#[post("/users/<user>/inbox", data = "<data>")]
pub async fn user_inbox(
    app: &State<App>,
    writer: &State<InboundWriter>,
    user: &str,
    request: SignedRequest,
    data: Data<'_>,
) -> Result<Status> {
    if user != app.config.username {
        return Err(Error::not_found());
    }
    receive(app, writer, request, data).await
}

#[post("/inbox", data = "<data>")]
pub async fn shared_inbox(
    app: &State<App>,
    writer: &State<InboundWriter>,
    request: SignedRequest,
    data: Data<'_>,
) -> Result<Status> {
    receive(app, writer, request, data).await
}

fn refusal(refusal: Refusal) -> Error {
    crate::ops::status::record_refusal(refusal.message());
    crate::log::info(
        "inbox",
        "refused",
        &[
            ("status", &refusal.status()),
            ("reason", &refusal.message()),
        ],
    );
    Error::new(refusal.status(), refusal.message())
}

fn too_large() -> Error {
    Error::new(413, "the activity is larger than 1 MB")
}

fn not_stored() -> Error {
    refusal(Refusal::Unavailable(
        "cannot queue the activity right now; try again later".into(),
    ))
}

async fn receive(
    app: &App,
    writer: &InboundWriter,
    request: SignedRequest,
    data: Data<'_>,
) -> Result<Status> {
    if request.content_length.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(too_large());
    }
    let body = data
        .open(MAX_BODY_BYTES.bytes())
        .into_bytes()
        .await
        .map_err(|_| Error::bad_request("the body could not be read"))?;
    if !body.is_complete() {
        return Err(too_large());
    }
    let body = body.into_inner();
    let incoming = IncomingRequest {
        method: &request.method,
        path_and_query: &request.target,
        headers: &request.headers,
        body: Some(&body),
    };
    let signature = signatures::check_any(&incoming, app.urls.origin(), SystemTime::now())
        .map_err(|e| Error::new(401, e.to_string()))?;
    let activity = verify::parse_body(&body).map_err(refusal)?;
    // Valid JSON is valid UTF-8; the text is kept exactly as it was signed.
    let body = String::from_utf8(body).map_err(|_| Error::bad_request("the body is not UTF-8"))?;

    let (db, client, key, urls) = (
        app.db.clone(),
        app.client.clone(),
        app.signing_key.clone(),
        app.urls.clone(),
    );
    let now = Timestamp::now();
    let (verdict, activity) = rocket::tokio::task::spawn_blocking(move || {
        let connect = || {
            db.get().map_err(|e| {
                crate::log::warn("inbox", "no database connection", &[("error", &e)]);
                Refusal::Unavailable("cannot verify the request right now; try again later".into())
            })
        };
        let key_id = urls.key_id();
        let remote = Remote::new(&client, &key, &key_id);
        let verdict = verify::authenticate(connect, &remote, &urls, &signature, &activity, now)
            .map_err(refusal)?;
        if verdict == Verdict::Accept && signature.kind() != "draft-cavage" {
            if let Ok(conn) = connect() {
                crate::domain::inbox::note_signature_scheme(
                    &conn,
                    &signature.key_id,
                    signature.kind(),
                    now,
                );
            }
        }
        Ok::<_, Error>((verdict, activity))
    })
    .await
    .map_err(|e| Error::internal(format!("inbox task failed: {e}")))??;
    match verdict {
        Verdict::Accept => {}
        Verdict::Drop(_) => return Ok(Status::Accepted),
        Verdict::Forwarded(object) => return forwarded(app, object, now).await,
    }
    // Answered only once the row is committed. A replayed id gets the same answer and changes
    // nothing.
    let (stored, committed) = rocket::tokio::sync::oneshot::channel();
    let row = NewInbound {
        activity_uri: activity.id,
        actor_uri: activity.actor,
        body,
        received_at: now,
    };
    writer.submit(
        row,
        Box::new(move |result| {
            let _ = stored.send(result);
        }),
    );
    match committed.await {
        Ok(Ok(_)) => Ok(Status::Accepted),
        Ok(Err(_)) | Err(_) => Err(not_stored()),
    }
}

/// A forwarded activity: its object is queued to be fetched from its origin.
async fn forwarded(app: &App, object: String, now: Timestamp) -> Result<Status> {
    app.run(move |conn| {
        Ok(crate::domain::backfill::request_forwarded(
            conn, &object, now,
        )?)
    })
    .await?;
    Ok(Status::Accepted)
}

#[cfg(test)]
mod tests;
