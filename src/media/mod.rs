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

use std::fmt;
use std::io::{self, Cursor, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::jpeg::{JpegDecoder, JpegEncoder};
use image::codecs::png::{CompressionType, FilterType, PngDecoder, PngEncoder};
use image::codecs::webp::WebPDecoder;
use image::metadata::{LoopCount, Orientation};
use image::{
    AnimationDecoder, ColorType, DynamicImage, Frame, Frames, GrayAlphaImage, GrayImage,
    ImageDecoder, ImageEncoder, ImageError, Limits, RgbImage, RgbaImage,
};

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

/// How a still image is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Jpeg,
    Png,
    /// For WebP: the image crate writes only lossless WebP, far bigger than a JPEG.
    JpegUnlessTransparent,
}

fn decode(data: &[u8], mime: &str, kind: MediaKind) -> Result<Processed, MediaError> {
    let input = Cursor::new(data);
    if mime == JPEG {
        let mut decoder = JpegDecoder::new(input).map_err(from_image)?;
        admit(&mut decoder)?;
        still(decoder, kind, Output::Jpeg)
    } else if mime == PNG {
        // An APNG keeps its default image, still.
        let mut decoder = PngDecoder::with_limits(input, limits()).map_err(from_image)?;
        admit(&mut decoder)?;
        still(decoder, kind, Output::Png)
    } else if mime == GIF {
        let mut decoder = GifDecoder::new(input).map_err(from_image)?;
        let size = admit(&mut decoder)?;
        let canvas = u64::from(size.0) * u64::from(size.1);
        if canvas > MAX_GIF_PIXELS {
            return Err(too_many_pixels(MAX_GIF_PIXELS));
        }
        // Frames may be bigger than the canvas: their pixels are decoded all the same.
        let (frames, frame_pixels) = gif_frames(data)?;
        let copy = kind == MediaKind::Attachment && fit(size, ATTACHMENT_MAX_SIDE) == size;
        check_frames(frames, frame_pixels.max(frames * canvas), kind, size, copy)?;
        let loops = decoder.loop_count();
        let mut decoded = decoder.into_frames();
        if copy && frames > 1 {
            let bytes = capped(|out| copy_gif(data, out))?;
            let first = decoded.next().ok_or_else(no_frames)?.map_err(from_image)?;
            let first = DynamicImage::ImageRgba8(first.into_buffer());
            return finish(first, kind, Output::Png, Some(bytes));
        }
        let orientation = Orientation::NoTransforms;
        animation(decoded, loops, orientation, kind, Output::Png)
    } else {
        let mut decoder = WebPDecoder::new(input).map_err(from_image)?;
        admit(&mut decoder)?;
        if !decoder.has_animation() {
            return still(decoder, kind, Output::JpegUnlessTransparent);
        }
        let (frames, size) = (webp_frame_count(data), decoder.dimensions());
        let canvas = u64::from(size.0) * u64::from(size.1);
        check_frames(frames, frames * canvas, kind, size, false)?;
        let orientation = orientation(&mut decoder);
        let loops = decoder.loop_count();
        let output = Output::JpegUnlessTransparent;
        animation(decoder.into_frames(), loops, orientation, kind, output)
    }
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

/// Refuses from the header alone an image too big to decode (a decompression bomb declares huge
/// dimensions in a few bytes), and sets the decoder's own limits as a second fence.
fn admit(decoder: &mut impl ImageDecoder) -> Result<(u32, u32), MediaError> {
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(corrupt("the image has no pixels"));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_many_pixels(MAX_PIXELS));
    }
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        let bytes_per_pixel = u64::from(decoder.color_type().bytes_per_pixel()).max(1);
        return Err(too_many_pixels(MAX_DECODED_BYTES / bytes_per_pixel));
    }
    decoder.set_limits(limits()).map_err(from_image)?;
    Ok((width, height))
}

fn from_image(error: ImageError) -> MediaError {
    match error {
        ImageError::Limits(_) => too_many_pixels(MAX_PIXELS),
        ImageError::Unsupported(_) => MediaError::UnsupportedFormat,
        other => corrupt(other),
    }
}

fn too_many_pixels(max_pixels: u64) -> MediaError {
    MediaError::TooManyPixels { max_pixels }
}

fn corrupt(detail: impl fmt::Display) -> MediaError {
    MediaError::Corrupt(detail.to_string())
}

fn no_frames() -> MediaError {
    corrupt("the animation has no frames")
}

/// The EXIF orientation; a broken EXIF block is no reason to refuse the picture.
fn orientation(decoder: &mut impl ImageDecoder) -> Orientation {
    decoder.orientation().unwrap_or(Orientation::NoTransforms)
}

fn still(
    mut decoder: impl ImageDecoder,
    kind: MediaKind,
    output: Output,
) -> Result<Processed, MediaError> {
    let orientation = orientation(&mut decoder);
    let image = DynamicImage::from_decoder(decoder).map_err(from_image)?;
    finish(shape(to_8bit(image), kind, orientation), kind, output, None)
}

/// Encodes a shaped still image, or completes an animation already encoded as `gif` (`image` is
/// then its first frame, the still that clients show until it plays: Mastodon's `preview_url`,
/// `avatar_static`).
fn finish(
    image: DynamicImage,
    kind: MediaKind,
    output: Output,
    gif: Option<Vec<u8>>,
) -> Result<Processed, MediaError> {
    let (width, height) = (image.width(), image.height());
    let image = drop_unused_alpha(image);
    let preview = match kind {
        MediaKind::Attachment => fit_within(&image, PREVIEW_MAX_SIDE),
        MediaKind::Avatar | MediaKind::Header => None,
    };
    let blurhash = blurhash(preview.as_ref().unwrap_or(&image));
    let (original, preview) = match gif {
        Some(bytes) => {
            let original = Image {
                bytes,
                mime: GIF,
                width,
                height,
            };
            (original, Some(preview.unwrap_or(image)))
        }
        None => (encode(&image, output)?, preview),
    };
    let preview = preview.map(|preview| encode(&preview, Output::JpegUnlessTransparent));
    let preview = preview.transpose()?;
    Ok(Processed {
        original,
        preview,
        blurhash,
    })
}

