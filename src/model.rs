//! The nouns of Perch, as plain data shared by every layer.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::OffsetDateTime;

pub mod oauth;
mod quotes;

pub use quotes::{Quote, QuotePolicy, QuoteState, QuotedCard};

/// Mastodon's limits on what the owner writes, enforced by the domain and shown by the forms:
/// characters in a post, images in a post, alt text of an image.
pub const MAX_POST_CHARS: usize = 5_000;
pub const MAX_ATTACHMENTS: usize = 4;
pub const MAX_DESCRIPTION_CHARS: usize = 1_500;
/// Name-value fields on the owner's profile, as Mastodon allows.
pub const MAX_PROFILE_FIELDS: usize = 4;

/// Milliseconds since the Unix epoch. Stored as INTEGER; printed in the formats each protocol wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Timestamp {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp(since_epoch.as_millis() as i64)
    }

    fn datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// `2026-11-27T08:00:00Z`, as ActivityPub and Atom write dates (whole seconds, like Mastodon).
    pub fn rfc3339(self) -> String {
        let seconds = self
            .datetime()
            .replace_nanosecond(0)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        seconds.format(&Rfc3339).unwrap_or_default()
    }

    /// `Fri, 27 Nov 2026 08:00:00 +0000`, as RSS writes dates.
    pub fn rfc2822(self) -> String {
        self.datetime().format(&Rfc2822).unwrap_or_default()
    }

    /// `27 Nov 2026, 08:00 UTC`, for people.
    pub fn human(self) -> String {
        let format = time::macros::format_description!(
            "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
        );
        self.datetime().format(&format).unwrap_or_default()
    }

    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let parsed = OffsetDateTime::parse(text, &Rfc3339).ok()?;
        Some(Timestamp(
            (parsed.unix_timestamp_nanos() / 1_000_000) as i64,
        ))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Unlisted,
    Followers,
    Direct,
}

impl Visibility {
    pub const ALL: [Visibility; 4] = [
        Visibility::Public,
        Visibility::Unlisted,
        Visibility::Followers,
        Visibility::Direct,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Followers => "followers",
            Visibility::Direct => "direct",
        }
    }

    pub fn parse(text: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Visibility::Public => "Public",
            Visibility::Unlisted => "Unlisted",
            Visibility::Followers => "Followers only",
            Visibility::Direct => "Mentioned people only",
        }
    }

    /// Public and unlisted posts may be shown to anyone who has the link.
    pub fn is_world_readable(self) -> bool {
        matches!(self, Visibility::Public | Visibility::Unlisted)
    }
}

/// An earlier version of one of the owner's posts, kept when it was edited.
#[derive(Clone, Debug, PartialEq)]
pub struct PostVersion {
    /// When this version was written (published, or the edit before it).
    pub written: Timestamp,
    pub content_html: String,
    pub summary: Option<String>,
    /// The alt texts of the images this version had, in order ("" for none given).
    pub media_descriptions: Vec<String>,
}

/// One of the owner's posts.
#[derive(Clone, Debug)]
pub struct Post {
    pub id: i64,
    pub created_at: Timestamp,
    pub updated_at: Option<Timestamp>,
    pub visibility: Visibility,
    /// The Markdown the owner wrote.
    pub source: String,
    /// The HTML rendered from it, as federated in `content`.
    pub content_html: String,
    /// The content warning.
    pub summary: Option<String>,
    pub sensitive: bool,
    pub in_reply_to: Option<String>,
    pub pinned: bool,
    pub tags: Vec<String>,
    pub mentions: Vec<Mention>,
    pub media: Vec<Media>,
    /// Its poll, federated as a `Question` (boxed: most posts have none).
    pub poll: Option<Box<Poll>>,
    /// Who may quote it.
    pub quote_policy: QuotePolicy,
    /// The post it quotes (boxed: most posts quote none).
    pub quote: Option<Box<Quote>>,
}

/// An actor a post mentions: its id, and the `@user@domain` shown for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    pub uri: String,
    pub handle: String,
}

/// A stored image: an attachment, an avatar or a header.
#[derive(Clone, Debug)]
pub struct Media {
    pub id: i64,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub blurhash: String,
    pub description: String,
    pub has_preview: bool,
    /// The focal point, -1.0 to 1.0 on each axis (x left to right, y bottom to top).
    pub focus: (f64, f64),
}

impl Media {
    /// The file name part of its URL, so downloads get a sensible name.
    pub fn file_name(&self) -> String {
        let extension = match self.mime.as_str() {
            "image/jpeg" => "jpg",
            "image/png" => "png",
            "image/gif" => "gif",
            "image/webp" => "webp",
            _ => "bin",
        };
        format!("{}.{extension}", self.id)
    }
}

