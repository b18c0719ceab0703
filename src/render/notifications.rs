//! The owner's notifications: who followed, mentioned, replied, liked, boosted or moved.

use maud::{html, Markup};

use crate::model::{Notification, NotificationKind, Profile};

use super::timeline::{avatar, meta, name};
use super::{layout, time, Viewer};

fn notification_text(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Follow => "followed you",
        NotificationKind::FollowRequest => "asked to follow you",
        NotificationKind::Mention => "mentioned you",
        NotificationKind::Reply => "replied to your post",
        NotificationKind::Like => "liked your post",
        NotificationKind::Announce => "boosted your post",
        NotificationKind::Report => "reported content",
        NotificationKind::Move => "moved to a new account",
        NotificationKind::Status => "posted",
        NotificationKind::Poll => "a poll has ended",
        NotificationKind::Reaction => "reacted to your post",
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
                    @if n.kind == NotificationKind::Move {
                        @if let Some(uri) = &n.object_uri { " · now " a href=(uri) rel="nofollow noopener noreferrer" { (n.content.as_deref().unwrap_or(uri)) } }
                    } @else {
                        @if let Some(uri) = &n.object_uri { " · " a href=(format!("/thread?uri={}", crate::urls::percent_encode_path(uri))) { "open" } }
                        @if let Some(text) = &n.content { blockquote { (text) } }
                    }
                    @if n.kind == NotificationKind::FollowRequest { " · " a href="/people?tab=requests" { "review" } }
                }
            }
        }
        nav.pager { @if let Some(older) = older { a rel="next" href=(format!("/notifications?max_id={older}")) { "Older →" } } }
    };
    layout(&meta("Notifications"), viewer, &profile.display_name, body)
}
