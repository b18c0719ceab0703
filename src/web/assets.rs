//! The stylesheet, the small script and icons, compiled into the binary.

use rocket::get;
use rocket::http::ContentType;

use crate::error::{Error, Result};

use super::reply::Reply;

const ASSETS: &[(&str, &[u8], &str)] = &[
    (
        "style.css",
        include_bytes!("../../assets/style.css"),
        "text/css; charset=utf-8",
    ),
    (
        "app.js",
        include_bytes!("../../assets/app.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "avatar.svg",
        include_bytes!("../../assets/avatar.svg"),
        "image/svg+xml",
    ),
    (
        "icon.svg",
        include_bytes!("../../assets/icon.svg"),
        "image/svg+xml",
    ),
];

#[get("/assets/<name>")]
pub fn asset(name: &str) -> Result<Reply> {
    let (_, bytes, content_type) = ASSETS
        .iter()
        .find(|(file, _, _)| *file == name)
        .ok_or_else(Error::not_found)?;
    let content_type = ContentType::parse_flexible(content_type).unwrap_or(ContentType::Binary);
    Ok(Reply::Bytes(bytes.to_vec(), content_type, 86_400))
}
