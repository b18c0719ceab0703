//! Posts: one in a list, a whole thread, and lists with paging.

use maud::{html, Markup};

use crate::model::{Page, Post, PostThread, Profile, Visibility};
use crate::urls::Urls;

use super::interactions::action;
use super::{avatar_url, layout, media_url, time, trusted, PageMeta, Viewer};

/// One post as an `<article>`; its owner's forms come back to the post's page.
pub fn post(urls: &Urls, profile: &Profile, post: &Post, viewer: &Viewer, focused: bool) -> Markup {
    let page = urls.post_page(post.id);
    let back = page.strip_prefix(urls.origin()).unwrap_or("/");
    post_with(urls, profile, post, viewer, focused, None, back)
}

/// One post, with the bookmark switch when `bookmarked` is known, forms coming back to `back`.
pub fn post_with(
    urls: &Urls,
    profile: &Profile,
    post: &Post,
    viewer: &Viewer,
    focused: bool,
    bookmarked: Option<bool>,
    back: &str,
) -> Markup {
    let page = urls.post_page(post.id);
    let uri = urls.post(post.id);
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
            @if let Some(quote) = &post.quote { (super::quotes::quote(quote)) }
            @if let Some(poll) = &post.poll { (super::polls::poll(poll, viewer, back, crate::model::Timestamp::now())) }
            footer.post-foot {
                span.visibility title="Visibility" { (post.visibility.label()) }
                @if post.pinned { span.pinned { "Pinned" } }
                @if let Some(updated) = post.updated_at { span.edited { "Edited " (time(updated)) } }
                @if viewer.is_owner() {
                    @if post.visibility.is_world_readable() {
                        @if post.pinned { (action(viewer, "/actions/unpin", "uri", &uri, "Unpin", back)) }
                        @else { (action(viewer, "/actions/pin", "uri", &uri, "Pin", back)) }
                    }
                    @match bookmarked {
                        Some(true) => (action(viewer, "/actions/unbookmark", "uri", &uri, "Remove bookmark", back)),
                        Some(false) => (action(viewer, "/actions/bookmark", "uri", &uri, "Bookmark", back)),
                        None => {},
                    }
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
    super::media::gallery(
        &super::media::own(urls, post),
        post.sensitive,
        &post.id.to_string(),
    )
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

/// A post's own page: its ancestors, itself with its counts, the replies we hold, its edit
/// history, and a way for visitors to answer from their own server.
pub fn thread(urls: &Urls, view: &PostThread, viewer: &Viewer) -> Markup {
    let profile = &view.profile;
    let reply_count = view.replies.len() + view.remote_replies.len();
    html! {
        div.thread {
            @for p in &view.ancestors { (post(urls, profile, p, viewer, false)) }
            (post(urls, profile, &view.focus, viewer, true))
            p.counts.muted {
                span.replies-count { (reply_count) " " (if reply_count == 1 { "reply" } else { "replies" }) }
                " · " span.boosts-count { (view.boosts) " " (if view.boosts == 1 { "boost" } else { "boosts" }) }
                " · " span.likes-count { (view.likes) " " (if view.likes == 1 { "like" } else { "likes" }) }
            }
            @let back = urls.post_page(view.focus.id);
            (super::reactions::bar(viewer, &urls.post(view.focus.id), &view.reactions, back.strip_prefix(urls.origin()).unwrap_or("/")))
            @if !viewer.is_owner() && view.focus.visibility.is_world_readable() {
                (remote_interaction(&urls.post(view.focus.id), "Reply, boost or like from your own server"))
            }
            @if reply_count > 0 {
                section.replies aria-label="Replies" {
                    @for p in &view.replies { (post(urls, profile, p, viewer, false)) }
                    @for p in &view.remote_replies { (super::timeline::remote_post(p, viewer, false, false, &urls.post_page(view.focus.id))) }
                }
            }
            @if !view.quotes.is_empty() {
                @let page = urls.post_page(view.focus.id);
                @let back = page.strip_prefix(urls.origin()).unwrap_or("/");
                section.quotes aria-label="Quotes" {
                    h2 { (view.quotes.len()) " " (if view.quotes.len() == 1 { "quote" } else { "quotes" }) }
                    @for p in &view.quotes {
                        (super::timeline::remote_post(p, viewer, false, false, back))
                        @if viewer.is_owner() {
                            (action(viewer, "/actions/revoke_quote", "uri", &p.uri, "Revoke this quote", back))
                        }
                    }
                }
            }
            @if !view.history.is_empty() {
                details.history {
                    summary { "Edit history (" (view.history.len()) " earlier " (if view.history.len() == 1 { "version" } else { "versions" }) ")" }
                    ol {
                        @for version in &view.history {
                            li {
                                (time(version.written))
                                @if let Some(s) = &version.summary { p.cw-label { "Content warning: " (s) } }
                                div.content { (trusted(&version.content_html)) }
                                @if !version.media_descriptions.is_empty() {
                                    ul.version-media aria-label="Images of this version" {
                                        @for alt in &version.media_descriptions {
                                            li { "Image: " @if alt.is_empty() { em { "no description" } } @else { (alt) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A post's page: its thread, with the preview card of the focused post.
pub fn post_page(urls: &Urls, view: &PostThread, viewer: &Viewer) -> Markup {
    let (profile, focus) = (&view.profile, &view.focus);
    let text = crate::text::plain_text(&focus.content_html, 200);
    let description = match &focus.summary {
        Some(summary) => format!("Content warning: {summary}"),
        None => text,
    };
    let image = focus
        .media
        .first()
        .map(|m| media_url(urls, m))
        .unwrap_or_else(|| super::profile::absolute(urls, &avatar_url(urls, profile)));
    let meta = PageMeta {
        title: format!(
            "{}: {}",
            profile.display_name,
            crate::text::plain_text(&focus.content_html, 60)
        ),
        description,
        url: Some(urls.post_page(focus.id)),
        image: Some(image),
        activity_json: Some(urls.post(focus.id)),
        feeds: None,
        kind: "article",
    };
    layout(
        &meta,
        viewer,
        &profile.display_name,
        thread(urls, view, viewer),
    )
}

/// Asks a visitor for their handle and sends them to their own server to act on `uri`.
pub fn remote_interaction(uri: &str, label: &str) -> Markup {
    html! {
        details.remote {
            summary { (label) }
            form method="get" action="/interact" {
                input type="hidden" name="uri" value=(uri);
                label for="remote-handle" { "Your account, like @you@example.social" }
                div.row {
                    input #remote-handle type="text" name="handle" placeholder="@you@example.social" required autocomplete="username";
                    button type="submit" { "Go to my server" }
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
