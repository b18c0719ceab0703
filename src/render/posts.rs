//! Posts: one in a list, a whole thread, and lists with paging.

use maud::{html, Markup};

use crate::model::{Page, Post, Profile, Visibility};
use crate::urls::Urls;

use super::{avatar_url, media_url, time, trusted, Viewer};

/// One post as an `<article>`.
pub fn post(urls: &Urls, profile: &Profile, post: &Post, viewer: &Viewer, focused: bool) -> Markup {
    let page = urls.post_page(post.id);
    html! {
        article.post.focused[focused] id=(format!("post-{}", post.id)) {
            header.post-head {
                img.avatar src=(avatar_url(urls, profile)) alt="" width="48" height="48";
                div.who {
                    a.name href=(urls.profile()) { (profile.display_name) }
                    span.handle { "@" (profile.username) "@" (urls.host()) }
                }
                a.when href=(page) { (time(post.created_at)) }
            }
            @if let Some(parent) = &post.in_reply_to {
                p.reply-to { "Replying to " a href=(parent) rel="nofollow noopener noreferrer" { (short_url(parent)) } }
            }
            @if let Some(summary) = &post.summary {
                details.cw {
                    summary { span.cw-label { "Content warning: " } (summary) }
                    div.content { (trusted(&post.content_html)) }
                    (attachments(urls, post))
                }
            } @else {
                div.content { (trusted(&post.content_html)) }
                (attachments(urls, post))
            }
            footer.post-foot {
                span.visibility title="Visibility" { (post.visibility.label()) }
                @if post.pinned { span.pinned { "Pinned" } }
                @if let Some(updated) = post.updated_at { span.edited { "Edited " (time(updated)) } }
                @if viewer.is_owner() {
                    a href=(format!("/posts/{}/edit", post.id)) { "Edit" }
                    form.inline method="post" action=(format!("/posts/{}/delete", post.id)) {
                        input type="hidden" name="csrf" value=(viewer.csrf.as_deref().unwrap_or(""));
                        button.link.danger type="submit" { "Delete" }
                    }
                }
            }
        }
    }
}

fn attachments(urls: &Urls, post: &Post) -> Markup {
    html! {
        @if !post.media.is_empty() {
            div.media {
                @for media in &post.media {
                    a href=(media_url(urls, media)) {
                        img src=(if media.has_preview { urls.media_preview(media.id, &media.file_name()) } else { media_url(urls, media) })
                            alt=(media.description) width=(media.width) height=(media.height) loading="lazy";
                    }
                }
            }
        }
    }
}

fn short_url(url: &str) -> String {
    let trimmed = url
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    if trimmed.chars().count() > 60 {
        let cut: String = trimmed.chars().take(59).collect();
        format!("{cut}…")
    } else {
        trimmed.to_string()
    }
}

/// A newest-first list of posts with older/newer links; `base` is the page's path.
pub fn list(
    urls: &Urls,
    profile: &Profile,
    page: &Page<Post>,
    viewer: &Viewer,
    base: &str,
) -> Markup {
    let joiner = if base.contains('?') { '&' } else { '?' };
    html! {
        @if page.items.is_empty() {
            p.empty { "Nothing here yet." }
        }
        div.posts {
            @for item in &page.items { (post(urls, profile, item, viewer, false)) }
        }
        nav.pager aria-label="Pages" {
            @if let Some(newer) = page.newer { a rel="prev" href=(format!("{base}{joiner}min_id={newer}")) { "← Newer" } }
            @if let Some(older) = page.older { a rel="next" href=(format!("{base}{joiner}max_id={older}")) { "Older →" } }
        }
    }
}

/// A post's own page: its ancestors, itself, then the replies we hold, and its edit history.
pub fn thread(
    urls: &Urls,
    profile: &Profile,
    ancestors: &[Post],
    focus: &Post,
    replies: &[Post],
    history: &[(crate::model::Timestamp, String, Option<String>)],
    viewer: &Viewer,
) -> Markup {
    html! {
        div.thread {
            @for p in ancestors { (post(urls, profile, p, viewer, false)) }
            (post(urls, profile, focus, viewer, true))
            @if !replies.is_empty() {
                section.replies aria-label="Replies" {
                    @for p in replies { (post(urls, profile, p, viewer, false)) }
                }
            }
            @if !history.is_empty() {
                details.history {
                    summary { "Edit history (" (history.len()) " earlier " (if history.len() == 1 { "version" } else { "versions" }) ")" }
                    ol {
                        @for (when, html_content, summary) in history {
                            li {
                                (time(*when))
                                @if let Some(s) = summary { p.cw-label { "Content warning: " (s) } }
                                div.content { (trusted(html_content)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The visibility choices of the compose and edit forms.
pub fn visibility_options(selected: Visibility) -> Markup {
    html! {
        @for v in Visibility::ALL {
            option value=(v.as_str()) selected[v == selected] { (v.label()) }
        }
    }
}