/// A name/value pair shown on the profile (`PropertyValue` in ActivityPub).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub value: String,
}

/// The owner's public profile.
#[derive(Clone, Debug)]
pub struct Profile {
    pub username: String,
    pub display_name: String,
    pub bio_source: String,
    pub bio_html: String,
    pub avatar: Option<Media>,
    pub header: Option<Media>,
    pub fields: Vec<Field>,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    /// Shown as an automated account (actor type `Service`).
    pub bot: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The owner's other accounts (`alsoKnownAs`): where they may move from.
    pub also_known_as: Vec<OtherAccount>,
    /// Where the owner moved to (`movedTo`); posting is refused while it is set.
    pub moved_to: Option<OtherAccount>,
}

/// Another account of the owner's, as resolved when it was named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherAccount {
    /// The actor id.
    pub uri: String,
    /// `@user@domain`.
    pub handle: String,
    /// Its profile page (the actor id when it gave none).
    pub url: String,
}

/// Counts shown on the profile and in collections.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub posts: u64,
    pub followers: u64,
    pub following: u64,
}

/// A remote account as we know it. Every string is capped, `summary_html` and field values are
/// sanitised, and URLs are http(s) only (see `domain::actors`).
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: i64,
    pub uri: String,
    /// Person, Service, Application, Group or Organization.
    pub kind: String,
    pub username: String,
    /// `host[:port]` of its id.
    pub domain: String,
    /// Plain text: escape it when showing it.
    pub display_name: String,
    /// Sanitised HTML, safe to show as it is.
    pub summary_html: String,
    /// Names are plain text, values sanitised HTML.
    pub fields: Vec<Field>,
    pub url: String,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub followers_uri: Option<String>,
    pub manually_approves_followers: bool,
    /// Where the account says it moved to.
    pub moved_to: Option<String>,
}

impl Actor {
    pub fn handle(&self) -> String {
        format!("@{}@{}", self.username, self.domain)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowState {
    Pending,
    Accepted,
    Rejected,
}

impl FollowState {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowState::Pending => "pending",
            FollowState::Accepted => "accepted",
            FollowState::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<FollowState> {
        match text {
            "pending" => Some(FollowState::Pending),
            "accepted" => Some(FollowState::Accepted),
            "rejected" => Some(FollowState::Rejected),
            _ => None,
        }
    }
}

/// A post by someone else that we keep: a reply, a mention, a post of someone we follow.
#[derive(Clone, Debug)]
pub struct RemotePost {
    pub id: i64,
    pub uri: String,
    pub actor: Actor,
    /// The page to link to (its `url`, else its id).
    pub url: Option<String>,
    pub in_reply_to: Option<String>,
    /// Sanitised HTML, safe to show as it is.
    pub content_html: String,
    /// The content warning, plain text.
    pub summary: Option<String>,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub published_at: Timestamp,
    pub updated_at: Option<Timestamp>,
    /// Its images, linked from their origin (never copied), read from the stored object.
    pub attachments: Vec<RemoteAttachment>,
    /// `@user@host` of the accounts it mentions, for prefilling a reply.
    pub mentions: Vec<String>,
    /// Its poll, when it is a `Question`.
    pub poll: Option<Poll>,
    /// The post it quotes.
    pub quote: Option<Box<Quote>>,
}

/// An image attached to someone else's post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteAttachment {
    /// An http(s) URL on its own server.
    pub url: String,
    /// The alt text, plain.
    pub description: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// A poll on a post (ours or someone else's): its options with their counts, as far as we know
/// them, and the owner's own choices in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Poll {
    /// The poll's id in the client API: its post's id.
    pub id: i64,
    /// The owner's poll (on one of our posts).
    pub own: bool,
    pub multiple: bool,
    pub hide_totals: bool,
    /// `endTime` (or `closed` for one that has ended); None runs without an end.
    pub expires_at: Option<Timestamp>,
    /// The author says it is closed, whatever the clock says.
    pub closed: bool,
    pub options: Vec<PollOption>,
    /// Distinct voters (None when the author does not say).
    pub voters_count: Option<u64>,
    /// The owner's choices (positions in `options`), for polls of others.
    pub own_votes: Vec<usize>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PollOption {
    /// Plain text.
    pub title: String,
    pub votes: u64,
}

impl Poll {
    /// Ended at `now`: closed, or past its end.
    pub fn expired(&self, now: Timestamp) -> bool {
        self.closed || self.expires_at.is_some_and(|end| end.0 <= now.0)
    }

    /// All votes, counted per option (a multiple-choice voter counts once per option).
    pub fn votes_count(&self) -> u64 {
        self.options.iter().map(|o| o.votes).sum()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationKind {
    Follow,
    FollowRequest,
    Mention,
    Reply,
    Like,
    Announce,
    Report,
    /// Someone we follow moved to a new account (and we followed it there).
    Move,
    /// Someone we follow with `notify` (the API's bell) posted.
    Status,
    /// A poll of ours, or one the owner voted in, has ended.
    Poll,
    /// Someone reacted to a post of ours with an emoji (the notification's content).
    Reaction,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 11] = [
        NotificationKind::Follow,
        NotificationKind::FollowRequest,
        NotificationKind::Mention,
        NotificationKind::Reply,
        NotificationKind::Like,
        NotificationKind::Announce,
        NotificationKind::Report,
        NotificationKind::Move,
        NotificationKind::Status,
        NotificationKind::Poll,
        NotificationKind::Reaction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Follow => "follow",
            NotificationKind::FollowRequest => "follow_request",
            NotificationKind::Mention => "mention",
            NotificationKind::Reply => "reply",
            NotificationKind::Like => "like",
            NotificationKind::Announce => "announce",
            NotificationKind::Report => "report",
            NotificationKind::Move => "move",
            NotificationKind::Status => "status",
            NotificationKind::Poll => "poll",
            NotificationKind::Reaction => "reaction",
        }
    }

    pub fn parse(text: &str) -> Option<NotificationKind> {
        NotificationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// Something the owner should hear about.
#[derive(Clone, Debug)]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    /// Who did it (absent when the account has since been removed).
    pub actor: Option<Actor>,
    /// What it is about: our post, their post, a reported object.
    pub object_uri: Option<String>,
    pub activity_uri: Option<String>,
    /// Plain text that came with it (a report's comment).
    pub content: Option<String>,
    pub created_at: Timestamp,
    pub read: bool,
}

/// One page of a newest-first list, with the keys for the neighbouring pages.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `max_id` for the next (older) page, when there is one.
    pub older: Option<i64>,
    /// `min_id` for the previous (newer) page, when there is one.
    pub newer: Option<i64>,
}

/// Which slice of a newest-first list an API client asks for, as Mastodon pages: `max_id` (older
/// than), `since_id` (newer than, the newest first), `min_id` (newer than, the ones right after
/// it), at most `limit` items. Results are always newest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Range {
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: usize,
}

/// The rows a query reads for a `Range`: ids strictly between `above` and `below`, taken from the
/// `ascending` end when `min_id` pages forward, at most `limit` of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub below: i64,
    pub above: i64,
    pub ascending: bool,
    pub limit: usize,
}

