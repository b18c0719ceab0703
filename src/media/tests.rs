//! Unit tests of media: fixtures built in code (no binary files), then the still and the
//! animated cases in `tests/`.

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{AnimationDecoder, ColorType, DynamicImage, Frame, ImageEncoder};
use image::{Delay, ExtendedColorType, GenericImageView, Rgb, RgbImage, Rgba, RgbaImage};

use super::*;

mod animated;
mod still;

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
