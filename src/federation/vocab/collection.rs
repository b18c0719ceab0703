//! Collections read defensively: an outbox, a `featured`, a post's `replies` (Mastodon's
//! `first`/`next` pages, FEP-7458) or its `context` (FEP-f228). Bounded: at most
//! [`MAX_COLLECTION_ITEMS`] items, and an embedded `first` page is read one level deep only.

use serde_json::Value;

use super::{http_url, id_of, kind};

/// Most items read from one collection or page.
pub const MAX_COLLECTION_ITEMS: usize = 200;

const COLLECTION_TYPES: [&str; 4] = [
    "Collection",
    "OrderedCollection",
    "CollectionPage",
    "OrderedCollectionPage",
];

/// A page (or a collection that holds its items itself).
#[derive(Clone, Debug, Default)]
pub struct Collection {
    /// `orderedItems` or `items`, in order: ids as strings, embedded objects as they are.
    pub items: Vec<Value>,
    /// The first page: a URL to fetch, or embedded (read here).
    pub first: Option<First>,
    pub next: Option<String>,
}

#[derive(Clone, Debug)]
pub enum First {
    Url(String),
    Embedded(Box<Collection>),
}

/// Reads a collection or page. `Err` when it is not one.
pub fn parse_collection(document: &Value) -> Result<Collection, &'static str> {
    read(document, true)
}

fn read(document: &Value, with_first: bool) -> Result<Collection, &'static str> {
    let kind = kind(document).ok_or("the collection has no type")?;
    if !COLLECTION_TYPES.contains(&kind.as_str()) {
        return Err("not a collection");
    }
    let items = match document
        .get("orderedItems")
        .or_else(|| document.get("items"))
    {
        Some(Value::Array(items)) => items
            .iter()
            .filter(|item| item.is_string() || item.is_object())
            .take(MAX_COLLECTION_ITEMS)
            .cloned()
            .collect(),
        Some(item @ (Value::String(_) | Value::Object(_))) => vec![item.clone()],
        _ => Vec::new(),
    };
    let first = match document.get("first") {
        Some(Value::String(url)) => http_url(url).map(First::Url),
        Some(page @ Value::Object(_)) if with_first => match read(page, false) {
            // A page with nothing in it but its id (GoToSocial) is one to fetch.
            Ok(read) if read.items.is_empty() && read.next.is_none() && id_of(page).is_some() => {
                id_of(page).map(First::Url)
            }
            Ok(page) => Some(First::Embedded(Box::new(page))),
            // An embedded link with an id only.
            Err(_) => id_of(page).map(First::Url),
        },
        _ => None,
    };
    Ok(Collection {
        items,
        first,
        next: document.get("next").and_then(id_of),
    })
}

/// The URL of a collection a post names (`replies`, `context`): a URL or an object with an id;
/// a `tag:` URI or any other non-http value is none.
pub fn collection_link(object: &Value, field: &str) -> Option<String> {
    object.get(field).and_then(id_of)
}

/// The embedded `first` page of a collection a post names, when it carries one (Mastodon embeds
/// the first page of `replies`): read without another request.
pub fn embedded_collection(object: &Value, field: &str) -> Option<Collection> {
    object
        .get(field)
        .filter(|value| value.is_object())
        .and_then(|value| parse_collection(value).ok())
}

#[cfg(test)]
mod tests;
