//! Mastodon's MediaAttachment, for our images and for those on remote posts.

use serde::Serialize;
use serde_json::{json, Value};

use crate::model::{Media, RemoteAttachment};
use crate::urls::Urls;

/// The longest side of a preview (`media::PREVIEW_MAX_SIDE`).
const PREVIEW_SIDE: u32 = 640;

#[derive(Serialize, Clone, Debug)]
pub struct MediaAttachment {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url: String,
    pub preview_url: String,
    pub remote_url: Option<String>,
    pub preview_remote_url: Option<String>,
    pub text_url: Option<String>,
    pub meta: Value,
    pub description: Option<String>,
    pub blurhash: Option<String>,
}

fn size(width: u32, height: u32) -> Value {
    json!({
        "width": width,
        "height": height,
        "size": format!("{width}x{height}"),
        "aspect": if height == 0 { 1.0 } else { f64::from(width) / f64::from(height) },
    })
}

/// The preview's size: the original scaled so its longer side is at most 640.
fn small(width: u32, height: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= PREVIEW_SIDE || longest == 0 {
        return (width, height);
    }
    let scale = |side: u32| (u64::from(side) * u64::from(PREVIEW_SIDE) / u64::from(longest)) as u32;
    (scale(width).max(1), scale(height).max(1))
}

pub fn own(urls: &Urls, media: &Media) -> MediaAttachment {
    let url = urls.media(media.id, &media.file_name());
    let preview_url = if media.has_preview {
        urls.media_preview(media.id, &media.file_name())
    } else {
        url.clone()
    };
    let (small_width, small_height) = small(media.width, media.height);
    MediaAttachment {
        id: media.id.to_string(),
        kind: if media.mime == "image/gif" {
            "gifv"
        } else {
            "image"
        },
        url,
        preview_url,
        remote_url: None,
        preview_remote_url: None,
        text_url: None,
        meta: json!({
            "original": size(media.width, media.height),
            "small": size(small_width, small_height),
            "focus": {"x": media.focus.0, "y": media.focus.1},
        }),
        description: (!media.description.is_empty()).then(|| media.description.clone()),
        blurhash: (!media.blurhash.is_empty()).then(|| media.blurhash.clone()),
    }
}

/// An image of a remote post, linked from its own server. `id` is made from the post's id and
/// the image's place, since remote images have no row of their own.
pub fn remote(post_id: i64, index: usize, attachment: &RemoteAttachment) -> MediaAttachment {
    let meta = match (attachment.width, attachment.height) {
        (Some(width), Some(height)) => json!({"original": size(width, height)}),
        _ => json!({}),
    };
    MediaAttachment {
        id: format!("{post_id}{index:02}"),
        kind: "image",
        url: attachment.url.clone(),
        preview_url: attachment.url.clone(),
        remote_url: Some(attachment.url.clone()),
        preview_remote_url: None,
        text_url: None,
        meta,
        description: (!attachment.description.is_empty()).then(|| attachment.description.clone()),
        blurhash: None,
    }
}