impl Range {
    /// One more row than the page holds, to know whether there is more.
    pub fn window(&self) -> Window {
        Window {
            below: self.max_id.unwrap_or(i64::MAX),
            above: self.min_id.or(self.since_id).unwrap_or(i64::MIN),
            ascending: self.min_id.is_some(),
            limit: self.limit + 1,
        }
    }
}

/// The public profile page: the profile, its counts, its pinned posts and one page of posts.
#[derive(Clone, Debug)]
pub struct ProfilePage {
    pub profile: Profile,
    /// Each field's name and its value as HTML.
    pub fields_html: Vec<(String, String)>,
    pub counts: Counts,
    pub pinned: Vec<Post>,
    pub page: Page<Post>,
}

/// A post's own page: its ancestors, itself with its counts, the replies we hold, its history.
#[derive(Clone, Debug)]
pub struct PostThread {
    pub profile: Profile,
    pub ancestors: Vec<Post>,
    pub focus: Post,
    pub replies: Vec<Post>,
    /// Replies from other servers that we keep (sanitised).
    pub remote_replies: Vec<RemotePost>,
    /// Others' posts quoting the focus with its author's consent.
    pub quotes: Vec<RemotePost>,
    pub likes: u64,
    pub boosts: u64,
    pub reactions: Vec<ReactionCount>,
    pub history: Vec<PostVersion>,
}

/// One emoji reacted to a post (a unicode emoji or a `:shortcode:`), with how many reacted so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReactionCount {
    pub content: String,
    pub count: u64,
    /// Whether the owner is among them.
    pub mine: bool,
}

/// One page of notifications, with the `max_id` of the next (older) page.
#[derive(Clone, Debug)]
pub struct NotificationsPage {
    pub profile: Profile,
    pub items: Vec<Notification>,
    pub older: Option<i64>,
}

/// Which list of people the owner looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeopleTab {
    Followers,
    Following,
    Requests,
}