/// Encodes an animation again as GIF after shaping each frame, one frame in memory at a time.
/// A single frame makes a still image.
fn animation(
    mut frames: Frames<'_>,
    loops: LoopCount,
    orientation: Orientation,
    kind: MediaKind,
    still_output: Output,
) -> Result<Processed, MediaError> {
    let first = frames.next().ok_or_else(no_frames)?.map_err(from_image)?;
    let Some(second) = frames.next() else {
        let image = DynamicImage::ImageRgba8(first.into_buffer());
        return finish(shape(image, kind, orientation), kind, still_output, None);
    };
    let shape_frame = |frame: Frame| {
        let delay = frame.delay();
        let image = DynamicImage::ImageRgba8(frame.into_buffer());
        (shape(image, kind, orientation), delay)
    };
    let (still, delay) = shape_frame(first);
    let repeat = match loops {
        LoopCount::Infinite => Repeat::Infinite,
        LoopCount::Finite(n) => Repeat::Finite(u16::try_from(n.get()).unwrap_or(u16::MAX)),
    };
    let bytes = capped(|out| {
        let mut encoder = GifEncoder::new_with_speed(out, GIF_SPEED);
        encoder.set_repeat(repeat).map_err(from_image)?;
        let first = Frame::from_parts(still.to_rgba8(), 0, 0, delay);
        encoder.encode_frame(first).map_err(from_image)?;
        for frame in [second].into_iter().chain(frames) {
            let (image, delay) = shape_frame(frame.map_err(from_image)?);
            let frame = Frame::from_parts(image.into_rgba8(), 0, 0, delay);
            encoder.encode_frame(frame).map_err(from_image)?;
        }
        Ok(())
    })?;
    finish(still, kind, still_output, Some(bytes))
}

/// Refuses, before decoding any, an animation of `frames` frames and `decoded` pixels in all
/// that would take too long to decode or copy, or to quantise again at its new size (`copied`
/// false).
fn check_frames(
    frames: u64,
    decoded: u64,
    kind: MediaKind,
    size: (u32, u32),
    copied: bool,
) -> Result<(), MediaError> {
    if frames > 1 && decoded > MAX_ANIMATION_PIXELS {
        return Err(too_many_pixels(MAX_ANIMATION_PIXELS));
    }
    let written = plan(kind, size).1; // in pixels, the same whatever the orientation
    let written = frames * u64::from(written.0) * u64::from(written.1);
    if frames > 1 && !copied && written > MAX_QUANTISED_PIXELS {
        return Err(too_many_pixels(MAX_QUANTISED_PIXELS));
    }
    Ok(())
}

/// A GIF's frame count and the pixels of all its frames, read without decoding any.
fn gif_frames(data: &[u8]) -> Result<(u64, u64), MediaError> {
    let mut options = gif::DecodeOptions::new();
    options.skip_frame_decoding(true);
    let mut reader = options.read_info(data).map_err(corrupt)?;
    let (mut frames, mut pixels) = (0, 0);
    while let Some(frame) = reader.next_frame_info().map_err(corrupt)? {
        frames += 1;
        pixels += u64::from(frame.width) * u64::from(frame.height);
    }
    Ok((frames, pixels))
}

/// An animated WebP's frame count (its ANMF chunks), read without decoding any pixel.
fn webp_frame_count(data: &[u8]) -> u64 {
    let (mut offset, mut frames) = (12usize, 0);
    while let Some(&[a, b, c, d, e, f, g, h]) = data.get(offset..offset.saturating_add(8)) {
        frames += u64::from([a, b, c, d] == *b"ANMF");
        let size = u32::from_le_bytes([e, f, g, h]) as usize;
        offset = offset.saturating_add(8 + size % 2).saturating_add(size);
    }
    frames
}

/// Copies a GIF's frames (palettes, positions, delays, disposal) without its extensions
/// (comments, XMP, ICC): lossless, and as small as the original, where decoding to RGBA and
/// quantising again would write every frame whole.
fn copy_gif(data: &[u8], out: &mut CappedWriter) -> Result<(), MediaError> {
    let options = gif::DecodeOptions::new();
    let mut reader = options.read_info(data).map_err(corrupt)?;
    let global_palette = reader.global_palette().unwrap_or_default().to_vec();
    let (width, height) = (reader.width(), reader.height());
    let mut next = reader.read_next_frame().map_err(corrupt)?.cloned();
    let mut encoder = gif::Encoder::new(out, width, height, &global_palette).map_err(corrupt)?;
    encoder.set_repeat(reader.repeat()).map_err(corrupt)?;
    while let Some(mut frame) = next {
        frame.interlaced = false; // the decoder has deinterlaced the rows
        encoder.write_frame(&frame).map_err(corrupt)?;
        next = reader.read_next_frame().map_err(corrupt)?.cloned();
    }
    Ok(())
}

/// Runs `write` into a buffer capped at `MAX_UPLOAD_BYTES`: an animation encoded again can grow,
/// and it is stored as one BLOB.
fn capped(
    write: impl FnOnce(&mut CappedWriter) -> Result<(), MediaError>,
) -> Result<Vec<u8>, MediaError> {
    let mut out = CappedWriter::default();
    let result = write(&mut out);
    if out.overflowed {
        return Err(TOO_LARGE);
    }
    result.map(|()| out.bytes)
}

