//! HTML (and feed XML) as pure functions: model values in, markup out. No database, no I/O.
//! Everything remote or user-written is escaped by maud unless it is HTML we rendered or
//! sanitised ourselves, which is the only thing ever wrapped in `PreEscaped`.

pub mod admin;
pub mod archive;
pub mod backfill;
pub mod bookmarks;
pub mod feeds;
pub mod imports;
pub mod interactions;
pub mod media;
pub mod moderation;
pub mod moving;
pub mod network;
pub mod notifications;
pub mod oauth;
pub mod people;
pub mod polls;
pub mod posts;
pub mod profile;
pub mod quotes;
pub mod reactions;
pub mod search;
pub mod server_status;
pub mod threads;
pub mod timeline;

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::model::{Media, Profile};
use crate::urls::Urls;

/// What the page knows about who is looking.
#[derive(Clone, Debug, Default)]
pub struct Viewer {
    /// The session's CSRF token when the owner is logged in.
    pub csrf: Option<String>,
    /// Unread notifications, shown in the owner's navigation.
    pub unread: u64,
}

impl Viewer {
    pub fn is_owner(&self) -> bool {
        self.csrf.is_some()
    }
}

/// The head of a page: title, preview tags, and its ActivityPub twin.
#[derive(Clone, Debug, Default)]
pub struct PageMeta {
    pub title: String,
    pub description: String,
    /// The page's own URL, for `og:url`.
    pub url: Option<String>,
    pub image: Option<String>,
    /// The ActivityPub document this page shows.
    pub activity_json: Option<String>,
    /// Atom and RSS feeds to announce.
    pub feeds: Option<(String, String)>,
    /// `og:type`: "profile" or "article"; "website" when empty.
    pub kind: &'static str,
}

pub fn layout(meta: &PageMeta, viewer: &Viewer, site_name: &str, body: Markup) -> Markup {
    let kind = if meta.kind.is_empty() {
        "website"
    } else {
        meta.kind
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (meta.title) }
                meta name="description" content=(meta.description);
                meta property="og:site_name" content=(site_name);
                meta property="og:type" content=(kind);
                meta property="og:title" content=(meta.title);
                meta property="og:description" content=(meta.description);
                @if let Some(url) = &meta.url { meta property="og:url" content=(url); link rel="canonical" href=(url); }
                @if let Some(image) = &meta.image { meta property="og:image" content=(image); meta name="twitter:card" content="summary"; }
                @if let Some(json) = &meta.activity_json { link rel="alternate" type="application/activity+json" href=(json); }
                @if let Some((atom, rss)) = &meta.feeds {
                    link rel="alternate" type="application/atom+xml" title="Atom" href=(atom);
                    link rel="alternate" type="application/rss+xml" title="RSS" href=(rss);
                }
                link rel="stylesheet" href="/assets/style.css";
                link rel="icon" href="/assets/icon.svg" type="image/svg+xml";
                script src="/assets/app.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.bar {
                    nav.owner[viewer.csrf.is_some()] aria-label="Site" {
                        a.brand href="/" title=(site_name) { (site_name) }
                        // One row that scrolls sideways on a phone, beside the name on wider screens.
                        div.links {
                            @if let Some(csrf) = &viewer.csrf {
                                a href="/" { "Home" }
                                a href="/notifications" {
                                    "Notifications"
                                    @if viewer.unread > 0 { " " span.badge aria-label=(format!("{} unread", viewer.unread)) { (viewer.unread) } }
                                }
                                a href="/search" { "Search" }
                                a href="/people" { "People" }
                                a href="/bookmarks" { "Bookmarks" }
                                a href="/settings" { "Settings" }
                                form.inline method="post" action="/logout" {
                                    input type="hidden" name="csrf" value=(csrf);
                                    button.link type="submit" { "Log out" }
                                }
                            } @else {
                                a href="/login" { "Log in" }
                            }
                        }
                    }
                }
                main #main { (body) }
                footer.foot { "Powered by " a href="/nodeinfo/2.1" { "Perch" } " " (env!("CARGO_PKG_VERSION")) }
            }
        }
    }
}

/// An error page for browsers.
pub fn error_page(status: u16, message: &str, viewer: &Viewer, site_name: &str) -> Markup {
    let meta = PageMeta {
        title: format!("{status} · {site_name}"),
        description: message.to_string(),
        ..PageMeta::default()
    };
    layout(
        &meta,
        viewer,
        site_name,
        html! {
            section.panel {
                h1 { (status) }
                p { (message) }
                p { a href="/" { "Back to the start" } }
            }
        },
    )
}

pub fn media_url(urls: &Urls, media: &Media) -> String {
    urls.media(media.id, &media.file_name())
}

pub fn avatar_url(urls: &Urls, profile: &Profile) -> String {
    match &profile.avatar {
        Some(media) => media_url(urls, media),
        None => "/assets/avatar.svg".to_string(),
    }
}

/// HTML we produced ourselves (rendered Markdown, sanitised remote content).
pub fn trusted(html: &str) -> PreEscaped<&str> {
    PreEscaped(html)
}

/// A `<time>` with the exact date for machines and hover.
pub fn time(t: crate::model::Timestamp) -> Markup {
    html! { time datetime=(t.rfc3339()) title=(t.human()) { (t.human()) } }
}
