//! `POST /users/<user>/inbox` and `POST /inbox`. Thin: read the body (capped), run the verify
//! half of `domain::inbox` off the async threads, queue the activity, answer 202. The inbox
//! worker does the rest.

use std::time::SystemTime;

use rocket::data::{Data, ToByteUnit};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{post, State};

use crate::domain::actors::Remote;
use crate::domain::inbox::verify::{self, Refusal, Verdict};
use crate::error::{Error, Result};
use crate::federation::signatures::{self, IncomingRequest, Signer};
use crate::model::Timestamp;
use crate::store::inbound;

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
    user: &str,
    request: SignedRequest,
    data: Data<'_>,
) -> Result<Status> {
    if user != app.config.username {
        return Err(Error::not_found());
    }
    receive(app, request, data).await
}

#[post("/inbox", data = "<data>")]
pub async fn shared_inbox(
    app: &State<App>,
    request: SignedRequest,
    data: Data<'_>,
) -> Result<Status> {
    receive(app, request, data).await
}

fn refusal(refusal: Refusal) -> Error {
    Error::new(refusal.status(), refusal.message())
}

fn too_large() -> Error {
    Error::new(413, "the activity is larger than 1 MB")
}

async fn receive(app: &App, request: SignedRequest, data: Data<'_>) -> Result<Status> {
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
    let signature = signatures::check(&incoming, SystemTime::now())
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
    rocket::tokio::task::spawn_blocking(move || {
        let conn = db.get().map_err(Error::internal)?;
        let key_id = urls.key_id();
        let remote = Remote {
            client: &client,
            signer: Signer {
                key: &key,
                key_id: &key_id,
            },
        };
        let now = Timestamp::now();
        match verify::authenticate(&conn, &remote, &urls, &signature, &activity, now) {
            // A replayed id is not queued again: the answer is the same, nothing changes.
            Ok(Verdict::Accept) => {
                inbound::insert(&conn, &activity.id, &activity.actor, &body, now)
                    .map(|_| ())
                    .map_err(|e| refusal(verify::internal(e)))
            }
            Ok(Verdict::Drop(_)) => Ok(()),
            Err(refused) => Err(refusal(refused)),
        }
    })
    .await
    .map_err(|e| Error::internal(format!("inbox task failed: {e}")))??;
    Ok(Status::Accepted)
}

#[cfg(test)]
mod tests;