#[derive(Default)]
struct CappedWriter {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl Write for CappedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_UPLOAD_BYTES {
            self.overflowed = true;
            return Err(io::Error::other("the encoded image is too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Brings samples down to 8 bits, keeping the channels: what the resampler and encoders take.
fn to_8bit(image: DynamicImage) -> DynamicImage {
    match image.color() {
        ColorType::L8 | ColorType::La8 | ColorType::Rgb8 | ColorType::Rgba8 => image,
        ColorType::L16 => image.to_luma8().into(),
        ColorType::La16 => image.to_luma_alpha8().into(),
        color if color.has_alpha() => image.to_rgba8().into(),
        _ => image.to_rgb8().into(),
    }
}

/// Drops an alpha channel that is opaque everywhere (screenshots often have one), so the image
/// can be a JPEG, or a smaller PNG.
fn drop_unused_alpha(image: DynamicImage) -> DynamicImage {
    let opaque = |samples: &[u8], channels: usize| {
        samples
            .chunks_exact(channels)
            .all(|pixel| pixel[channels - 1] == u8::MAX)
    };
    match &image {
        DynamicImage::ImageLumaA8(buffer) if opaque(buffer, 2) => image.to_luma8().into(),
        DynamicImage::ImageRgba8(buffer) if opaque(buffer, 4) => image.to_rgb8().into(),
        _ => image,
    }
}

fn encode(image: &DynamicImage, output: Output) -> Result<Image, MediaError> {
    let (width, height) = (image.width(), image.height());
    let transparent = image.color().has_alpha();
    let mut bytes = Vec::new();
    let mime = if output == Output::Png || output == Output::JpegUnlessTransparent && transparent {
        PngEncoder::new_with_quality(&mut bytes, CompressionType::Default, FilterType::Adaptive)
            .write_image(image.as_bytes(), width, height, image.color().into())
            .map_err(from_image)?;
        PNG
    } else {
        // JPEG has no alpha (and a JPEG source has none to lose).
        let opaque: Option<DynamicImage> = match image.color() {
            ColorType::L8 | ColorType::Rgb8 => None,
            ColorType::La8 => Some(image.to_luma8().into()),
            _ => Some(image.to_rgb8().into()),
        };
        let image = opaque.as_ref().unwrap_or(image);
        JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
            .write_image(image.as_bytes(), width, height, image.color().into())
            .map_err(from_image)?;
        JPEG
    };
    Ok(Image {
        bytes,
        mime,
        width,
        height,
    })
}

/// Crops and scales `image` for `kind`, then applies `orientation`. Cropping and scaling happen in
/// the stored (unrotated) frame, so a big photo is shrunk before it is rotated: rotating copies.
fn shape(image: DynamicImage, kind: MediaKind, orientation: Orientation) -> DynamicImage {
    let swapped = orientation.to_exif() >= 5; // 5 to 8 turn the image a quarter
    let transpose = |(a, b): (u32, u32)| if swapped { (b, a) } else { (a, b) };
    let size = (image.width(), image.height());
    let (crop, target) = plan(kind, transpose(size));
    let (crop, target) = (transpose(crop), transpose(target));
    let mut image = if crop == size && target == size {
        image
    } else {
        let origin = ((size.0 - crop.0) / 2, (size.1 - crop.1) / 2);
        resample(&image, origin, crop, target)
    };
    image.apply_orientation(orientation);
    image
}

/// The centred crop and the output size for `kind`, each (width, height) as displayed.
fn plan(kind: MediaKind, (width, height): (u32, u32)) -> ((u32, u32), (u32, u32)) {
    match kind {
        MediaKind::Attachment => ((width, height), fit((width, height), ATTACHMENT_MAX_SIDE)),
        MediaKind::Avatar => {
            let side = width.min(height);
            ((side, side), (AVATAR_SIDE, AVATAR_SIDE))
        }
        MediaKind::Header => {
            let crop = if u64::from(width) >= 3 * u64::from(height) {
                (3 * height, height)
            } else {
                (width, (width / 3).max(1))
            };
            // A smaller header is cropped only: upscaling would just blur it.
            let target = if crop.0 > HEADER_SIZE.0 {
                HEADER_SIZE
            } else {
                crop
            };
            (crop, target)
        }
    }
}

/// (width, height) shrunk to fit a square of `side`, keeping the aspect ratio.
fn fit((width, height): (u32, u32), side: u32) -> (u32, u32) {
    let scale = |short: u32, long: u32| {
        let scaled = (u64::from(short) * u64::from(side) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(side).clamp(1, side)
    };
    if width <= side && height <= side {
        (width, height)
    } else if width >= height {
        (side, scale(height, width))
    } else {
        (scale(width, height), side)
    }
}

/// `image` shrunk to fit a square of `side`, or None when it already fits.
fn fit_within(image: &DynamicImage, side: u32) -> Option<DynamicImage> {
    let size = (image.width(), image.height());
    let target = fit(size, side);
    (target != size).then(|| resample(image, (0, 0), size, target))
}

/// Scales the `size` rectangle at `origin` of an 8-bit image to `target` with a triangle filter, widened by the scale factor
/// when shrinking so that every source pixel counts (no aliasing); colour is weighted by alpha, so
/// transparent pixels do not bleed. Not `image::imageops::resize`, which keeps an f32 RGBA copy of
/// source width × target height (16 bytes a pixel, 280 MB for a 33-megapixel photo): this keeps
/// target width × source height, 1 byte a sample.
fn resample(
    image: &DynamicImage,
    origin: (u32, u32),
    size: (u32, u32),
    target: (u32, u32),
) -> DynamicImage {
    let (samples, width) = (image.as_bytes(), image.width());
    let scaled = match image.color().channel_count() {
        1 => scale::<1>(samples, width, origin, size, target),
        2 => scale::<2>(samples, width, origin, size, target),
        3 => scale::<3>(samples, width, origin, size, target),
        _ => scale::<4>(samples, width, origin, size, target),
    };
    let (width, height) = target;
    let image = match image.color() {
        ColorType::L8 => GrayImage::from_raw(width, height, scaled).map(Into::into),
        ColorType::La8 => GrayAlphaImage::from_raw(width, height, scaled).map(Into::into),
        ColorType::Rgb8 => RgbImage::from_raw(width, height, scaled).map(Into::into),
        _ => RgbaImage::from_raw(width, height, scaled).map(Into::into),
    };
    image.expect("scale() returns width × height × channels samples")
}

/// `resample` for `C` channels; with 2 or 4, the last one is alpha.
fn scale<const C: usize>(
    samples: &[u8],
    width: u32,
    (x, y): (u32, u32),
    (rect_width, rect_height): (u32, u32),
    target: (u32, u32),
) -> Vec<u8> {
    let pixels = samples.as_chunks::<C>().0;
    let target_width = target.0 as usize;

    let columns = taps(rect_width, target.0);
    let mut narrow = vec![[0u8; C]; target_width * rect_height as usize];
    for (row_index, out) in narrow.chunks_exact_mut(target_width).enumerate() {
        let start = (y as usize + row_index) * width as usize + x as usize;
        let row = &pixels[start..start + rect_width as usize];
        for (pixel, (first, weights)) in out.iter_mut().zip(&columns) {
            let mut sum = [0f32; C];
            for (weight, sample) in weights.iter().zip(&row[*first..]) {
                accumulate(&mut sum, sample, *weight);
            }
            *pixel = store(&sum);
        }
    }

    let mut scaled = Vec::with_capacity(target_width * target.1 as usize * C);
    let mut sums = vec![[0f32; C]; target_width];
    for (first, weights) in taps(rect_height, target.1) {
        sums.fill([0.0; C]);
        let rows = narrow[first * target_width..].chunks_exact(target_width);
        for (weight, row) in weights.iter().zip(rows) {
            for (sum, sample) in sums.iter_mut().zip(row) {
                accumulate(sum, sample, *weight);
            }
        }
        scaled.extend(sums.iter().flat_map(store));
    }
    scaled
}

/// For each output position, the first source position and the weights from there on.
fn taps(source_len: u32, target_len: u32) -> Vec<(usize, Vec<f32>)> {
    let scale = f64::from(source_len) / f64::from(target_len);
    let radius = scale.max(1.0);
    let taps_at = |i: u32| {
        let center = (f64::from(i) + 0.5) * scale;
        let first = (center - radius).floor().max(0.0) as usize;
        let end = ((center + radius).ceil() as usize).min(source_len as usize);
        let mut weights: Vec<f32> = (first..end)
            .map(|j| (1.0 - ((j as f64 + 0.5 - center) / radius).abs()).max(0.0) as f32)
            .collect();
        let total: f32 = weights.iter().sum();
        weights
            .iter_mut()
            .for_each(|weight| *weight /= total.max(f32::MIN_POSITIVE));
        (first, weights)
    };
    (0..target_len).map(taps_at).collect()
}

fn accumulate<const C: usize>(sum: &mut [f32; C], sample: &[u8; C], weight: f32) {
    let (mut colours, mut colour_weight) = (C, weight);
    if C == 2 || C == 4 {
        colours -= 1;
        let alpha = f32::from(sample[colours]);
        sum[colours] += weight * alpha;
        colour_weight = weight * alpha / 255.0;
    }
    for (total, value) in sum[..colours].iter_mut().zip(sample) {
        *total += colour_weight * f32::from(*value);
    }
}

fn store<const C: usize>(sum: &[f32; C]) -> [u8; C] {
    let to_u8 = |value: f32| value.round().clamp(0.0, 255.0) as u8;
    let (mut pixel, mut colours, mut unweight) = ([0u8; C], C, 1.0);
    if C == 2 || C == 4 {
        colours -= 1;
        let alpha = sum[colours];
        pixel[colours] = to_u8(alpha);
        unweight = if alpha > 0.0 { 255.0 / alpha } else { 0.0 };
    }
    for (value, total) in pixel[..colours].iter_mut().zip(sum) {
        *value = to_u8(total * unweight);
    }
    pixel
}

/// The blurhash (https://blurha.sh) of `image`, 4×3 components, from a thumbnail.
fn blurhash(image: &DynamicImage) -> String {
    let size = (image.width(), image.height());
    let thumbnail = resample(image, (0, 0), size, fit(size, BLURHASH_SIDE)).into_rgba8();
    let (width, height) = thumbnail.dimensions();
    // Fails only for component counts outside 1..=9.
    blurhash::encode(4, 3, width, height, thumbnail.as_raw()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::webp::WebPEncoder;
    use image::{Delay, ExtendedColorType, GenericImageView, Rgb, RgbImage, Rgba, RgbaImage};
    use std::time::{Duration, Instant};

    const MARKER: &[u8] = b"GPSSECRET";

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack
            .windows(needle.len())
            .any(|window| window == needle)
    }

    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128])
        })
    }

