//! Mastodon's List and Tag (for followed tags).

use serde_json::{json, Value};

use crate::model::List;
use crate::urls::Urls;

pub fn list(list: &List) -> Value {
    json!({
        "id": list.id.to_string(),
        "title": list.title,
        "replies_policy": list.replies_policy,
        "exclusive": list.exclusive,
    })
}

pub fn tag(urls: &Urls, name: &str, following: bool) -> Value {
    json!({
        "name": name.to_lowercase(),
        "url": urls.tag(name),
        "history": [],
        "following": following,
    })
}
