//! Search results: a post or an account found by handle or URL.

use maud::{html, Markup};

use crate::model::Found;
use crate::model::Profile;
use crate::urls::Urls;

use super::interactions::action;
use super::timeline::{avatar, entry, meta, name, remote_post};
use super::{layout, trusted, Viewer};

pub fn search(
    urls: &Urls,
    profile: &Profile,
    query: &str,
    found: &Found,
    error: Option<&str>,
    viewer: &Viewer,
) -> Markup {
    let back = format!("/search?q={}", crate::urls::percent_encode_path(query));
    let body = html! {
        h1 { "Search" }
        form.search method="get" action="/search" role="search" {
            label for="q" { "An account (@user@example.com) or the URL of a profile or post" }
            div.row {
                input #q type="search" name="q" value=(query) required;
                button type="submit" { "Search" }
            }
        }
        @if let Some(message) = error { p.notice role="alert" { (message) } }
        @match found {
            Found::Nothing => {},
            Found::Account { actor, following, posts, restricted: (blocked, muted), pinned, fetching } => {
                section.panel.account {
                    (avatar(actor))
                    h2 { (name(actor)) }
                    p.handle { (actor.handle()) " · " a href=(actor.url) rel="nofollow noopener noreferrer" { "profile" } }
                    @if !actor.summary_html.is_empty() { div.bio { (trusted(&actor.summary_html)) } }
                    @match following {
                        Some(crate::model::FollowState::Accepted) => (action(viewer, "/actions/unfollow", "actor", &actor.uri, "Unfollow", &back)),
                        Some(crate::model::FollowState::Pending) => { p.muted { "Follow requested" } (action(viewer, "/actions/unfollow", "actor", &actor.uri, "Cancel request", &back)) },
                        _ => (action(viewer, "/actions/follow", "actor", &actor.uri, "Follow", &back)),
                    }
                    " · "
                    @if *muted { (action(viewer, "/actions/unmute", "actor", &actor.uri, "Unmute", &back)) }
                    @else { (action(viewer, "/actions/mute", "actor", &actor.uri, "Mute", &back)) }
                    " · "
                    @if *blocked { (action(viewer, "/actions/unblock", "actor", &actor.uri, "Unblock", &back)) }
                    @else { (action(viewer, "/actions/block", "actor", &actor.uri, "Block", &back)) }
                }
                (super::backfill::fetching_mark(*fetching))
                @if !pinned.is_empty() {
                    section.pinned aria-label="Pinned posts" {
                        h3 { "Pinned" }
                        div.posts { @for post in pinned { (remote_post(post, viewer, false, false, &back)) } }
                    }
                }
                div.posts { @for post in posts.iter().filter(|p| !pinned.iter().any(|q| q.id == p.id)) { (remote_post(post, viewer, false, false, &back)) } }
            },
            Found::Post(found) => (entry(urls, profile, found, viewer, &back)),
        }
    };
    layout(&meta("Search"), viewer, &profile.display_name, body)
}
