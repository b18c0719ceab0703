//! A poll under its post: the results, or for the owner a form to vote in someone else's poll
//! that is still running and that they have not voted in.

use maud::{html, Markup};

use crate::model::{Poll, Timestamp};

use super::{time, Viewer};

/// `back` is where the vote form returns to.
pub fn poll(poll: &Poll, viewer: &Viewer, back: &str, now: Timestamp) -> Markup {
    let ended = poll.expired(now);
    let can_vote = viewer.is_owner() && !poll.own && !ended && poll.own_votes.is_empty();
    let total = poll.votes_count().max(1);
    let kind = if poll.multiple { "checkbox" } else { "radio" };
    html! {
        section.poll aria-label="Poll" {
            @if can_vote {
                form.poll-vote method="post" action="/actions/vote" {
                    input type="hidden" name="csrf" value=(viewer.csrf.as_deref().unwrap_or(""));
                    input type="hidden" name="poll" value=(poll.id);
                    input type="hidden" name="back" value=(back);
                    fieldset {
                        legend { @if poll.multiple { "Choose one or more" } @else { "Choose one" } }
                        @for (i, option) in poll.options.iter().enumerate() {
                            label.poll-option {
                                input type=(kind) name="choice" value=(i) required[!poll.multiple];
                                " " (option.title)
                            }
                        }
                    }
                    button type="submit" { "Vote" }
                }
            } @else {
                ul.poll-results {
                    @for (i, option) in poll.options.iter().enumerate() {
                        li.chosen[poll.own_votes.contains(&i)] {
                            span.poll-title { (option.title) }
                            " "
                            meter min="0" max=(total) value=(option.votes) {}
                            " "
                            span.poll-count { (option.votes) @if option.votes == 1 { " vote" } @else { " votes" } }
                            @if poll.own_votes.contains(&i) { " " span.poll-mine { "(your choice)" } }
                        }
                    }
                }
            }
            p.hint.poll-meta {
                @if let Some(voters) = poll.voters_count { (voters) @if voters == 1 { " person" } @else { " people" } " · " }
                @if ended { "Ended" } @else if let Some(end) = poll.expires_at { "Ends " (time(end)) } @else { "Open" }
            }
        }
    }
}
