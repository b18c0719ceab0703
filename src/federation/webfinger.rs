//! WebFinger, host-meta and NodeInfo documents, and reading `resource` parameters.

use serde_json::{json, Value};

use crate::urls::Urls;

/// Whether a WebFinger `resource` names our owner: `acct:user@domain` (the `acct:` may be missing,
/// and a leading `@` is tolerated), or the actor or profile URL.
pub fn names_owner(resource: &str, urls: &Urls, username: &str) -> bool {
    let resource = resource.trim();
    if resource == urls.actor() || resource == urls.profile() {
        return true;
    }
    let handle = resource.strip_prefix("acct:").unwrap_or(resource);
    let handle = handle.strip_prefix('@').unwrap_or(handle);
    match handle.rsplit_once('@') {
        Some((user, domain)) => {
            user.eq_ignore_ascii_case(username) && domain.eq_ignore_ascii_case(urls.host())
        }
        None => false,
    }
}

/// The JRD for our owner.
pub fn jrd(urls: &Urls) -> Value {
    json!({
        "subject": urls.acct(),
        "aliases": [urls.profile(), urls.actor()],
        "links": [
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": urls.profile()
            },
            {
                "rel": "self",
                "type": "application/activity+json",
                "href": urls.actor()
            },
            {
                "rel": "http://ostatus.org/schema/1.0/subscribe",
                "template": urls.subscribe_template()
            }
        ]
    })
}

/// host-meta: where to find WebFinger (XRD, as Mastodon serves it).
pub fn host_meta(urls: &Urls) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{}\"/>\n</XRD>\n",
        xml_escape(&urls.webfinger_template())
    )
}

pub fn nodeinfo_links(urls: &Urls) -> Value {
    json!({
        "links": [
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": urls.nodeinfo("2.0")},
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": urls.nodeinfo("2.1")}
        ]
    })
}

/// NodeInfo 2.0 or 2.1; `local_posts` counts the owner's posts.
pub fn nodeinfo(version: &str, local_posts: u64, display_name: &str) -> Value {
    // 2.1's optional `repository` is left out: the project has no public address yet.
    let software = json!({"name": "perch", "version": env!("CARGO_PKG_VERSION")});
    json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
        "openRegistrations": false,
        "usage": {
            "users": {"total": 1, "activeMonth": 1, "activeHalfyear": 1},
            "localPosts": local_posts
        },
        "metadata": {"nodeName": display_name}
    })
}

pub fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests;
