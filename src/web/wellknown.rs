//! WebFinger, host-meta and NodeInfo.

use rocket::http::ContentType;
use rocket::{get, State};

use crate::domain::collections;
use crate::error::{Error, Result};
use crate::federation::webfinger as documents;

use super::reply::Reply;
use super::App;

const MAX_RESOURCE_BYTES: usize = 512;

#[get("/.well-known/webfinger?<resource>")]
pub fn webfinger(app: &State<App>, resource: Option<&str>) -> Result<Reply> {
    let resource =
        resource.ok_or_else(|| Error::bad_request("the resource parameter is missing"))?;
    if resource.len() > MAX_RESOURCE_BYTES {
        return Err(Error::bad_request("the resource parameter is too long"));
    }
    if !documents::names_owner(resource, &app.urls, &app.config.username) {
        return Err(Error::not_found());
    }
    Ok(Reply::Kept(
        app.webfinger.clone(),
        ContentType::new("application", "jrd+json").with_params(("charset", "utf-8")),
    ))
}

#[get("/.well-known/host-meta")]
pub fn host_meta(app: &State<App>) -> Reply {
    Reply::Xml(
        documents::host_meta(&app.urls),
        ContentType::new("application", "xrd+xml").with_params(("charset", "utf-8")),
    )
}

#[get("/.well-known/nodeinfo")]
pub fn nodeinfo_links(app: &State<App>) -> Reply {
    Reply::Json(documents::nodeinfo_links(&app.urls), ContentType::JSON)
}

#[get("/nodeinfo/<version>")]
pub async fn nodeinfo(app: &State<App>, version: &str) -> Result<Reply> {
    if version != "2.0" && version != "2.1" {
        return Err(Error::not_found());
    }
    let local_posts = app.run(|conn| collections::public_post_count(conn)).await?;
    let schema = format!("http://nodeinfo.diaspora.software/ns/schema/{version}#");
    Ok(Reply::Json(
        documents::nodeinfo(version, local_posts, &app.config.display_name),
        ContentType::new("application", "json").with_params(("profile", schema)),
    ))
}
