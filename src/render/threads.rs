//! A thread around any post we hold.

use maud::{html, Markup};

use crate::model::Entry;
use crate::model::Profile;
use crate::urls::Urls;

use super::timeline::{entry, meta};
use super::{layout, Viewer};

/// A thread around a post: what we hold of its ancestors, the post, and the replies we hold,
/// with a mark while more is being fetched.
pub fn thread(
    urls: &Urls,
    profile: &Profile,
    chain: &[Entry],
    fetching: u64,
    viewer: &Viewer,
    back: &str,
) -> Markup {
    let body = html! {
        (super::backfill::fetching_mark(fetching))
        div.thread { @for item in chain { (entry(urls, profile, item, viewer, back)) } }
    };
    layout(&meta("Thread"), viewer, &profile.display_name, body)
}
