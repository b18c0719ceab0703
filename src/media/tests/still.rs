//! Still images: metadata stripped, limits kept, crops and sizes, formats.

use super::*;

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
