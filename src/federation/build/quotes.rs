//! Quotes (FEP-044f, as Mastodon 4.5 sends them): who may quote our posts, the authorization we
//! host for a quote we allowed, the answers to a `QuoteRequest`, and our own requests.

use serde_json::{json, Value};

use super::{with_context, AS_CONTEXT};
use crate::model::QuotePolicy;
use crate::urls::{Urls, AS_PUBLIC};

/// The JSON-LD terms of quotes and interaction policies, as Mastodon 4.5 declares them.
pub fn quote_terms() -> Value {
    json!({
        "quote": {"@id": "https://w3id.org/fep/044f#quote", "@type": "@id"},
        "quoteUri": "http://fedibird.com/ns#quoteUri",
        "_misskey_quote": "https://misskey-hub.net/ns#_misskey_quote",
        "quoteAuthorization": {"@id": "https://w3id.org/fep/044f#quoteAuthorization", "@type": "@id"},
        "QuoteAuthorization": "https://w3id.org/fep/044f#QuoteAuthorization",
        "QuoteRequest": "https://w3id.org/fep/044f#QuoteRequest",
        "gts": "https://gotosocial.org/ns#",
        "interactionPolicy": {"@id": "gts:interactionPolicy", "@type": "@id"},
        "canQuote": {"@id": "gts:canQuote", "@type": "@id"},
        "automaticApproval": {"@id": "gts:automaticApproval", "@type": "@id"},
        "manualApproval": {"@id": "gts:manualApproval", "@type": "@id"},
        "interactingObject": {"@id": "gts:interactingObject", "@type": "@id"},
        "interactionTarget": {"@id": "gts:interactionTarget", "@type": "@id"}
    })
}

fn context() -> Value {
    json!([AS_CONTEXT, quote_terms()])
}

/// `interactionPolicy` of a post: `canQuote` by its policy (everyone, our followers, only us).
pub fn interaction_policy(urls: &Urls, policy: QuotePolicy) -> Value {
    let automatic = match policy {
        QuotePolicy::Public => AS_PUBLIC.to_string(),
        QuotePolicy::Followers => urls.followers(),
        QuotePolicy::Nobody => urls.actor(),
    };
    json!({"canQuote": {"automaticApproval": [automatic], "manualApproval": []}})
}

/// The `QuoteAuthorization` we host for `quoting` (their post) quoting `quoted` (ours).
pub fn quote_authorization(urls: &Urls, id: i64, quoting: &str, quoted: &str) -> Value {
    with_context(
        context(),
        json!({
            "id": urls.quote_authorization(id),
            "type": "QuoteAuthorization",
            "attributedTo": urls.actor(),
            "interactingObject": quoting,
            "interactionTarget": quoted,
        }),
    )
}

/// Accept of a `QuoteRequest` (embedded as received), its `result` our authorization.
pub fn accept_quote(urls: &Urls, id: &str, request: &Value, authorization: &str) -> Value {
    with_context(
        context(),
        json!({
            "id": id,
            "type": "Accept",
            "actor": urls.actor(),
            "to": [request.get("actor").cloned().unwrap_or(Value::Null)],
            "object": request,
            "result": authorization,
        }),
    )
}

/// Reject of a `QuoteRequest` (embedded as received).
pub fn reject_quote(urls: &Urls, id: &str, request: &Value) -> Value {
    with_context(
        context(),
        json!({
            "id": id,
            "type": "Reject",
            "actor": urls.actor(),
            "to": [request.get("actor").cloned().unwrap_or(Value::Null)],
            "object": request,
        }),
    )
}

/// The `QuoteRequest` of our post `note` (the Note, embedded as `instrument`) quoting `quoted`
/// by `author`.
pub fn quote_request(urls: &Urls, id: &str, quoted: &str, author: &str, note: &Value) -> Value {
    with_context(
        super::object_context(),
        json!({
            "id": id,
            "type": "QuoteRequest",
            "actor": urls.actor(),
            "to": [author],
            "object": quoted,
            "instrument": note,
        }),
    )
}

/// Delete of an authorization we granted: the quote is revoked.
pub fn delete_authorization(urls: &Urls, id: &str, authorization: &str, to: &[String]) -> Value {
    with_context(
        context(),
        json!({
            "id": id,
            "type": "Delete",
            "actor": urls.actor(),
            "to": to,
            "object": authorization,
        }),
    )
}
