//! Animations (GIF and WebP), the blurhash, and error messages.

use super::*;

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
    let mut encoder = gif::Encoder::new(&mut bytes, width, height, &[0, 0, 0, 9, 9, 9]).unwrap();
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
