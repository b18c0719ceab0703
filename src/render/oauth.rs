//! The OAuth pages: approving an app (the Mastodon apps' login), the code to copy for apps
//! without a redirect, and the settings page's list of authorized apps.

use maud::{html, Markup};

use crate::model::oauth::{AuthorizedApp, Consent};

use super::{layout, time, PageMeta, Viewer};

fn meta(title: &str) -> PageMeta {
    PageMeta {
        title: title.to_string(),
        description: title.to_string(),
        ..PageMeta::default()
    }
}

/// What a scope lets an app do, in words; granular scopes are shown as they are.
fn scope_words(scope: &str) -> &str {
    match scope {
        "read" => "read everything: posts, timelines, notifications, people",
        "write" => "post, edit, delete, like, boost and change your profile",
        "follow" => "follow, block and mute",
        "push" => "send you push notifications",
        "profile" => "see your profile",
        other => other,
    }
}

/// "App X wants access": the scopes, and approve or deny.
pub fn approve(site_name: &str, consent: &Consent, csrf: &str) -> Markup {
    let hidden = [
        ("client_id", Some(consent.client_id.as_str())),
        ("redirect_uri", Some(consent.redirect_uri.as_str())),
        ("scope", Some(&*consent.scopes.join(" "))),
        ("state", consent.state.as_deref()),
        ("code_challenge", consent.code_challenge.as_deref()),
        (
            "code_challenge_method",
            consent.code_challenge_method.as_deref(),
        ),
    ];
    let body = html! {
        section.panel.narrow #authorize {
            h1 { "Authorize " span.app-name { (consent.app_name) } "?" }
            @if let Some(website) = &consent.website {
                p { "Its website: " a href=(website) rel="nofollow noopener noreferrer" { (website) } }
            }
            p { "It asks to act for you and to:" }
            ul.scopes {
                @for scope in &consent.scopes {
                    li { code { (scope) } " — " (scope_words(scope)) }
                }
            }
            p { "You can revoke its access at any time under Settings, Authorized apps." }
            form method="post" action="/oauth/authorize" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="response_type" value="code";
                @for (name, value) in hidden {
                    @if let Some(value) = value { input type="hidden" name=(name) value=(value); }
                }
                button #approve type="submit" name="decision" value="approve" { "Authorize" }
                " "
                button.secondary #deny type="submit" name="decision" value="deny" { "Deny" }
            }
        }
    };
    layout(
        &meta("Authorize an app"),
        &Viewer::default(),
        site_name,
        body,
    )
}

/// Out of band (`urn:ietf:wg:oauth:2.0:oob`): the code to paste into the app.
pub fn show_code(site_name: &str, code: &str) -> Markup {
    let body = html! {
        section.panel.narrow {
            h1 { "Authorization code" }
            p { "Copy this code and paste it into the app. It works once, within ten minutes." }
            input.oauth-code #code type="text" readonly value=(code) aria-label="Authorization code";
        }
    };
    layout(
        &meta("Authorization code"),
        &Viewer::default(),
        site_name,
        body,
    )
}

/// The owner said no and the app has no address to be told at.
pub fn denied(site_name: &str) -> Markup {
    let body = html! {
        section.panel.narrow {
            h1 { "Access denied" }
            p { "The app was not given access. You can close this page." }
        }
    };
    layout(&meta("Access denied"), &Viewer::default(), site_name, body)
}

/// A request that cannot be answered to the app (unknown app, unregistered redirect URI …).
pub fn refused(site_name: &str, message: &str) -> Markup {
    let body = html! {
        section.panel.narrow {
            h1 { "This authorization request cannot be answered" }
            p.notice role="alert" { (message) }
            p { "Nothing was shared with the app. Try logging in from the app again." }
        }
    };
    layout(
        &meta("Authorization refused"),
        &Viewer::default(),
        site_name,
        body,
    )
}

/// Settings: the apps that act for the owner, each with a revoke button.
pub fn authorized_apps(site_name: &str, viewer: &Viewer, apps: &[AuthorizedApp]) -> Markup {
    let csrf = viewer.csrf.as_deref().unwrap_or("");
    let body = html! {
        section.panel #authorized-apps {
            h1 { "Authorized apps" }
            p { "Apps you logged in to Perch with (phone and desktop apps, scripts). Revoking logs the app out." }
            @if apps.is_empty() {
                p.empty { "No app has access." }
            }
            ul.apps {
                @for app in apps {
                    li.app {
                        strong.app-name { (app.name) }
                        @if let Some(website) = &app.website {
                            " · " a href=(website) rel="nofollow noopener noreferrer" { (website) }
                        }
                        br;
                        "Scopes: " span.scopes { (app.scopes.join(" ")) }
                        br;
                        "Authorized " (time(app.authorized_at))
                        " · last used "
                        @if let Some(used) = app.last_used_at { (time(used)) } @else { "never" }
                        form.inline method="post" action=(format!("/settings/apps/{}/revoke", app.app_id)) {
                            input type="hidden" name="csrf" value=(csrf);
                            " "
                            button.secondary type="submit" { "Revoke" }
                        }
                    }
                }
            }
            p { a href="/settings" { "Back to settings" } }
        }
    };
    layout(&meta("Authorized apps"), viewer, site_name, body)
}
