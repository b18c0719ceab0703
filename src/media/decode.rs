//! Decoding under limits: sizes checked from the header, frames counted before any is decoded,
//! output capped; then each frame shaped and encoded again.

use std::fmt;
use std::io::{self, Cursor, Write};

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::jpeg::JpegDecoder;
use image::codecs::png::PngDecoder;
use image::codecs::webp::WebPDecoder;
use image::metadata::{LoopCount, Orientation};
use image::{AnimationDecoder, DynamicImage, Frame, Frames, ImageDecoder, ImageError, Limits};

use super::blurhash::blurhash;
use super::encode::{drop_unused_alpha, encode, to_8bit, Output};
use super::resize::{fit, fit_within, plan, shape};
use super::{
    Image, MediaError, MediaKind, Processed, ATTACHMENT_MAX_SIDE, GIF, GIF_SPEED, JPEG,
    MAX_ANIMATION_PIXELS, MAX_DECODED_BYTES, MAX_GIF_PIXELS, MAX_PIXELS, MAX_QUANTISED_PIXELS,
    MAX_SIDE, MAX_UPLOAD_BYTES, PNG, PREVIEW_MAX_SIDE, TOO_LARGE,
};

pub(super) fn decode(data: &[u8], mime: &str, kind: MediaKind) -> Result<Processed, MediaError> {
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

pub(super) fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

/// Refuses from the header alone an image too big to decode (a decompression bomb declares huge
/// dimensions in a few bytes), and sets the decoder's own limits as a second fence.
pub(super) fn admit(decoder: &mut impl ImageDecoder) -> Result<(u32, u32), MediaError> {
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

pub(super) fn from_image(error: ImageError) -> MediaError {
    match error {
        ImageError::Limits(_) => too_many_pixels(MAX_PIXELS),
        ImageError::Unsupported(_) => MediaError::UnsupportedFormat,
        other => corrupt(other),
    }
}

pub(super) fn too_many_pixels(max_pixels: u64) -> MediaError {
    MediaError::TooManyPixels { max_pixels }
}

pub(super) fn corrupt(detail: impl fmt::Display) -> MediaError {
    MediaError::Corrupt(detail.to_string())
}

pub(super) fn no_frames() -> MediaError {
    corrupt("the animation has no frames")
}

/// The EXIF orientation; a broken EXIF block is no reason to refuse the picture.
pub(super) fn orientation(decoder: &mut impl ImageDecoder) -> Orientation {
    decoder.orientation().unwrap_or(Orientation::NoTransforms)
}

pub(super) fn still(
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
pub(super) fn finish(
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
pub(super) fn animation(
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
pub(super) fn check_frames(
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
pub(super) fn gif_frames(data: &[u8]) -> Result<(u64, u64), MediaError> {
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
pub(super) fn webp_frame_count(data: &[u8]) -> u64 {
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
pub(super) fn copy_gif(data: &[u8], out: &mut CappedWriter) -> Result<(), MediaError> {
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
pub(super) fn capped(
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
pub(super) struct CappedWriter {
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
