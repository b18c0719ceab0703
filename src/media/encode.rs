//! Encoding again, which is what strips the metadata: only the pixels are written out.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ColorType, DynamicImage, ImageEncoder};

use super::decode::from_image;
use super::{Image, MediaError, JPEG, JPEG_QUALITY, PNG};

/// How a still image is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Output {
    Jpeg,
    Png,
    /// For WebP: the image crate writes only lossless WebP, far bigger than a JPEG.
    JpegUnlessTransparent,
}

/// Brings samples down to 8 bits, keeping the channels: what the resampler and encoders take.
pub(super) fn to_8bit(image: DynamicImage) -> DynamicImage {
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
pub(super) fn drop_unused_alpha(image: DynamicImage) -> DynamicImage {
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

pub(super) fn encode(image: &DynamicImage, output: Output) -> Result<Image, MediaError> {
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