    fn jpeg(image: &RgbImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, 90)
            .write_image(
                image.as_raw(),
                image.width(),
                image.height(),
                ExtendedColorType::Rgb8,
            )
            .unwrap();
        bytes
    }

    fn png(image: &DynamicImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        PngEncoder::new(&mut bytes)
            .write_image(
                image.as_bytes(),
                image.width(),
                image.height(),
                image.color().into(),
            )
            .unwrap();
        bytes
    }

    fn webp(image: &RgbaImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        WebPEncoder::new_lossless(&mut bytes)
            .write_image(
                image.as_raw(),
                image.width(),
                image.height(),
                ExtendedColorType::Rgba8,
            )
            .unwrap();
        bytes
    }

    fn gif(frames: &[RgbaImage]) -> Vec<u8> {
        let mut bytes = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut bytes);
            encoder.set_repeat(Repeat::Infinite).unwrap();
            for frame in frames {
                let delay = Delay::from_numer_denom_ms(100, 1);
                encoder
                    .encode_frame(Frame::from_parts(frame.clone(), 0, 0, delay))
                    .unwrap();
            }
        }
        bytes
    }

    /// A big-endian TIFF block as found in EXIF: ImageDescription (the marker), Orientation,
    /// and a GPS IFD with a latitude and the marker again.
    fn exif_tiff(orientation: u16) -> Vec<u8> {
        fn entry(tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
            tiff.extend(tag.to_be_bytes());
            tiff.extend(kind.to_be_bytes());
            tiff.extend(count.to_be_bytes());
            tiff.extend(value);
        }
        let description = [MARKER, b"\0"].concat();
        let description_at = 8 + 2 + 3 * 12 + 4;
        let gps_at = description_at + description.len() as u32 + 1;
        let method = [b"ASCII\0\0\0".as_slice(), MARKER].concat();
        let method_at = gps_at + 2 + 3 * 12 + 4;
        let latitude_at = method_at + method.len() as u32 + 1;

        let mut tiff = b"MM\0\x2a".to_vec();
        tiff.extend(8u32.to_be_bytes());
        tiff.extend(3u16.to_be_bytes());
        entry(
            &mut tiff,
            0x010E,
            2,
            description.len() as u32,
            description_at.to_be_bytes(),
        );
        let [high, low] = orientation.to_be_bytes();
        entry(&mut tiff, 0x0112, 3, 1, [high, low, 0, 0]);
        entry(&mut tiff, 0x8825, 4, 1, gps_at.to_be_bytes());
        tiff.extend(0u32.to_be_bytes());
        tiff.extend(&description);
        tiff.push(0);
        tiff.extend(3u16.to_be_bytes());
        entry(&mut tiff, 0x0001, 2, 2, *b"N\0\0\0");
        entry(&mut tiff, 0x0002, 5, 3, latitude_at.to_be_bytes());
        entry(
            &mut tiff,
            0x001B,
            7,
            method.len() as u32,
            method_at.to_be_bytes(),
        );
        tiff.extend(0u32.to_be_bytes());
        tiff.extend(&method);
        tiff.push(0);
        for (numerator, denominator) in [(52u32, 1u32), (31, 1), (1234, 100)] {
            tiff.extend(numerator.to_be_bytes());
            tiff.extend(denominator.to_be_bytes());
        }
        tiff
    }

    /// Puts an APP1 Exif segment right after the SOI marker, as cameras do.
    fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
        let length = u16::try_from(2 + 6 + tiff.len()).unwrap();
        let mut out = jpeg[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(length.to_be_bytes());
        out.extend(b"Exif\0\0");
        out.extend(tiff);
        out.extend(&jpeg[2..]);
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut chunk = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        chunk.extend(kind);
        chunk.extend(data);
        chunk.extend(crc32(&chunk[4..]).to_be_bytes());
        chunk
    }

    /// Inserts chunks after IHDR (signature 8 bytes, IHDR 25).
    fn with_chunks(png: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
        [&png[..33], &chunks.concat(), &png[33..]].concat()
    }

    /// A PNG of `width`×`height`, 8-bit RGB unless `depth_and_colour` says otherwise, whose
    /// pixel data is missing.
    fn ihdr_only_png(width: u32, height: u32, depth_and_colour: [u8; 2]) -> Vec<u8> {
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend(height.to_be_bytes());
        ihdr.extend(depth_and_colour);
        ihdr.extend([0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(png_chunk(b"IHDR", &ihdr));
        // A zlib stream of nothing: the pixels are never reached.
        png.extend(png_chunk(
            b"IDAT",
            &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ));
        png.extend(png_chunk(b"IEND", &[]));
        png
    }

    /// xorshift: reproducible noise without a dependency.
    fn noise(seed: u64, len: usize) -> Vec<u8> {
        let mut state = seed | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect()
    }

    fn frame_count(bytes: &[u8]) -> usize {
        let decoder = GifDecoder::new(Cursor::new(bytes)).unwrap();
        decoder.into_frames().collect_frames().unwrap().len()
    }

    fn decoded(image: &Image) -> DynamicImage {
        image::load_from_memory(&image.bytes).unwrap()
    }

    #[test]
    fn jpeg_exif_with_gps_is_stripped() {
        let input = with_exif(&jpeg(&gradient(64, 48)), &exif_tiff(1));
        assert!(contains(&input, MARKER) && contains(&input, b"Exif\0\0"));

        let processed = process(&input, MediaKind::Attachment).unwrap();
        let original = &processed.original;
        assert_eq!(
            (original.mime, original.width, original.height),
            (JPEG, 64, 48)
        );
        assert!(!contains(&original.bytes, MARKER));
        assert!(!contains(&original.bytes, b"Exif"));
        assert!(
            !contains(&original.bytes, &[0xFF, 0xE1]),
            "no APP1 segment at all"
        );
        assert_eq!(decoded(original).dimensions(), (64, 48));
        assert_eq!(processed.preview, None);
    }

    #[test]
    fn png_text_and_exif_chunks_are_stripped() {
        let base = png(&DynamicImage::ImageRgb8(gradient(40, 30)));
        let text = png_chunk(b"tEXt", &[b"Comment\0".as_slice(), MARKER].concat());
        let exif = png_chunk(b"eXIf", &exif_tiff(1));
        let input = with_chunks(&base, &[text, exif]);
        assert!(contains(&input, b"tEXt") && contains(&input, b"eXIf"));

        let processed = process(&input, MediaKind::Attachment).unwrap();
        let original = &processed.original;
        assert_eq!(
            (original.mime, original.width, original.height),
            (PNG, 40, 30)
        );
        for needle in [MARKER, b"tEXt", b"eXIf", b"iTXt", b"zTXt"] {
            assert!(!contains(&original.bytes, needle));
        }
    }

    #[test]
    fn png_exif_orientation_is_applied() {
        let base = png(&DynamicImage::ImageRgb8(gradient(20, 10)));
        let input = with_chunks(&base, &[png_chunk(b"eXIf", &exif_tiff(6))]);
        let original = process(&input, MediaKind::Attachment).unwrap().original;
        assert_eq!((original.width, original.height), (10, 20));
    }

    #[test]
    fn jpeg_exif_orientation_is_applied() {
        // Left half red, right half blue; rotating 90° clockwise puts red on top.
        let image = RgbImage::from_fn(20, 10, |x, _| {
            if x < 10 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        });
        let input = with_exif(&jpeg(&image), &exif_tiff(6));
        let original = process(&input, MediaKind::Attachment).unwrap().original;
        assert_eq!((original.width, original.height), (10, 20));
        let pixels = decoded(&original).to_rgb8();
        let Rgb([r, _, b]) = *pixels.get_pixel(5, 2);
        assert!(r > 200 && b < 60, "top is red: {r} {b}");
        let Rgb([r, _, b]) = *pixels.get_pixel(5, 17);
        assert!(r < 60 && b > 200, "bottom is blue: {r} {b}");
    }

    #[test]
    fn oversized_upload_is_refused_before_decoding() {
        let mut input = vec![0u8; 60 * 1024 * 1024];
        input[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        let started = Instant::now();
        let error = process(&input, MediaKind::Attachment).unwrap_err();
        assert_eq!(
            error,
            MediaError::TooLarge {
                max_bytes: MAX_UPLOAD_BYTES
            }
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a hang guard, not a speed target"
        );
        assert_eq!(error.to_string(), "the image is larger than 16 MB");
    }

    #[test]
    fn decompression_bomb_is_refused_from_the_header() {
        for (width, height) in [(100_000, 100_000), (20_000, 20_000), (65_535, 65_535)] {
            let input = ihdr_only_png(width, height, [8, 2]);
            let started = Instant::now();
            let error = process(&input, MediaKind::Attachment).unwrap_err();
            assert!(
                matches!(error, MediaError::TooManyPixels { .. }),
                "{width}: {error:?}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "a hang guard, not a speed target"
            );
        }
        // Still within the limit: refused only because the pixel data is missing.
        let error = process(&ihdr_only_png(100, 100, [8, 2]), MediaKind::Avatar).unwrap_err();
        assert!(matches!(error, MediaError::Corrupt(_)), "{error:?}");

        // A JPEG whose frame header (SOF0: FF C0, length, precision) says 65535×65535.
        let mut input = jpeg(&gradient(16, 16));
        let sof = input
            .windows(2)
            .position(|marker| marker == [0xFF, 0xC0])
            .unwrap();
        input[sof + 5..sof + 9].copy_from_slice(&[0xFF; 4]);
        let error = process(&input, MediaKind::Attachment).unwrap_err();
        assert_eq!(
            error,
            MediaError::TooManyPixels {
                max_pixels: MAX_PIXELS
            }
        );
        // A GIF whose screen is 65535×65535.
        let mut input = gif(&[RgbaImage::new(4, 4)]);
        input[6..10].copy_from_slice(&[0xFF; 4]);
        let error = process(&input, MediaKind::Attachment).unwrap_err();
        assert_eq!(
            error,
            MediaError::TooManyPixels {
                max_pixels: MAX_PIXELS
            }
        );
    }

    #[test]
    fn sixteen_bit_png_too_big_for_its_depth_is_refused() {
        // 25 megapixels of 16-bit RGBA: 8 bytes a pixel.
        let input = ihdr_only_png(5000, 5000, [16, 6]);
        let error = process(&input, MediaKind::Attachment).unwrap_err();
        assert_eq!(
            error,
            MediaError::TooManyPixels {
                max_pixels: MAX_PIXELS / 2
            }
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let magics: [&[u8]; 5] = [
            b"",
            b"\xFF\xD8\xFF",
            b"\x89PNG\r\n\x1a\n",
            b"GIF89a",
            b"RIFF\x20\0\0\0WEBP",
        ];
        for (seed, magic) in magics.iter().enumerate() {
            for len in [0, 1, 16, 100, 5000] {
                let input = [*magic, &noise(seed as u64 + len as u64, len)].concat();
                assert!(
                    process(&input, MediaKind::Attachment).is_err(),
                    "{seed} {len}"
                );
            }
        }
    }

    #[test]
    fn truncated_files_do_not_panic() {
        let image = DynamicImage::ImageRgb8(gradient(64, 48));
        let mut webp_input = Vec::new();
        WebPEncoder::new_lossless(&mut webp_input)
            .write_image(image.as_bytes(), 64, 48, ExtendedColorType::Rgb8)
            .unwrap();
        let inputs = [
            jpeg(&gradient(64, 48)),
            png(&image),
            gif(&[image.to_rgba8(), RgbaImage::new(64, 48)]),
            webp_input,
        ];
        for input in inputs {
            for cut in (1..16).map(|sixteenths| input.len() * sixteenths / 16) {
                // A lenient decoder may fill in what is missing; it must never panic.
                let _ = process(&input[..cut], MediaKind::Attachment);
            }
            // Headers only: nothing to show.
            assert!(process(&input[..20.min(input.len())], MediaKind::Attachment).is_err());
        }
    }

    #[test]
    fn documents_are_not_images() {
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        let html = b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>";
        for input in [svg.as_slice(), html.as_slice(), b"", b"BM\x00\x00"] {
            assert_eq!(
                process(input, MediaKind::Attachment),
                Err(MediaError::UnsupportedFormat)
            );
            assert_eq!(sniff_mime(input), None);
        }
    }

    #[test]
    fn sniff_mime_knows_the_four_formats() {
        let image = DynamicImage::ImageRgba8(RgbaImage::new(4, 4));
        assert_eq!(sniff_mime(&jpeg(&gradient(4, 4))), Some("image/jpeg"));
        assert_eq!(sniff_mime(&png(&image)), Some("image/png"));
        assert_eq!(sniff_mime(&gif(&[image.to_rgba8()])), Some("image/gif"));
        assert_eq!(sniff_mime(&webp(&image.to_rgba8())), Some("image/webp"));
        assert_eq!(sniff_mime(b"GIF87a"), Some("image/gif"));
        assert_eq!(sniff_mime(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(sniff_mime(b"\0\0\0\x18ftypavif"), None);
    }

    #[test]
    fn avatar_is_a_400_square() {
        for (width, height) in [(900, 600), (300, 900), (100, 60)] {
            let input = jpeg(&gradient(width, height));
            let processed = process(&input, MediaKind::Avatar).unwrap();
            let original = &processed.original;
            assert_eq!((original.width, original.height), (400, 400));
            assert_eq!(decoded(original).dimensions(), (400, 400));
            assert_eq!(processed.preview, None);
        }
    }

    #[test]
    fn header_is_cropped_to_three_to_one() {
        let input = jpeg(&gradient(1800, 700));
        let original = process(&input, MediaKind::Header).unwrap().original;
        assert_eq!((original.width, original.height), (1500, 500));
        assert_eq!(decoded(&original).dimensions(), (1500, 500));
        // A small one is cropped, not upscaled.
        let original = process(&jpeg(&gradient(600, 600)), MediaKind::Header)
            .unwrap()
            .original;
        assert_eq!((original.width, original.height), (600, 200));
        let original = process(&jpeg(&gradient(1200, 100)), MediaKind::Header)
            .unwrap()
            .original;
        assert_eq!((original.width, original.height), (300, 100));
    }

    #[test]
    fn header_crop_follows_the_orientation() {
        // Stored 700×1800, shown 1800×700 after rotating.
        let input = with_exif(&jpeg(&gradient(700, 1800)), &exif_tiff(6));
        let original = process(&input, MediaKind::Header).unwrap().original;
        assert_eq!((original.width, original.height), (1500, 500));
    }

    #[test]
    fn large_attachment_gets_a_preview() {
        let processed = process(&jpeg(&gradient(2000, 1000)), MediaKind::Attachment).unwrap();
        let original = &processed.original;
        assert_eq!((original.width, original.height), (2000, 1000));
        let preview = processed.preview.expect("a preview");
        assert_eq!(
            (preview.mime, preview.width, preview.height),
            (JPEG, 640, 320)
        );
        assert_eq!(decoded(&preview).dimensions(), (640, 320));
    }

    #[test]
    fn huge_attachment_is_shrunk_to_4096() {
        let processed = process(&jpeg(&gradient(4500, 200)), MediaKind::Attachment).unwrap();
        let original = &processed.original;
        assert_eq!((original.width, original.height), (4096, 182));
        let preview = processed.preview.expect("a preview");
        assert_eq!((preview.width, preview.height), (640, 28));
    }

    #[test]
    fn transparency_keeps_png() {
        let image = RgbaImage::from_fn(800, 400, |x, _| Rgba([200, 10, 10, (x % 256) as u8]));
        let processed = process(&png(&image.clone().into()), MediaKind::Attachment).unwrap();
        assert_eq!(processed.original.mime, PNG);
        assert_eq!(decoded(&processed.original).color(), ColorType::Rgba8);
        let preview = processed.preview.expect("a preview");
        assert_eq!(
            (preview.mime, preview.width, preview.height),
            (PNG, 640, 320)
        );
        // Transparent pixels carry no colour into their neighbours.
        let pixel = *decoded(&preview).to_rgba8().get_pixel(1, 10);
        assert!(pixel[0] > 190 && pixel[1] < 20, "{pixel:?}");
    }

    #[test]
    fn opaque_alpha_channel_is_dropped() {
        let image = DynamicImage::ImageRgba8(RgbaImage::from_pixel(30, 20, Rgba([1, 2, 3, 255])));
        let original = process(&png(&image), MediaKind::Attachment)
            .unwrap()
            .original;
        assert_eq!(decoded(&original).color(), ColorType::Rgb8);
    }

    #[test]
    fn sixteen_bit_png_is_accepted() {
        let image = DynamicImage::ImageRgb8(gradient(50, 40)).to_rgb16();
        let original = process(&png(&image.into()), MediaKind::Attachment)
            .unwrap()
            .original;
        assert_eq!(
            (original.mime, original.width, original.height),
            (PNG, 50, 40)
        );
    }

    #[test]
    fn webp_becomes_jpeg_or_png() {
        let opaque = RgbaImage::from_pixel(30, 20, Rgba([9, 99, 199, 255]));
        let original = process(&webp(&opaque), MediaKind::Attachment)
            .unwrap()
            .original;
        assert_eq!(
            (original.mime, original.width, original.height),
            (JPEG, 30, 20)
        );
        let clear = RgbaImage::from_pixel(30, 20, Rgba([9, 99, 199, 100]));
        let original = process(&webp(&clear), MediaKind::Attachment)
            .unwrap()
            .original;
        assert_eq!(original.mime, PNG);
    }

    #[test]
    fn animated_gif_stays_animated() {
        let frames: Vec<RgbaImage> = [[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255]]
            .into_iter()
            .map(|colour| RgbaImage::from_pixel(30, 20, Rgba(colour)))
            .collect();
        let processed = process(&gif(&frames), MediaKind::Attachment).unwrap();
        let original = &processed.original;
        assert_eq!(
            (original.mime, original.width, original.height),
            (GIF, 30, 20)
        );
        assert_eq!(frame_count(&original.bytes), 3);
        let preview = processed.preview.expect("a still preview");
        assert_eq!(
            (preview.mime, preview.width, preview.height),
            (JPEG, 30, 20)
        );

        let avatar = process(&gif(&frames), MediaKind::Avatar).unwrap();
        assert_eq!((avatar.original.width, avatar.original.height), (400, 400));
        assert_eq!(frame_count(&avatar.original.bytes), 3);
        assert_eq!(
            avatar.preview.map(|still| (still.width, still.height)),
            Some((400, 400))
        );
    }

    #[test]
    fn gif_comment_is_stripped() {
        let frames = [
            RgbaImage::new(8, 8),
            RgbaImage::from_pixel(8, 8, Rgba([1, 2, 3, 255])),
        ];
        let plain = gif(&frames);
        // A comment extension right after the header, screen descriptor and global colour table.
        let packed = plain[10];
        let table = if packed & 0x80 == 0 {
            0
        } else {
            3 << ((packed & 7) + 1)
        };
        let comment = [b"\x21\xFE\x09".as_slice(), MARKER, b"\x00"].concat();
        let input = [&plain[..13 + table], &comment, &plain[13 + table..]].concat();
        let original = process(&input, MediaKind::Attachment).unwrap().original;
        assert!(!contains(&original.bytes, MARKER));
        assert_eq!(frame_count(&original.bytes), 2);
    }

    #[test]
    fn gif_frames_are_copied_losslessly() {
        // An optimised GIF: a full first frame, then a small patch with its own palette.
        let mut input = Vec::new();
        {
            let palette = [0, 0, 0, 255, 255, 255];
            let mut encoder = gif::Encoder::new(&mut input, 100, 100, &palette).unwrap();
            encoder.set_repeat(gif::Repeat::Finite(3)).unwrap();
            let mut first = gif::Frame::from_indexed_pixels(100, 100, vec![1; 100 * 100], None);
            first.delay = 7;
            encoder.write_frame(&first).unwrap();
            let mut patch = gif::Frame::from_palette_pixels(10, 10, vec![0; 100], [9, 8, 7], None);
            (patch.left, patch.top, patch.delay) = (20, 30, 9);
            encoder.write_frame(&patch).unwrap();
        }
        let processed = process(&input, MediaKind::Attachment).unwrap();
        let original = &processed.original;
        assert_eq!(
            (original.mime, original.width, original.height),
            (GIF, 100, 100)
        );
        assert!(
            original.bytes.len() <= input.len() + 32,
            "{}",
            original.bytes.len()
        );

        let mut reader = gif::DecodeOptions::new()
            .read_info(&original.bytes[..])
            .unwrap();
        let first = reader.read_next_frame().unwrap().unwrap();
        assert_eq!((first.width, first.delay, first.buffer[0]), (100, 7, 1));
        let patch = reader.read_next_frame().unwrap().unwrap().clone();
        assert_eq!(
            (patch.left, patch.top, patch.width, patch.delay),
            (20, 30, 10, 9)
        );
        assert_eq!(
            patch.palette.as_deref().map(|colours| &colours[..3]),
            Some(&[9, 8, 7][..])
        );
        assert!(reader.read_next_frame().unwrap().is_none());
        assert_eq!(reader.repeat(), gif::Repeat::Finite(3));
        let preview = processed.preview.expect("a still preview");
        let Rgb(colour) = *decoded(&preview).to_rgb8().get_pixel(50, 50);
        assert!(colour.iter().all(|value| *value > 240), "{colour:?}");
    }

    /// `frames` one-pixel frames on a `width`×`height` canvas.
    fn sparse_gif(width: u16, height: u16, frames: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder =
            gif::Encoder::new(&mut bytes, width, height, &[0, 0, 0, 9, 9, 9]).unwrap();
        for index in 0..frames {
            let frame = gif::Frame::from_indexed_pixels(1, 1, vec![(index % 2) as u8], None);
            encoder.write_frame(&frame).unwrap();
        }
        drop(encoder);
        bytes
    }

    #[test]
    fn long_animations_are_refused_before_decoding() {
        let started = Instant::now();
        // 12 frames of 9 megapixels: too many to decode.
        let input = sparse_gif(3000, 3000, 12);
        let error = process(&input, MediaKind::Attachment).unwrap_err();
        assert_eq!(
            error,
            MediaError::TooManyPixels {
                max_pixels: MAX_ANIMATION_PIXELS
            }
        );
        // 70 frames become 70 avatars of 400×400: too many to quantise, fine to copy.
        let input = sparse_gif(100, 100, 70);
        let error = process(&input, MediaKind::Avatar).unwrap_err();
        assert_eq!(
            error,
            MediaError::TooManyPixels {
                max_pixels: MAX_QUANTISED_PIXELS
            }
        );
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
        let original = process(&input, MediaKind::Attachment).unwrap().original;
        assert_eq!(frame_count(&original.bytes), 70);
        // Two 65535×65535 frames, with next to no pixel data, on a 1×1 canvas.
        let descriptor = b"\x2C\0\0\0\0\xFF\xFF\xFF\xFF\x80\0\0\0\x09\x09\x09";
        let frame = [descriptor.as_slice(), b"\x02\x01\x44\0"].concat();
        let screen = b"GIF89a\x01\0\x01\0\0\0\0";
        let input = [screen.as_slice(), &frame, &frame, b";"].concat();
        let started = Instant::now();
        let error = process(&input, MediaKind::Attachment).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a hang guard, not a speed target"
        );
        assert_eq!(
            error,
            MediaError::TooManyPixels {
                max_pixels: MAX_ANIMATION_PIXELS
            }
        );
    }

    #[test]
    fn single_frame_gif_becomes_png() {
        let input = gif(&[RgbaImage::from_pixel(30, 20, Rgba([5, 6, 7, 255]))]);
        let processed = process(&input, MediaKind::Attachment).unwrap();
        assert_eq!(processed.original.mime, PNG);
        assert_eq!(processed.preview, None);
    }

    #[test]
    fn animated_webp_becomes_gif() {
        fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
            let mut out = kind.to_vec();
            out.extend(u32::try_from(data.len()).unwrap().to_le_bytes());
            out.extend(data);
            if data.len() % 2 == 1 {
                out.push(0);
            }
            out
        }
        let u24 = |value: u32| value.to_le_bytes()[..3].to_vec();
        let mut body = b"WEBP".to_vec();
        body.extend(chunk(
            b"VP8X",
            &[[0x12, 0, 0, 0].as_slice(), &u24(29), &u24(19)].concat(),
        ));
        body.extend(chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]));
        for colour in [[255, 0, 0, 255], [0, 0, 255, 255]] {
            let still = webp(&RgbaImage::from_pixel(30, 20, Rgba(colour)));
            assert_eq!(&still[12..16], b"VP8L");
            let header = [u24(0), u24(0), u24(29), u24(19), u24(100), vec![0]].concat();
            body.extend(chunk(b"ANMF", &[header.as_slice(), &still[12..]].concat()));
        }
        let input = chunk(b"RIFF", &body)[4..].to_vec();
        let input = [b"RIFF".as_slice(), &input].concat();
        assert_eq!(sniff_mime(&input), Some(WEBP));

        let processed = process(&input, MediaKind::Attachment).unwrap();
        assert_eq!(processed.original.mime, GIF);
        assert_eq!(frame_count(&processed.original.bytes), 2);
    }

    #[test]
    fn blurhash_is_standard_and_stable() {
        let input = png(&DynamicImage::ImageRgb8(gradient(200, 100)));
        let first = process(&input, MediaKind::Attachment).unwrap().blurhash;
        assert_eq!(first.len(), 28);
        assert_eq!(
            first,
            process(&input, MediaKind::Attachment).unwrap().blurhash
        );
        assert_eq!(first, "LyHV6S2swxX8qRWDjtagg0fjfQfj");
    }

    #[test]
    fn errors_read_as_one_line() {
        let messages = [
            MediaError::TooLarge {
                max_bytes: MAX_UPLOAD_BYTES,
            }
            .to_string(),
            MediaError::TooManyPixels {
                max_pixels: MAX_PIXELS,
            }
            .to_string(),
            MediaError::UnsupportedFormat.to_string(),
            MediaError::Corrupt("Format error decoding Png: CRC error".to_string()).to_string(),
        ];
        assert_eq!(messages[1], "the image has more than 33.2 million pixels");
        for message in messages {
            assert!(!message.contains('\n') && message.len() < 60, "{message}");
        }
    }
}
