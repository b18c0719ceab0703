//! Uploaded images (post attachments, avatar, header), made safe to store and serve.
//!
//! Every upload is decoded and encoded again, so nothing but its pixels survives: no EXIF (GPS
//! position, camera serial), XMP, IPTC, ICC profile, PNG text chunk or GIF comment. The EXIF
//! orientation is applied to the pixels first. Sizes are checked from the header before any pixel
//! is decoded.
//!
//! Peak memory of one `process` call, worst case: the upload and the JPEG decoder's copy of it
//! (32 MB), a progressive JPEG's coefficients while decoding (up to 200 MB), the decoded image (at
//! most `MAX_DECODED_BYTES`, 133 MB), then a copy at output size (at most 67 MB). Measured for a
//! 33-megapixel JPEG: 185 MB baseline, 300 MB progressive. So `process` runs one call at a time:
//! four uploads at once wait in turn rather than need over a gigabyte.
//!
//! Pure: no I/O, no database, nothing else from Perch.

mod blurhash;
mod decode;
mod encode;
mod resize;
#[cfg(test)]
mod tests;

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

use decode::{corrupt, decode};

/// Largest upload (Mastodon's limit for images), and largest animation after encoding it again.
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;
/// Largest image, in pixels: Mastodon's own limit (7680×4320), so what a Mastodon client sends
/// Mastodon, Perch takes too; it keeps a decoded image within 133 MB on a Pi.
pub const MAX_PIXELS: u64 = 33_177_600;

/// Fence for the decoders' allocations: 8-bit RGBA at `MAX_PIXELS` (so a 16-bit PNG, at twice the
/// bytes a pixel, may have half the pixels).
const MAX_DECODED_BYTES: u64 = MAX_PIXELS * 4;
/// The longest side a JPEG or GIF can declare; only PNG could declare more.
const MAX_SIDE: u32 = 65_535;
/// The gif crate refuses frames over 50 MB of RGBA: say so before it does.
const MAX_GIF_PIXELS: u64 = 50_000_000 / 4;
/// All frames of an animation, as decoded or copied: about 30 ns a pixel (3 s on a laptop).
const MAX_ANIMATION_PIXELS: u64 = 100_000_000;
/// All frames of a scaled or converted animation, as written: quantising them to 256 colours
/// again takes about 300 ns a pixel (3 s on a laptop, several times that on a Raspberry Pi).
const MAX_QUANTISED_PIXELS: u64 = 10_000_000;

/// Attachments keep their size unless a side is longer.
const ATTACHMENT_MAX_SIDE: u32 = 4096;
const PREVIEW_MAX_SIDE: u32 = 640;
const AVATAR_SIDE: u32 = 400;
const HEADER_SIZE: (u32, u32) = (1500, 500);
/// The blurhash keeps only 4×3 cosine components: a bigger thumbnail would only cost more.
const BLURHASH_SIDE: u32 = 32;
const JPEG_QUALITY: u8 = 85;
/// NeuQuant's sampling (1 best … 30 fastest) for scaled animation frames: 10 is three times
/// slower, for a difference hard to see in an avatar.
const GIF_SPEED: i32 = 30;

const JPEG: &str = "image/jpeg";
const PNG: &str = "image/png";
const GIF: &str = "image/gif";
const WEBP: &str = "image/webp";

const TOO_LARGE: MediaError = MediaError::TooLarge {
    max_bytes: MAX_UPLOAD_BYTES,
};

/// What an upload is for: it decides the crop and the size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// A post's attachment: kept whole, shrunk to fit 4096×4096.
    Attachment,
    /// The owner's avatar: cropped square, 400×400.
    Avatar,
    /// The owner's profile header: cropped to 3:1, at most 1500×500.
    Header,
}

/// An encoded image, ready to store and serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}

/// What `process` makes of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    /// JPEG, PNG, or GIF when animated.
    pub original: Image,
    /// A still (JPEG, or PNG when transparent) fitting 640×640. Attachments have one when the
    /// original is bigger or animated; avatars and headers only when animated, at their own size
    /// (Mastodon's `avatar_static` and `header_static`).
    pub preview: Option<Image>,
    /// 4×3 components, what clients draw while the image loads.
    pub blurhash: String,
}

/// Why an upload was refused. `Display` is one line fit to show the user; `Corrupt` carries the
/// decoder's detail, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaError {
    TooLarge { max_bytes: usize },
    TooManyPixels { max_pixels: u64 },
    UnsupportedFormat,
    Corrupt(String),
}

impl fmt::Display for MediaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MediaError::TooLarge { max_bytes } => {
                let megabytes = max_bytes / (1024 * 1024);
                write!(f, "the image is larger than {megabytes} MB")
            }
            MediaError::TooManyPixels { max_pixels } => {
                let millions = *max_pixels as f64 / 1e6;
                write!(f, "the image has more than {millions:.1} million pixels")
            }
            MediaError::UnsupportedFormat => {
                f.write_str("the file is not a JPEG, PNG, GIF or WebP image")
            }
            MediaError::Corrupt(_) => f.write_str("the image is damaged and could not be read"),
        }
    }
}

impl std::error::Error for MediaError {}

/// The MIME type sniffed from the bytes (magic numbers), or None: the server serves stored media
/// with this type, never with a client-supplied one.
pub fn sniff_mime(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(JPEG)
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(PNG)
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some(GIF)
    } else if data.len() >= 12 && data.starts_with(b"RIFF") && &data[8..12] == b"WEBP" {
        Some(WEBP)
    } else {
        None
    }
}

/// Checks an upload, strips its metadata, and crops and scales it for `kind`.
pub fn process(data: &[u8], kind: MediaKind) -> Result<Processed, MediaError> {
    if data.len() > MAX_UPLOAD_BYTES {
        return Err(TOO_LARGE);
    }
    let mime = sniff_mime(data).ok_or(MediaError::UnsupportedFormat)?;
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    // The decoders are fuzzed, but they parse hostile bytes: should one still panic, the upload
    // fails, not the thread serving it.
    panic::catch_unwind(AssertUnwindSafe(|| decode(data, mime, kind)))
        .unwrap_or_else(|_| Err(corrupt("the decoder panicked")))
}
