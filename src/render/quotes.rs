//! Quotes under a post: the quoted post as a card when its author consented (or the quoting
//! server asks no one, as Misskey and Akkoma do), else a plain link to it.

use maud::{html, Markup};

use crate::model::{Quote, QuoteState};

use super::trusted;

/// The quote of a post, drawn below its text.
pub fn quote(quote: &Quote) -> Markup {
    html! {
        @match quote.shown_card() {
            Some(card) => {
                blockquote.quote-card data-state=(quote.state.as_str()) {
                    p.quote-head {
                        strong { (card.author_name) }
                        @if let Some(handle) = &card.author_handle { " " span.handle { (handle) } }
                    }
                    @if let Some(summary) = &card.summary {
                        details.cw {
                            summary { span.cw-label { "Content warning: " } (summary) }
                            div.content { (trusted(&card.content_html)) }
                        }
                    } @else {
                        div.content { (trusted(&card.content_html)) }
                    }
                    a.quote-source href=(quote.uri) rel="nofollow noopener noreferrer" { "Quoted post" }
                }
            }
            None => {
                p.quote-link data-state=(quote.state.as_str()) {
                    (label(quote.state)) " "
                    a href=(quote.uri) rel="nofollow noopener noreferrer" { (quote.uri) }
                }
            }
        }
    }
}

fn label(state: QuoteState) -> &'static str {
    match state {
        QuoteState::Pending => "Quote waiting for its author's approval:",
        QuoteState::Rejected => "Quote not approved by its author:",
        QuoteState::Revoked => "Quote withdrawn by its author:",
        QuoteState::Accepted | QuoteState::Legacy => "Quoting:",
    }
}
