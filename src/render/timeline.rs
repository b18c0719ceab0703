//! The home timeline and other people's posts in it, drawn the same in every list (notifications,
//! search, threads, bookmarks). Remote text arrives sanitised (HTML) or as plain text that maud
//! escapes.

use maud::{html, Markup};

use crate::model::{Actor, Page, Profile, RemotePost};
use crate::model::{Entry, Shown};
use crate::urls::Urls;

use super::interactions::action;
use super::media::{self, gallery};
use super::{layout, posts, time, trusted, PageMeta, Viewer};

pub(super) fn meta(title: &str) -> PageMeta {
    PageMeta {
        title: title.to_string(),
        description: title.to_string(),
        ..PageMeta::default()
    }
}

pub(super) fn avatar(actor: &Actor) -> Markup {
    html! {
        @match &actor.avatar_url {
            Some(url) => img.avatar src=(url) alt="" width="48" height="48" loading="lazy";
            None => img.avatar src="/assets/avatar.svg" alt="" width="48" height="48";
        }
    }
}

pub(super) fn name(actor: &Actor) -> &str {
    if actor.display_name.trim().is_empty() {
        &actor.username
    } else {
        &actor.display_name
    }
}

/// Someone else's post, with reply, like and boost.
pub fn remote_post(
    post: &RemotePost,
    viewer: &Viewer,
    liked: bool,
    boosted: bool,
    back: &str,
) -> Markup {
    remote_post_with(post, viewer, (liked, boosted, None), back)
}

/// Someone else's post; `done` is what the owner did to it: liked, boosted, bookmarked (when
/// known).
pub fn remote_post_with(
    post: &RemotePost,
    viewer: &Viewer,
    done: (bool, bool, Option<bool>),
    back: &str,
) -> Markup {
    let (liked, boosted, bookmarked) = done;
    let link = post.url.clone().unwrap_or_else(|| post.uri.clone());
    html! {
        article.post {
            header.post-head {
                (avatar(&post.actor))
                div.who {
                    a.name href=(format!("/search?q={}", crate::urls::percent_encode_path(&post.actor.uri))) { (name(&post.actor)) }
                    span.handle { (post.actor.handle()) }
                }
                a.when href=(link) rel="nofollow noopener noreferrer" { (time(post.published_at)) }
            }
            @if let Some(parent) = &post.in_reply_to {
                p.reply-to { "Replying to " a href=(format!("/thread?uri={}", crate::urls::percent_encode_path(parent))) { "a post" } }
            }
            @if let Some(summary) = &post.summary {
                details.cw {
                    summary { span.cw-label { "Content warning: " } (summary) }
                    div.content { (trusted(&post.content_html)) }
                    (gallery(&media::remote(&post.attachments), post.sensitive, &format!("r{}", post.id)))
                }
            } @else {
                div.content { (trusted(&post.content_html)) }
                (gallery(&media::remote(&post.attachments), post.sensitive, &format!("r{}", post.id)))
            }
            @if let Some(quote) = &post.quote { (super::quotes::quote(quote)) }
            @if let Some(poll) = &post.poll { (super::polls::poll(poll, viewer, back, crate::model::Timestamp::now())) }
            @if viewer.is_owner() {
                footer.post-foot.actions {
                    a href=(format!("/?reply_to={}", crate::urls::percent_encode_path(&post.uri))) { "Reply" }
                    @if post.visibility.is_world_readable() {
                        a href=(format!("/?quote={}", crate::urls::percent_encode_path(&post.uri))) { "Quote" }
                    }
                    a href=(format!("/thread?uri={}", crate::urls::percent_encode_path(&post.uri))) { "Thread" }
                    @if liked { (action(viewer, "/actions/unlike", "uri", &post.uri, "Unlike", back)) }
                    @else { (action(viewer, "/actions/like", "uri", &post.uri, "Like", back)) }
                    @if post.visibility.is_world_readable() {
                        @if boosted { (action(viewer, "/actions/unboost", "uri", &post.uri, "Unboost", back)) }
                        @else { (action(viewer, "/actions/boost", "uri", &post.uri, "Boost", back)) }
                    }
                    @match bookmarked {
                        Some(true) => (action(viewer, "/actions/unbookmark", "uri", &post.uri, "Remove bookmark", back)),
                        Some(false) => (action(viewer, "/actions/bookmark", "uri", &post.uri, "Bookmark", back)),
                        None => {},
                    }
                }
            }
        }
    }
}

pub fn entry(urls: &Urls, profile: &Profile, entry: &Entry, viewer: &Viewer, back: &str) -> Markup {
    let shown = html! {
        @match &entry.shown {
            Shown::Own(post) => (posts::post_with(urls, profile, post, viewer, false, Some(entry.bookmarked), back)),
            Shown::Remote(post) => (remote_post_with(post, viewer, (entry.liked, entry.boosted, Some(entry.bookmarked)), back)),
        }
    };
    // A post one of the owner's warn filters matches stays folded, named by the filter.
    let titles: Vec<&str> = entry
        .filtered
        .iter()
        .map(|hit| hit.filter.title.as_str())
        .collect();
    html! {
        div.entry {
            @if let Some(by) = &entry.boosted_by { p.boosted.muted { "Boosted by " (name(by)) } }
            @if titles.is_empty() {
                (shown)
            } @else {
                details.filtered {
                    summary { span.cw-label { "Filtered: " } (titles.join(", ")) }
                    (shown)
                }
            }
            (super::reactions::bar(viewer, &entry.shown.uri(urls), &entry.reactions, back))
        }
    }
}

pub fn timeline(
    urls: &Urls,
    profile: &Profile,
    page: &Page<Entry>,
    viewer: &Viewer,
    compose: Markup,
    error: Option<&str>,
) -> Markup {
    let body = html! {
        section.panel {
            @if let Some(message) = error { p.notice role="alert" { (message) } }
            (compose)
        }
        h2 { "Home" }
        p.notice #new-posts hidden role="status" { a href="/" { "New posts: show them" } }
        @if page.items.is_empty() { p.empty { "Nothing here yet. Follow someone through the search." } }
        div.posts data-newest=(page.items.first().map(|e| e.id.to_string()).unwrap_or_default()) {
            @for item in &page.items { (entry(urls, profile, item, viewer, "/")) }
        }
        nav.pager aria-label="Pages" {
            @if let Some(older) = page.older { a rel="next" href=(format!("/?max_id={older}")) { "Older →" } }
        }
    };
    layout(&meta("Home"), viewer, &profile.display_name, body)
}
