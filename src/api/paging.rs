//! Mastodon's paging: `max_id`, `since_id`, `min_id` and `limit` in, a `Link` header out with
//! `rel="next"` (older) and `rel="prev"` (newer) URLs that keep the request's other parameters.

use rocket::form::FromForm;
use rocket::http::Header;
use rocket::response::{self, Responder, Response};
use rocket::Request;
use serde::Serialize;

use crate::app::App;
use crate::model::Range;

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 40;

/// The paging parameters of a query string. Ids are read as text: an id that is not a number
/// names nothing and is ignored, as Mastodon does.
#[derive(FromForm, Default, Debug)]
pub struct PageQuery {
    pub max_id: Option<String>,
    pub since_id: Option<String>,
    pub min_id: Option<String>,
    pub limit: Option<String>,
}

impl PageQuery {
    pub fn range(&self) -> Range {
        self.range_up_to(DEFAULT_LIMIT, MAX_LIMIT)
    }

    /// With another default and cap (notifications: 40 and 80).
    pub fn range_up_to(&self, default: usize, max: usize) -> Range {
        let id = |v: &Option<String>| v.as_deref().and_then(|s| s.trim().parse::<i64>().ok());
        let limit = self
            .limit
            .as_deref()
            .and_then(|s| s.trim().parse::<usize>().ok())
            .unwrap_or(default)
            .clamp(1, max);
        Range {
            max_id: id(&self.max_id),
            since_id: id(&self.since_id),
            min_id: id(&self.min_id),
            limit,
        }
    }
}

/// A JSON list with its `Link` header. `older` is the id for the next page's `max_id` (the last
/// item's), `newer` the id for the previous page's `min_id` (the first item's).
pub struct Paged {
    /// The items as JSON text: written straight from the entities, with no `Value` tree between.
    body: String,
    older: Option<i64>,
    newer: Option<i64>,
}

impl Paged {
    pub fn new(items: &impl Serialize, older: Option<i64>, newer: Option<i64>) -> Paged {
        Paged {
            // Entities have string keys only, so writing them cannot fail.
            body: serde_json::to_string(items).unwrap_or_else(|_| String::from("[]")),
            older,
            newer,
        }
    }

    /// A page whose keys are its items' own ids (newest first).
    pub fn from_ids(items: &impl Serialize, ids: &[i64]) -> Paged {
        Paged::new(items, ids.last().copied(), ids.first().copied())
    }
}

/// `origin + path?other params&key=id`.
fn page_url(request: &Request<'_>, key: &str, id: i64) -> String {
    let origin = request
        .rocket()
        .state::<App>()
        .map(|app| app.urls.origin().to_string())
        .unwrap_or_default();
    let mut url = format!("{origin}{}?", request.uri().path());
    if let Some(query) = request.uri().query() {
        for (name, value) in url::form_urlencoded::parse(query.as_str().as_bytes()) {
            if matches!(name.as_ref(), "max_id" | "since_id" | "min_id") {
                continue;
            }
            let pair: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair(&name, &value)
                .finish();
            url.push_str(&pair);
            url.push('&');
        }
    }
    url.push_str(&format!("{key}={id}"));
    url
}

impl<'r> Responder<'r, 'static> for Paged {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let mut links = Vec::new();
        if let Some(id) = self.older {
            links.push(format!(
                "<{}>; rel=\"next\"",
                page_url(request, "max_id", id)
            ));
        }
        if let Some(id) = self.newer {
            links.push(format!(
                "<{}>; rel=\"prev\"",
                page_url(request, "min_id", id)
            ));
        }
        let body = self.body;
        let mut response = Response::build();
        response
            .header(rocket::http::ContentType::JSON)
            .sized_body(body.len(), std::io::Cursor::new(body));
        if !links.is_empty() {
            response.header(Header::new("Link", links.join(", ")));
        }
        response.ok()
    }
}
