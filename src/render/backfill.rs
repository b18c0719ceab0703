//! Backfill on the owner's pages: the "fetching n more posts" mark, and the settings page with
//! the switch.

use maud::{html, Markup};

use crate::model::Profile;

use super::timeline::meta;
use super::{layout, Viewer};

/// Shown on a thread or profile while fetches for it are queued; nothing once they are done.
pub fn fetching_mark(pending: u64) -> Markup {
    html! {
        @if pending > 0 {
            p.notice.fetching role="status" {
                "Fetching " (pending) " more " (if pending == 1 { "post" } else { "posts" })
                " from other servers; reload to see them."
            }
        }
    }
}

/// `/settings/backfill`: whether Perch fetches older posts, and how much is queued.
pub fn settings(profile: &Profile, enabled: bool, pending: u64, viewer: &Viewer) -> Markup {
    let csrf = viewer.csrf.as_deref().unwrap_or("");
    let body = html! {
        section.panel {
            h1 { "Backfill" }
            p {
                "When you follow an account, open a thread or look at a profile, Perch fetches the "
                "recent posts and the missing replies from the servers they live on, a few at a "
                "time (at most 60 requests a minute to one server). Visitors never cause a fetch."
            }
            p #backfill-state { "Backfill is " strong { (if enabled { "on" } else { "off" }) } "; "
                (pending) " fetches queued." }
            form method="post" action="/settings/backfill" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="enabled" value=(if enabled { "false" } else { "true" });
                button type="submit" { (if enabled { "Turn backfill off" } else { "Turn backfill on" }) }
            }
            p { a href="/settings" { "Back to settings" } }
        }
    };
    layout(&meta("Backfill"), viewer, &profile.display_name, body)
}
