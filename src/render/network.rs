//! The setting for who sees the owner's network: the followers and following lists, or only
//! their counts (Mastodon's "hide your network").

use maud::{html, Markup};

use super::{layout, PageMeta, Viewer};

pub const PAGE: &str = "/settings/network";

pub fn page(site_name: &str, hidden: bool, viewer: &Viewer) -> Markup {
    let csrf = viewer.csrf.as_deref().unwrap_or("");
    let body = html! {
        h1 { "Followers and following" }
        section.panel {
            form method="post" action=(PAGE) {
                input type="hidden" name="csrf" value=(csrf);
                label {
                    input type="checkbox" name="hide" value="true" checked[hidden];
                    " Show only how many follow me and whom I follow, not who"
                }
                p.hint {
                    "Other servers then see the counts of your followers and following "
                    "collections, but not the accounts in them."
                }
                button type="submit" { "Save" }
            }
        }
    };
    let meta = PageMeta {
        title: "Followers and following".into(),
        description: "Followers and following".into(),
        ..PageMeta::default()
    };
    layout(&meta, viewer, site_name, body)
}
