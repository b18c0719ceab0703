//! The blurhash placeholder shown while an image loads.

use image::DynamicImage;

use super::resize::{fit, resample};
use super::BLURHASH_SIDE;

/// The blurhash (https://blurha.sh) of `image`, 4×3 components, from a thumbnail.
pub(super) fn blurhash(image: &DynamicImage) -> String {
    let size = (image.width(), image.height());
    let thumbnail = resample(image, (0, 0), size, fit(size, BLURHASH_SIDE)).into_rgba8();
    let (width, height) = thumbnail.dimensions();
    // Fails only for component counts outside 1..=9.
    blurhash::encode(4, 3, width, height, thumbnail.as_raw()).unwrap_or_default()
}
