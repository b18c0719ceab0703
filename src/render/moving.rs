//! The moving settings: the owner's other accounts (aliases), moving out, taking a move back.

use maud::{html, Markup};

use crate::model::{OtherAccount, Profile};
use crate::urls::Urls;

use super::{layout, PageMeta, Viewer};

pub const PAGE: &str = "/settings/moving";

fn account_link(account: &OtherAccount) -> Markup {
    html! { a href=(account.url) rel="nofollow noopener noreferrer" { (account.handle) } }
}

/// The notice on the profile page of an owner who moved.
pub fn moved_notice(profile: &Profile) -> Markup {
    html! {
        @if let Some(target) = &profile.moved_to {
            p.notice.moved role="status" {
                (profile.display_name) " has moved to " (account_link(target)) "."
            }
        }
    }
}

pub fn page(
    urls: &Urls,
    profile: &Profile,
    followers: u64,
    viewer: &Viewer,
    message: Option<&str>,
) -> Markup {
    let csrf = viewer.csrf.as_deref().unwrap_or("");
    let own = format!("@{}@{}", profile.username, urls.host());
    let body = html! {
        h1 { "Moving" }
        @if let Some(message) = message { p.notice role="alert" { (message) } }
        section.panel {
            h2 { "Moving here from another account" }
            p.hint {
                "Name your old account here first; then start the move on the old server, pointing it at "
                strong { (own) } ". Its followers will then follow you here."
            }
            @if profile.also_known_as.is_empty() { p.empty { "No other accounts named." } }
            ul.list {
                @for alias in &profile.also_known_as {
                    li {
                        (account_link(alias)) " "
                        form.inline method="post" action=(format!("{PAGE}/aliases/remove")) {
                            input type="hidden" name="csrf" value=(csrf);
                            input type="hidden" name="account" value=(alias.uri);
                            button.link type="submit" aria-label=(format!("Remove {}", alias.handle)) { "Remove" }
                        }
                    }
                }
            }
            form method="post" action=(format!("{PAGE}/aliases")) {
                input type="hidden" name="csrf" value=(csrf);
                label for="alias" { "Old account (@user@example.social)" }
                div.row {
                    input #alias type="text" name="account" required maxlength="300" placeholder="@you@example.social";
                    button type="submit" { "Add alias" }
                }
            }
        }
        section.panel {
            h2 { "Moving to another account" }
            @if let Some(target) = &profile.moved_to {
                p { "This account has moved to " (account_link(target)) ". New posts are refused here; reading still works." }
                form method="post" action=(format!("{PAGE}/cancel")) {
                    input type="hidden" name="csrf" value=(csrf);
                    button.secondary type="submit" { "Take the move back" }
                }
            }
            p.hint {
                "On the new account, first name " strong { (own) } " as an alias. Moving sends all "
                (followers) " followers a Move; their servers follow the new account. From then on this account says where you went and takes no new posts."
            }
            form method="post" action=(format!("{PAGE}/move")) {
                input type="hidden" name="csrf" value=(csrf);
                label for="target" { "New account (@user@example.social)" }
                input #target type="text" name="account" required maxlength="300" placeholder="@you@example.social";
                label for="move-password" { "Your password" }
                input #move-password type="password" name="password" autocomplete="current-password" required;
                button type="submit" { "Move this account" }
            }
        }
    };
    let meta = PageMeta {
        title: "Moving".into(),
        description: "Moving".into(),
        ..PageMeta::default()
    };
    layout(&meta, viewer, &profile.display_name, body)
}
