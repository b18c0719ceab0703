//! An incoming activity read from its JSON: the envelope every handler relies on.

use serde_json::Value;

use crate::federation::vocab::{http_url, kind, single_id};

/// An activity with the fields every handler needs proven present; the rest stays in `document`.
#[derive(Clone, Debug)]
pub struct Activity {
    pub id: String,
    pub kind: String,
    /// The actor's id (a single one: several actors are refused).
    pub actor: String,
    pub document: Value,
}

impl Activity {
    /// The `object` field: a value, or None (also for an array: handlers act on one object).
    pub fn object(&self) -> Option<&Value> {
        match self.document.get("object")? {
            Value::Array(items) if items.len() == 1 => items.first(),
            Value::Array(_) | Value::Null => None,
            object => Some(object),
        }
    }

    /// The id of the `object`: a URL, or the `id` of an embedded object.
    pub fn object_id(&self) -> Option<String> {
        single_id(self.document.get("object"))
    }

    /// The `type` of an embedded object (None for a bare id).
    pub fn object_kind(&self) -> Option<String> {
        self.object().and_then(kind)
    }
}

/// Reads the envelope: a JSON object with an http(s) `id`, a `type`, and one `actor`.
pub fn parse(document: Value) -> Result<Activity, &'static str> {
    if !document.is_object() {
        return Err("the body is not a JSON object");
    }
    let id = document
        .get("id")
        .and_then(Value::as_str)
        .and_then(http_url)
        .ok_or("the activity has no usable id")?;
    let kind = kind(&document).ok_or("the activity has no usable type")?;
    let actor = single_id(document.get("actor")).ok_or("the activity has no usable actor")?;
    Ok(Activity {
        id,
        kind,
        actor,
        document,
    })
}

#[cfg(test)]
mod tests;
