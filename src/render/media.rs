//! Images under a post: ours (served from /media) and others' (linked from their servers), with
//! their alt text, blurred behind a "show" switch when marked sensitive (CSS only, no script).

use maud::{html, Markup};

use crate::model::{Post, RemoteAttachment};
use crate::urls::Urls;

use super::media_url;

/// One image to show: where the full size is, what to show inline, and its alt text.
pub struct ShownImage<'a> {
    pub full: String,
    pub inline: String,
    pub alt: &'a str,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

pub fn own<'a>(urls: &Urls, post: &'a Post) -> Vec<ShownImage<'a>> {
    post.media
        .iter()
        .map(|m| ShownImage {
            full: media_url(urls, m),
            inline: if m.has_preview {
                urls.media_preview(m.id, &m.file_name())
            } else {
                media_url(urls, m)
            },
            alt: &m.description,
            width: Some(m.width),
            height: Some(m.height),
        })
        .collect()
}

pub fn remote(attachments: &[RemoteAttachment]) -> Vec<ShownImage<'_>> {
    attachments
        .iter()
        .map(|a| ShownImage {
            full: a.url.clone(),
            inline: a.url.clone(),
            alt: &a.description,
            width: a.width,
            height: a.height,
        })
        .collect()
}

/// The images; `key` makes the switch's id unique on the page.
pub fn gallery(images: &[ShownImage], sensitive: bool, key: &str) -> Markup {
    let grid = html! {
        div.media {
            @for image in images {
                figure {
                    a href=(image.full) rel="nofollow noopener noreferrer" {
                        img src=(image.inline) alt=(image.alt) width=[image.width] height=[image.height] loading="lazy";
                    }
                    @if !image.alt.is_empty() {
                        figcaption.alt { span.sr { "Description: " } (image.alt) }
                    }
                }
            }
        }
    };
    html! {
        @if images.is_empty() {
        } @else if sensitive {
            div.sensitive-media {
                input.reveal type="checkbox" id=(format!("reveal-{key}"));
                label.reveal-label for=(format!("reveal-{key}")) { "Sensitive media: show" }
                (grid)
            }
        } @else {
            (grid)
        }
    }
}
