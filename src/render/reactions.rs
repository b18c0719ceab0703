//! Emoji reactions under a post: the counts everyone sees, and the owner's buttons to react
//! (with one of those shown, or any emoji typed in) and to take a reaction back.

use maud::{html, Markup};

use crate::model::ReactionCount;

use super::Viewer;

/// The reactions with their counts, for anyone; nothing when there are none.
pub fn counts(reactions: &[ReactionCount]) -> Markup {
    html! {
        @if !reactions.is_empty() {
            ul.reactions aria-label="Reactions" {
                @for r in reactions {
                    li.reaction.mine[r.mine] title=(label(r)) {
                        span.emoji { (r.content) } " " span.count { (r.count) }
                    }
                }
            }
        }
    }
}

fn label(r: &ReactionCount) -> String {
    let people = if r.count == 1 { "person" } else { "people" };
    format!("{} {people} reacted {}", r.count, r.content)
}

fn form(viewer: &Viewer, path: &str, uri: &str, emoji: &str, back: &str, body: Markup) -> Markup {
    html! {
        form.inline method="post" action=(path) {
            input type="hidden" name="csrf" value=(viewer.csrf.as_deref().unwrap_or(""));
            input type="hidden" name="uri" value=(uri);
            input type="hidden" name="emoji" value=(emoji);
            input type="hidden" name="back" value=(back);
            (body)
        }
    }
}

/// The owner's view: each reaction a button (joining it, or taking the owner's back), and a
/// field to react with any emoji. Others see [`counts`].
pub fn bar(viewer: &Viewer, uri: &str, reactions: &[ReactionCount], back: &str) -> Markup {
    if !viewer.is_owner() {
        return counts(reactions);
    }
    html! {
        div.reactions.owner {
            @for r in reactions {
                @let path = if r.mine { "/actions/unreact" } else { "/actions/react" };
                @let title = if r.mine { format!("Take back your {}", r.content) } else { format!("React {}", r.content) };
                (form(viewer, path, uri, &r.content, back, html! {
                    button.reaction.mine[r.mine] type="submit" title=(title) aria-pressed=(if r.mine { "true" } else { "false" }) {
                        span.emoji { (r.content) } " " span.count { (r.count) }
                    }
                }))
            }
            form.inline.react method="post" action="/actions/react" {
                input type="hidden" name="csrf" value=(viewer.csrf.as_deref().unwrap_or(""));
                input type="hidden" name="uri" value=(uri);
                input type="hidden" name="back" value=(back);
                label { span.sr { "Emoji" }
                    input type="text" name="emoji" size="3" maxlength="70" placeholder="🙂" required;
                }
                button.link type="submit" { "React" }
            }
        }
    }
}
