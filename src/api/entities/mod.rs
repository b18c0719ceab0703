//! Mastodon's JSON entities, built from the domain's views: pure functions, no database. Ids are
//! strings, times as Mastodon writes them (`2026-12-02T18:25:44.196Z`).

pub mod account;
pub mod conversation;
pub mod filter;
pub mod list;
pub mod media;
pub mod notification;
pub mod poll;
pub mod relationship;
pub mod scheduled_status;
pub mod status;

use time::OffsetDateTime;

use crate::model::Timestamp;
use crate::urls::Urls;

/// The owner's account id. Remote accounts use their row ids, which start at 1.
pub const OWNER_ACCOUNT_ID: &str = "0";

/// `2026-12-02T18:25:44.196Z`.
pub fn datetime(at: Timestamp) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&format)
        .unwrap_or_default()
}

/// `2026-12-02`, as `last_status_at` is written.
pub fn date(at: Timestamp) -> String {
    datetime(at).chars().take(10).collect()
}

/// Where a relative path of ours points, absolutely (apps load images from other origins).
pub fn absolute(urls: &Urls, path: &str) -> String {
    if path.starts_with('/') {
        format!("{}{path}", urls.origin())
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests;
