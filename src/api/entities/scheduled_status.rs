//! Mastodon's ScheduledStatus.

use serde_json::{json, Value};

use crate::domain::statuses::scheduled::ScheduledView;
use crate::model::Visibility;
use crate::urls::Urls;

use super::{datetime, media, status};

pub fn scheduled(urls: &Urls, view: &ScheduledView) -> Value {
    let params = &view.params;
    json!({
        "id": view.id.to_string(),
        "scheduled_at": datetime(view.scheduled_at),
        "params": {
            "text": params.text,
            "poll": null,
            "media_ids": if params.media_ids.is_empty() {
                Value::Null
            } else {
                json!(params.media_ids.iter().map(i64::to_string).collect::<Vec<_>>())
            },
            "sensitive": params.sensitive,
            "spoiler_text": params.spoiler_text,
            "visibility": status::visibility(params.visibility.unwrap_or(Visibility::Public)),
            "in_reply_to_id": params.in_reply_to_id.map(|id| id.to_string()),
            "language": params.language,
            "application_id": null,
            "scheduled_at": null,
            "idempotency": null,
            "with_rate_limit": false,
        },
        "media_attachments": view.media.iter().map(|m| media::own(urls, m)).collect::<Vec<_>>(),
    })
}
