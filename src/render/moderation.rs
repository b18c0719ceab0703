//! The moderation settings: blocked and muted accounts, blocked domains, muted words.

use maud::{html, Markup};

pub use crate::model::Lists;
use crate::model::{Actor, Profile};

use super::interactions::action;
use super::{layout, PageMeta, Viewer};

const BACK: &str = "/settings/moderation";

fn people(viewer: &Viewer, actors: &[Actor], path: &str, label: &str, empty: &str) -> Markup {
    html! {
        @if actors.is_empty() { p.empty { (empty) } }
        ul.list.people {
            @for actor in actors {
                li {
                    strong { (if actor.display_name.trim().is_empty() { &actor.username } else { &actor.display_name }) }
                    " " span.handle { (actor.handle()) }
                    span.actions { (action(viewer, path, "actor", &actor.uri, label, BACK)) }
                }
            }
        }
    }
}

/// A list of plain values, each with a remove button, and a form to add one.
fn values(
    viewer: &Viewer,
    items: &[String],
    path: &str,
    id: &str,
    label: &str,
    button: &str,
) -> Markup {
    let csrf = viewer.csrf.as_deref().unwrap_or("");
    html! {
        ul.list {
            @for item in items {
                li {
                    (item) " "
                    form.inline method="post" action=(format!("{path}/remove")) {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="value" value=(item);
                        button.link type="submit" aria-label=(format!("Remove {item}")) { "Remove" }
                    }
                }
            }
        }
        form method="post" action=(path) {
            input type="hidden" name="csrf" value=(csrf);
            label for=(id) { (label) }
            div.row {
                input id=(id) type="text" name="value" required maxlength="253";
                button type="submit" { (button) }
            }
        }
    }
}

pub fn page(profile: &Profile, lists: &Lists, viewer: &Viewer, error: Option<&str>) -> Markup {
    let body = html! {
        h1 { "Moderation" }
        @if let Some(message) = error { p.notice role="alert" { (message) } }
        p.muted { "Block or mute an account from its page in " a href="/search" { "Search" } "." }
        section.panel {
            h2 { "Blocked accounts" }
            p.hint { "They are told, stop following you, and see nothing more of you." }
            (people(viewer, &lists.blocked, "/actions/unblock", "Unblock", "Nobody is blocked."))
        }
        section.panel {
            h2 { "Muted accounts" }
            p.hint { "Their posts and boosts stay off your timeline; nobody is told." }
            (people(viewer, &lists.muted, "/actions/unmute", "Unmute", "Nobody is muted."))
        }
        section.panel {
            h2 { "Blocked domains" }
            p.hint { "Their servers' deliveries are refused, nothing of yours is sent there, and their followers of you are removed." }
            (values(viewer, &lists.domains, "/settings/moderation/domains", "block-domain", "Domain to block (example.com)", "Block domain"))
        }
        section.panel {
            h2 { "Muted words" }
            p.hint { "Posts containing one (in any case) stay off your timeline." }
            (values(viewer, &lists.words, "/settings/moderation/words", "mute-word", "Word or phrase to mute", "Mute word"))
        }
    };
    let meta = PageMeta {
        title: "Moderation".into(),
        description: "Moderation".into(),
        ..PageMeta::default()
    };
    layout(&meta, viewer, &profile.display_name, body)
}
