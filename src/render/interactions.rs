//! The owner's small action forms: like, boost, follow, block … one button about one thing.

use maud::{html, Markup};

use super::Viewer;

/// A small form posting one action about one thing, then coming back to `back`.
pub fn action(
    viewer: &Viewer,
    path: &str,
    field: &str,
    value: &str,
    label: &str,
    back: &str,
) -> Markup {
    html! {
        form.inline method="post" action=(path) {
            input type="hidden" name="csrf" value=(viewer.csrf.as_deref().unwrap_or(""));
            input type="hidden" name=(field) value=(value);
            input type="hidden" name="back" value=(back);
            button.link type="submit" { (label) }
        }
    }
}
