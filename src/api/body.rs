//! Request bodies as Mastodon takes them: JSON, or a form (`application/x-www-form-urlencoded`,
//! with `key[]` arrays and `key[sub]` objects), read into one serde type either way. Query-string
//! parameters fill in what the body does not carry, as Rails merges them.

use rocket::data::{self, FromData, ToByteUnit};
use rocket::http::Status;
use rocket::{Data, Request};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::ApiError;

/// More pairs or deeper keys than any client sends are refused.
const MAX_PAIRS: usize = 1_000;
const MAX_KEY_DEPTH: usize = 4;

pub struct Body<T>(pub T);

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for Body<T> {
    type Error = ApiError;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let limit = request.limits().get("json").unwrap_or(1.mebibytes());
        let bytes = match data.open(limit).into_bytes().await {
            Ok(bytes) if bytes.is_complete() => bytes.into_inner(),
            Ok(_) => return failure(413, "the request is too large"),
            Err(_) => return failure(400, "the request body could not be read"),
        };
        let is_json = request.content_type().is_some_and(|t| t.is_json());
        let mut value = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Map::new())
        } else if is_json {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(value) => value,
                Err(_) => return failure(400, "the JSON body is malformed"),
            }
        } else {
            match form_to_json(&bytes) {
                Ok(value) => value,
                Err(message) => return failure(400, message),
            }
        };
        if let (Value::Object(object), Some(query)) = (&mut value, request.uri().query()) {
            if let Ok(Value::Object(from_query)) = form_to_json(query.as_str().as_bytes()) {
                for (key, item) in from_query {
                    object.entry(key).or_insert(item);
                }
            }
        }
        match serde_json::from_value(value) {
            Ok(parsed) => data::Outcome::Success(Body(parsed)),
            Err(e) => failure(422, format!("Validation failed: {e}")),
        }
    }
}

fn failure<'r, T>(status: u16, message: impl Into<String>) -> data::Outcome<'r, T, ApiError> {
    let status_code = Status::from_code(status).unwrap_or(Status::BadRequest);
    data::Outcome::Error((status_code, ApiError::new(status, message)))
}

/// `a=1&b[]=2&b[]=3&c[d]=4` as `{"a":"1","b":["2","3"],"c":{"d":"4"}}`; every value a string.
pub fn form_to_json(bytes: &[u8]) -> Result<Value, &'static str> {
    let mut root = Value::Object(Map::new());
    for (count, (key, value)) in url::form_urlencoded::parse(bytes).enumerate() {
        if count >= MAX_PAIRS {
            return Err("too many form fields");
        }
        let path = key_path(&key).ok_or("a form field name is malformed")?;
        insert(&mut root, &path, Value::String(value.into_owned()));
    }
    Ok(root)
}

/// `poll[options][]` as `["poll", "options", ""]`.
fn key_path(key: &str) -> Option<Vec<String>> {
    let (head, mut rest) = match key.find('[') {
        Some(at) => key.split_at(at),
        None => (key, ""),
    };
    if head.is_empty() {
        return None;
    }
    let mut path = vec![head.to_string()];
    while !rest.is_empty() {
        let close = rest.find(']')?;
        if !rest.starts_with('[') {
            return None;
        }
        path.push(rest[1..close].to_string());
        rest = &rest[close + 1..];
        if path.len() > MAX_KEY_DEPTH {
            return None;
        }
    }
    Some(path)
}

fn insert(node: &mut Value, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if first.is_empty() {
        // `key[]`: append to an array (a scalar already there is kept as its first item).
        if !node.is_array() {
            let old = std::mem::take(node);
            *node = Value::Array(if old.is_null() { vec![] } else { vec![old] });
        }
        let Value::Array(items) = node else { return };
        if rest.is_empty() {
            items.push(value);
        } else {
            let mut child = Value::Null;
            insert(&mut child, rest, value);
            items.push(child);
        }
        return;
    }
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    let Value::Object(map) = node else { return };
    if rest.is_empty() {
        map.insert(first.clone(), value);
    } else {
        insert(map.entry(first.clone()).or_insert(Value::Null), rest, value);
    }
}

/// Deserializers that take a value as JSON gives it or as a form gives it (a string).
pub mod flex {
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    fn truthy(value: &Value) -> Option<bool> {
        match value {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => Some(n.as_i64() != Some(0)),
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "on" | "yes" | "t" => Some(true),
                "false" | "0" | "off" | "no" | "f" | "" => Some(false),
                _ => None,
            },
            Value::Null => None,
            _ => None,
        }
    }

    /// `true`, `"true"`, `"1"`, `"on"`… as a boolean; absent or null as None.
    pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        let value = Option::<Value>::deserialize(d)?;
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(value) => truthy(&value)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("expected a boolean")),
        }
    }

    /// `40` or `"40"` as a number; absent, null or "" as None.
    pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        let value = Option::<Value>::deserialize(d)?;
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("expected an integer")),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| serde::de::Error::custom("expected an integer")),
            Some(_) => Err(serde::de::Error::custom("expected an integer")),
        }
    }

    /// An id as apps send it: a string or a number; "" as None.
    pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let value = Option::<Value>::deserialize(d)?;
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(serde::de::Error::custom("expected an id")),
        }
    }

    /// A list as JSON's array or a form's `key[]`; a lone string as a list of one.
    pub fn vec_string<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let value = Option::<Value>::deserialize(d)?;
        let text = |v: Value| match v {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(serde::de::Error::custom("expected a list of strings")),
        };
        match value {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items.into_iter().map(text).collect(),
            Some(Value::Object(map)) => map.into_iter().map(|(_, v)| text(v)).collect(),
            Some(other) => Ok(vec![text(other)?]),
        }
    }
}

#[cfg(test)]
mod tests;