/// Image bytes to serve, once their post's visibility allowed it.
#[derive(Clone, Debug)]
pub struct MediaFile {
    pub mime: String,
    pub data: Vec<u8>,
}

// Views the owner's pages are drawn from.

/// A post of ours or someone else's.
// The poll pointer took `Own` just past clippy's line; boxing every own post for it would cost
// an allocation per timeline line.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Shown {
    Own(Post),
    Remote(Box<RemotePost>),
}

impl Shown {
    pub fn uri(&self, urls: &crate::urls::Urls) -> String {
        match self {
            Shown::Own(post) => urls.post(post.id),
            Shown::Remote(post) => post.uri.clone(),
        }
    }
}

/// One line of the timeline, with what the owner did to it.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: i64,
    pub shown: Shown,
    pub boosted_by: Option<Actor>,
    pub liked: bool,
    pub boosted: bool,
    pub bookmarked: bool,
    /// The emoji reactions to it (with the owner's own marked).
    pub reactions: Vec<ReactionCount>,
    /// The owner's warn filters that match it where it is shown (hidden ones are left out).
    pub filtered: Vec<FilterHit>,
}

/// What a status shows that its post alone does not carry: resolved reply ids, counts, and the
/// owner's own state. The domain fills it in; all zero/none is a valid answer.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    pub in_reply_to_id: Option<i64>,
    /// `OWNER_ACCOUNT_ID` or a remote account's id.
    pub in_reply_to_account_id: Option<String>,
    pub replies: u64,
    pub reblogs: u64,
    pub favourites: u64,
    pub muted: bool,
    /// The owner's own like, boost and bookmark (or-ed with the entry's flags).
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
    /// The language the owner gave the post.
    pub language: Option<String>,
}

/// One of the owner's lists: a timeline of the accounts on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List {
    pub id: i64,
    pub title: String,
    /// Mastodon's `followed`, `list` or `none`: which replies the list shows.
    pub replies_policy: String,
    /// Whether its members' posts stay off the home timeline.
    pub exclusive: bool,
}

/// What the search found.
pub enum Found {
    Nothing,
    Account {
        actor: Box<Actor>,
        following: Option<FollowState>,
        posts: Vec<RemotePost>,
        /// Whether the owner blocked and muted them.
        restricted: (bool, bool),
        /// Their pinned posts, in their order.
        pinned: Vec<RemotePost>,
        /// Fetches still queued for their profile (the "fetching n more posts" mark).
        fetching: u64,
    },
    Post(Box<Entry>),
}

/// What the moderation page lists.
pub struct Lists {
    pub blocked: Vec<Actor>,
    pub muted: Vec<Actor>,
    pub domains: Vec<String>,
    pub words: Vec<String>,
}

/// An actor as parsed from its document, ready to store (`federation::vocab::parse_actor`
/// makes it, `store::actors::upsert` keeps it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewActor {
    pub uri: String,
    pub kind: String,
    pub username: String,
    pub domain: String,
    pub display_name: String,
    pub summary_html: String,
    pub fields: Vec<Field>,
    pub url: String,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub followers_uri: Option<String>,
    pub manually_approves_followers: bool,
    pub moved_to: Option<String>,
    /// `(key id, PEM)`, only when the document proves the key is its own.
    pub key: Option<(String, String)>,
    /// `(key id, publicKeyMultibase)`: its Ed25519 `assertionMethod` keys, for object proofs.
    pub ed25519_keys: Vec<(String, String)>,
    /// The document, capped.
    pub raw: String,
}

/// A CSV import queued for the worker, with its lines counted by state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJob {
    pub id: i64,
    pub kind: String,
    pub overwrite: bool,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub removed: i64,
    /// Lines by state.
    pub total: i64,
    pub done: i64,
    pub skipped: i64,
}

#[cfg(test)]
mod tests;

/// A filter of the owner's (Mastodon's filters v2): posts matching its keywords, or the posts
/// it names, are hidden or shown behind a warning in its contexts until it expires.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterRule {
    pub id: i64,
    pub title: String,
    /// A subset of home, notifications, public, thread, account.
    pub contexts: Vec<String>,
    /// warn, hide or blur.
    pub action: String,
    pub expires_at: Option<Timestamp>,
    pub keywords: Vec<FilterKeyword>,
    pub statuses: Vec<FilterStatus>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FilterKeyword {
    pub id: i64,
    pub keyword: String,
    pub whole_word: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FilterStatus {
    pub id: i64,
    pub status_id: i64,
}

/// Why a post shown with a warning was filtered: the filter and what of it matched.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterHit {
    pub filter: FilterRule,
    pub keyword_matches: Vec<String>,
    pub status_matches: Vec<i64>,
}
