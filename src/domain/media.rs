//! TEMPORARY stand-in until the real media module lands.
pub enum MediaKind {
    Attachment,
    Avatar,
    Header,
}
pub struct Image {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}
pub struct Processed {
    pub original: Image,
    pub preview: Option<Image>,
    pub blurhash: String,
}
#[derive(Debug)]
pub enum MediaError {
    TooLarge { max_bytes: usize },
    TooManyPixels { max_pixels: u64 },
    UnsupportedFormat,
    Corrupt(String),
}
impl std::fmt::Display for MediaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bad image")
    }
}
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;
pub fn process(_data: &[u8], _kind: MediaKind) -> Result<Processed, MediaError> {
    Err(MediaError::UnsupportedFormat)
}
pub fn sniff_mime(_data: &[u8]) -> Option<&'static str> {
    None
}
