//! Mastodon's Filter, FilterKeyword, FilterStatus, FilterResult, and the v1 filter.

use serde_json::{json, Value};

use crate::model::{FilterHit, FilterKeyword, FilterRule, FilterStatus};

use super::datetime;

pub fn keyword(keyword: &FilterKeyword) -> Value {
    json!({
        "id": keyword.id.to_string(),
        "keyword": keyword.keyword,
        "whole_word": keyword.whole_word,
    })
}

pub fn status(status: &FilterStatus) -> Value {
    json!({
        "id": status.id.to_string(),
        "status_id": status.status_id.to_string(),
    })
}

pub fn filter(rule: &FilterRule) -> Value {
    json!({
        "id": rule.id.to_string(),
        "title": rule.title,
        "context": rule.contexts,
        "expires_at": rule.expires_at.map(datetime),
        "filter_action": rule.action,
        "keywords": rule.keywords.iter().map(keyword).collect::<Vec<_>>(),
        "statuses": rule.statuses.iter().map(status).collect::<Vec<_>>(),
    })
}

/// A status's `filtered` item.
pub fn result(hit: &FilterHit) -> Value {
    let statuses: Vec<String> = hit.status_matches.iter().map(|id| id.to_string()).collect();
    json!({
        "filter": filter(&hit.filter),
        "keyword_matches": (!hit.keyword_matches.is_empty()).then_some(&hit.keyword_matches),
        "status_matches": (!statuses.is_empty()).then_some(statuses),
    })
}

/// The v1 shape: one per keyword, `irreversible` for a filter that hides.
pub fn v1(rule: &FilterRule, keyword: &FilterKeyword) -> Value {
    json!({
        "id": keyword.id.to_string(),
        "phrase": keyword.keyword,
        "context": rule.contexts,
        "whole_word": keyword.whole_word,
        "expires_at": rule.expires_at.map(datetime),
        "irreversible": rule.action == "hide",
    })
}
