//! The owner's bookmarks (private).

use maud::{html, Markup};

use crate::model::Entry;
use crate::model::Profile;
use crate::urls::Urls;

use super::timeline::{entry, meta};
use super::{layout, Viewer};

/// The owner's bookmarks, newest bookmark first.
pub fn bookmarks(
    urls: &Urls,
    profile: &Profile,
    entries: &[Entry],
    viewer: &Viewer,
    older: Option<i64>,
) -> Markup {
    let body = html! {
        h1 { "Bookmarks" }
        p.muted { "Only you see your bookmarks." }
        @if entries.is_empty() { p.empty { "No bookmarks yet." } }
        div.posts { @for item in entries { (entry(urls, profile, item, viewer, "/bookmarks")) } }
        nav.pager aria-label="Pages" {
            @if let Some(before) = older { a rel="next" href=(format!("/bookmarks?before={before}")) { "Older →" } }
        }
    };
    layout(&meta("Bookmarks"), viewer, &profile.display_name, body)
}
