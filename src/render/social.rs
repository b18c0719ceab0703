//! The owner's view of the fediverse: timeline, other people's posts, notifications, the people
//! who follow and are followed, and search results. Remote text arrives sanitised (HTML) or as
//! plain text that maud escapes.

use maud::{html, Markup};

use crate::domain::search::Found;
use crate::domain::timeline::{Entry, Shown};
use crate::model::{Actor, Notification, NotificationKind, Page, PeopleTab, Profile, RemotePost};
use crate::urls::Urls;

use super::interactions::action;
use super::media::{self, gallery};
use super::{layout, posts, time, trusted, PageMeta, Viewer};

fn meta(title: &str) -> PageMeta {
    PageMeta {
        title: title.to_string(),
        description: title.to_string(),
        ..PageMeta::default()
    }
}

fn avatar(actor: &Actor) -> Markup {
    html! {
        @match &actor.avatar_url {
            Some(url) => img.avatar src=(url) alt="" width="48" height="48" loading="lazy";
            None => img.avatar src="/assets/avatar.svg" alt="" width="48" height="48";
        }
    }
}

fn name(actor: &Actor) -> &str {
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
            @if viewer.is_owner() {
                footer.post-foot.actions {
                    a href=(format!("/?reply_to={}", crate::urls::percent_encode_path(&post.uri))) { "Reply" }
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
    html! {
        div.entry {
            @if let Some(by) = &entry.boosted_by { p.boosted.muted { "Boosted by " (name(by)) } }
            @match &entry.shown {
                Shown::Own(post) => (posts::post_with(urls, profile, post, viewer, false, Some(entry.bookmarked), back)),
                Shown::Remote(post) => (remote_post_with(post, viewer, (entry.liked, entry.boosted, Some(entry.bookmarked)), back)),
            }
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

fn notification_text(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Follow => "followed you",
        NotificationKind::FollowRequest => "asked to follow you",
        NotificationKind::Mention => "mentioned you",
        NotificationKind::Reply => "replied to your post",
        NotificationKind::Like => "liked your post",
        NotificationKind::Announce => "boosted your post",
        NotificationKind::Report => "reported content",
    }
}

pub fn notifications(
    profile: &Profile,
    items: &[Notification],
    viewer: &Viewer,
    older: Option<i64>,
) -> Markup {
    let body = html! {
        h1 { "Notifications" }
        @if items.is_empty() { p.empty { "No notifications yet." } }
        ul.list.notifications {
            @for n in items {
                li.unread[!n.read] {
                    @if let Some(actor) = &n.actor { (avatar(actor)) strong { (name(actor)) } " " span.handle { (actor.handle()) } " " }
                    (notification_text(n.kind)) " "
                    (time(n.created_at))
                    @if let Some(uri) = &n.object_uri { " · " a href=(format!("/thread?uri={}", crate::urls::percent_encode_path(uri))) { "open" } }
                    @if let Some(text) = &n.content { blockquote { (text) } }
                    @if n.kind == NotificationKind::FollowRequest { " · " a href="/people?tab=requests" { "review" } }
                }
            }
        }
        nav.pager { @if let Some(older) = older { a rel="next" href=(format!("/notifications?max_id={older}")) { "Older →" } } }
    };
    layout(&meta("Notifications"), viewer, &profile.display_name, body)
}

pub fn people(profile: &Profile, tab: PeopleTab, actors: &[Actor], viewer: &Viewer) -> Markup {
    let back = match tab {
        PeopleTab::Followers => "/people?tab=followers",
        PeopleTab::Following => "/people?tab=following",
        PeopleTab::Requests => "/people?tab=requests",
    };
    let body = html! {
        h1 { "People" }
        nav.tabs aria-label="Lists" {
            a href="/people?tab=followers" aria-current=[(tab == PeopleTab::Followers).then_some("page")] { "Followers" }
            a href="/people?tab=following" aria-current=[(tab == PeopleTab::Following).then_some("page")] { "Following" }
            a href="/people?tab=requests" aria-current=[(tab == PeopleTab::Requests).then_some("page")] { "Follow requests" }
        }
        @if actors.is_empty() { p.empty { "Nobody here yet." } }
        ul.list.people {
            @for actor in actors {
                li {
                    (avatar(actor)) strong { (name(actor)) } " " span.handle { (actor.handle()) }
                    span.actions {
                        @match tab {
                            PeopleTab::Followers => (action(viewer, "/actions/remove-follower", "actor", &actor.uri, "Remove", back)),
                            PeopleTab::Following => (action(viewer, "/actions/unfollow", "actor", &actor.uri, "Unfollow", back)),
                            PeopleTab::Requests => {
                                (action(viewer, "/actions/approve", "actor", &actor.uri, "Approve", back))
                                (action(viewer, "/actions/reject", "actor", &actor.uri, "Reject", back))
                            }
                        }
                    }
                }
            }
        }
    };
    layout(&meta("People"), viewer, &profile.display_name, body)
}

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
            Found::Account { actor, following, posts, restricted: (blocked, muted) } => {
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
                div.posts { @for post in posts { (remote_post(post, viewer, false, false, &back)) } }
            },
            Found::Post(found) => (entry(urls, profile, found, viewer, &back)),
        }
    };
    layout(&meta("Search"), viewer, &profile.display_name, body)
}

/// A thread around a post: what we hold of its ancestors, the post, and the replies we hold.
pub fn thread(
    urls: &Urls,
    profile: &Profile,
    chain: &[Entry],
    viewer: &Viewer,
    back: &str,
) -> Markup {
    let body = html! {
        div.thread { @for item in chain { (entry(urls, profile, item, viewer, back)) } }
    };
    layout(&meta("Thread"), viewer, &profile.display_name, body)
}

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
