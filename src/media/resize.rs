//! Cropping and scaling: the plan for each kind, and a separable resampler.

use image::metadata::Orientation;
use image::{ColorType, DynamicImage, GrayAlphaImage, GrayImage, RgbImage, RgbaImage};

use super::{MediaKind, ATTACHMENT_MAX_SIDE, AVATAR_SIDE, HEADER_SIZE};

/// Crops and scales `image` for `kind`, then applies `orientation`. Cropping and scaling happen in
/// the stored (unrotated) frame, so a big photo is shrunk before it is rotated: rotating copies.
pub(super) fn shape(
    image: DynamicImage,
    kind: MediaKind,
    orientation: Orientation,
) -> DynamicImage {
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
pub(super) fn plan(kind: MediaKind, (width, height): (u32, u32)) -> ((u32, u32), (u32, u32)) {
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
pub(super) fn fit((width, height): (u32, u32), side: u32) -> (u32, u32) {
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
pub(super) fn fit_within(image: &DynamicImage, side: u32) -> Option<DynamicImage> {
    let size = (image.width(), image.height());
    let target = fit(size, side);
    (target != size).then(|| resample(image, (0, 0), size, target))
}

/// Scales the `size` rectangle at `origin` of an 8-bit image to `target` with a triangle filter, widened by the scale factor
/// when shrinking so that every source pixel counts (no aliasing); colour is weighted by alpha, so
/// transparent pixels do not bleed. Not `image::imageops::resize`, which keeps an f32 RGBA copy of
/// source width × target height (16 bytes a pixel, 280 MB for a 33-megapixel photo): this keeps
/// target width × source height, 1 byte a sample.
pub(super) fn resample(
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
pub(super) fn scale<const C: usize>(
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
pub(super) fn taps(source_len: u32, target_len: u32) -> Vec<(usize, Vec<f32>)> {
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

pub(super) fn accumulate<const C: usize>(sum: &mut [f32; C], sample: &[u8; C], weight: f32) {
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

pub(super) fn store<const C: usize>(sum: &[f32; C]) -> [u8; C] {
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
