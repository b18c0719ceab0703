//! `/settings/archive`: import a Mastodon archive, download this account as one.

use maud::{html, Markup};

use crate::model::Profile;

use super::timeline::meta;
use super::{layout, Viewer};

pub fn settings(
    profile: &Profile,
    outcome: Option<&Result<String, String>>,
    viewer: &Viewer,
) -> Markup {
    let csrf = viewer.csrf.as_deref().unwrap_or("");
    let body = html! {
        section.panel {
            h1 { "Archive" }
            @match outcome {
                Some(Ok(summary)) => p.notice #archive-result role="status" { (summary) },
                Some(Err(message)) => p.error #archive-result role="alert" {
                    "The archive was refused: " (message)
                },
                None => {},
            }
            h2 { "Import a Mastodon archive" }
            p {
                "The posts of an archive from Mastodon's Import and export page come in with their "
                "dates, content warnings, hashtags, images and alt text. Nobody is sent anything; "
                "boosts are skipped. A larger archive than this form takes: "
                code { "perch import archive FILE.zip" } "."
            }
            form method="post" action="/settings/archive" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(csrf);
                input type="file" name="file" accept=".zip,application/zip" required;
                label { input type="checkbox" name="private" value="true";
                    " Also followers-only posts and direct messages, visible to you only" }
                button type="submit" { "Import" }
            }
            h2 { "Export" }
            p { a href="/settings/archive/perch-archive.zip" download { "Download this account as a Mastodon archive" } }
            p { a href="/settings" { "Back to settings" } }
        }
    };
    layout(&meta("Archive"), viewer, &profile.display_name, body)
}
