//! The public profile page and the tag page.

use maud::{html, Markup};

use crate::model::{Page, Post, Profile, ProfilePage};
use crate::urls::Urls;

use super::{avatar_url, layout, media_url, posts, trusted, PageMeta, Viewer};

pub fn description(profile: &Profile) -> String {
    let bio = crate::text::plain_text(&profile.bio_html, 200);
    if bio.is_empty() {
        format!("Posts by {}", profile.display_name)
    } else {
        bio
    }
}

pub fn profile_page(urls: &Urls, view: &ProfilePage, viewer: &Viewer) -> Markup {
    let profile = &view.profile;
    let meta = PageMeta {
        title: format!(
            "{} (@{}@{})",
            profile.display_name,
            profile.username,
            urls.host()
        ),
        description: description(profile),
        url: Some(urls.profile()),
        image: Some(absolute(urls, &avatar_url(urls, profile))),
        activity_json: Some(urls.actor()),
        feeds: Some((urls.atom_feed(), urls.rss_feed())),
        kind: "profile",
    };
    let body = html! {
        section.profile.h-card {
            @if let Some(header) = &profile.header {
                img.header src=(media_url(urls, header)) alt="" width=(header.width) height=(header.height);
            } @else {
                div.header.blank {}
            }
            div.identity {
                img.avatar.big.u-photo src=(avatar_url(urls, profile)) alt=(format!("Avatar of {}", profile.display_name)) width="96" height="96";
                h1.p-name { (profile.display_name) }
                p.handle { a.u-url href=(urls.profile()) rel="me" { "@" (profile.username) "@" (urls.host()) } }
            }
            (super::moving::moved_notice(profile))
            @if !profile.bio_html.is_empty() { div.bio.p-note { (trusted(&profile.bio_html)) } }
            @if !view.fields_html.is_empty() {
                dl.fields {
                    @for (name, value) in &view.fields_html {
                        div { dt { (name) } dd { (trusted(value)) } }
                    }
                }
            }
            ul.counts {
                li { strong { (view.counts.posts) } " posts" }
                li { strong { (view.counts.followers) } " followers" }
                li { strong { (view.counts.following) } " following" }
            }
            p.feeds { a href=(urls.atom_feed()) { "Atom feed" } " · " a href=(urls.rss_feed()) { "RSS feed" } }
            @if !viewer.is_owner() { (posts::remote_interaction(&urls.actor(), "Follow from your own server")) }
        }
        @if !view.pinned.is_empty() && view.page.newer.is_none() {
            section.pinned aria-label="Pinned posts" {
                @for p in &view.pinned { (posts::post(urls, profile, p, viewer, false)) }
            }
        }
        (posts::list(urls, profile, &view.page, viewer, &format!("/@{}", profile.username)))
    };
    layout(&meta, viewer, &profile.display_name, body)
}

pub fn tag_page(
    urls: &Urls,
    profile: &Profile,
    tag: &str,
    page: &Page<Post>,
    viewer: &Viewer,
) -> Markup {
    let meta = PageMeta {
        title: format!("#{tag} · {}", profile.display_name),
        description: format!("Posts by {} tagged #{tag}", profile.display_name),
        url: Some(urls.tag(tag)),
        ..PageMeta::default()
    };
    let base = format!("/tags/{}", crate::urls::percent_encode_path(tag));
    let body = html! {
        h1 { "#" (tag) }
        (posts::list(urls, profile, page, viewer, &base))
    };
    layout(&meta, viewer, &profile.display_name, body)
}

/// Makes our own relative asset paths absolute, for preview cards.
pub(super) fn absolute(urls: &Urls, path: &str) -> String {
    if path.starts_with('/') {
        format!("{}{path}", urls.origin())
    } else {
        path.to_string()
    }
}
