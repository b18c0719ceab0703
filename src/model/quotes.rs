//! Quote posts (FEP-044f): who may quote the owner's posts, and a quote as shown under a post.

use serde::Deserialize;

/// Who may quote one of the owner's posts (`interactionPolicy.canQuote`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum QuotePolicy {
    /// Everyone: `automaticApproval` is the public collection.
    #[default]
    Public,
    /// Our followers: `automaticApproval` is our followers collection.
    Followers,
    /// Only the owner: `automaticApproval` is our actor.
    Nobody,
}

impl QuotePolicy {
    pub const ALL: [QuotePolicy; 3] = [
        QuotePolicy::Public,
        QuotePolicy::Followers,
        QuotePolicy::Nobody,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuotePolicy::Public => "public",
            QuotePolicy::Followers => "followers",
            QuotePolicy::Nobody => "nobody",
        }
    }

    pub fn parse(text: &str) -> Option<QuotePolicy> {
        QuotePolicy::ALL.into_iter().find(|p| p.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            QuotePolicy::Public => "Anyone can quote",
            QuotePolicy::Followers => "Followers can quote",
            QuotePolicy::Nobody => "Only me",
        }
    }
}

/// Where a quote stands with the quoted post's author.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteState {
    /// Asked for, not answered yet.
    Pending,
    /// Backed by a verified `QuoteAuthorization`.
    Accepted,
    /// Refused, or its authorization did not verify.
    Rejected,
    /// Its authorization was deleted.
    Revoked,
    /// A Misskey, Akkoma or old Mastodon quote, which asks no one.
    Legacy,
}

impl QuoteState {
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteState::Pending => "pending",
            QuoteState::Accepted => "accepted",
            QuoteState::Rejected => "rejected",
            QuoteState::Revoked => "revoked",
            QuoteState::Legacy => "legacy",
        }
    }

    /// Whether the quoted post is embedded as a card (else it is only linked).
    pub fn shows_card(self) -> bool {
        matches!(self, QuoteState::Accepted | QuoteState::Legacy)
    }
}

/// A post's quote of another, as shown under it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Quote {
    /// The quoted post's id.
    pub uri: String,
    pub state: QuoteState,
    /// Its `QuoteAuthorization`, once one was claimed.
    #[serde(default)]
    pub authorization: Option<String>,
    /// The quoted post, when we hold it (and may show it).
    #[serde(default)]
    pub card: Option<QuotedCard>,
}

/// The quoted post as a card: its author and sanitised text.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct QuotedCard {
    pub author_name: String,
    /// `@user@host`; None for the owner's own posts.
    #[serde(default)]
    pub author_handle: Option<String>,
    /// Sanitised HTML (ours, or remote HTML that went through the sanitiser).
    pub content_html: String,
    #[serde(default)]
    pub summary: Option<String>,
}

impl Quote {
    /// Reads the JSON the store's quote subquery builds; None for no quote or a broken value.
    pub fn from_json(text: Option<&str>) -> Option<Box<Quote>> {
        let quote: Quote = serde_json::from_str(text?).ok()?;
        Some(Box::new(quote))
    }

    /// The card when the quote may show it.
    pub fn shown_card(&self) -> Option<&QuotedCard> {
        self.card.as_ref().filter(|_| self.state.shows_card())
    }
}
