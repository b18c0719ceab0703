//! Atom and RSS feeds of the public posts.

use maud::{html, Markup, PreEscaped};

use crate::model::{Post, Profile};
use crate::urls::Urls;

fn title(post: &Post) -> String {
    match &post.summary {
        Some(summary) => format!("Content warning: {summary}"),
        None => crate::text::plain_text(&post.content_html, 80),
    }
}

/// The post's HTML as feed content; a content warning is kept in front, as on the page.
fn content(post: &Post) -> String {
    match &post.summary {
        Some(summary) => format!(
            "<p><strong>Content warning: {}</strong></p>{}",
            crate::text::escape(summary),
            post.content_html
        ),
        None => post.content_html.clone(),
    }
}

pub fn atom(urls: &Urls, profile: &Profile, posts: &[Post]) -> Markup {
    let updated = posts
        .first()
        .map_or(profile.updated_at, |p| p.updated_at.unwrap_or(p.created_at));
    html! {
        (PreEscaped("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"))
        feed xmlns="http://www.w3.org/2005/Atom" {
            id { (urls.profile()) }
            title { (profile.display_name) }
            subtitle { (crate::text::plain_text(&profile.bio_html, 300)) }
            updated { (updated.rfc3339()) }
            link rel="alternate" type="text/html" href=(urls.profile()) {}
            link rel="self" type="application/atom+xml" href=(urls.atom_feed()) {}
            author { name { (profile.display_name) } uri { (urls.actor()) } }
            @for post in posts {
                entry {
                    id { (urls.post(post.id)) }
                    title { (title(post)) }
                    link rel="alternate" type="text/html" href=(urls.post_page(post.id)) {}
                    published { (post.created_at.rfc3339()) }
                    updated { (post.updated_at.unwrap_or(post.created_at).rfc3339()) }
                    content type="html" { (content(post)) }
                    @for tag in &post.tags { category term=(tag) {} }
                }
            }
        }
    }
}

pub fn rss(urls: &Urls, profile: &Profile, posts: &[Post]) -> Markup {
    html! {
        (PreEscaped("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"))
        rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" {
            channel {
                title { (profile.display_name) }
                link { (urls.profile()) }
                description { (crate::text::plain_text(&profile.bio_html, 300)) }
                atom:link href=(urls.rss_feed()) rel="self" type="application/rss+xml" {}
                @for post in posts {
                    item {
                        guid isPermaLink="false" { (urls.post(post.id)) }
                        title { (title(post)) }
                        link { (urls.post_page(post.id)) }
                        pubDate { (post.created_at.rfc2822()) }
                        description { (content(post)) }
                        @for tag in &post.tags { category { (tag) } }
                    }
                }
            }
        }
    }
}
