//! NodeInfo: which software a host runs (`software.name`), found through
//! `/.well-known/nodeinfo` and the schema document it links to on the same host.

use std::time::Instant;

use serde_json::Value;

use super::{checked_url, Client, FetchError};

const NODEINFO_REL: &str = "http://nodeinfo.diaspora.software/ns/schema/";
/// Longest software name we keep; real ones are a word.
const MAX_NAME_CHARS: usize = 64;

impl Client {
    /// The lower-case `software.name` of `host` (`host[:port]`), unsigned, with the usual limits;
    /// the schema document must be on the host that was asked.
    pub fn nodeinfo_software(&self, host: &str) -> Result<String, FetchError> {
        let deadline = Instant::now() + self.config.total_timeout;
        let links_url = self.well_known_url(host, "nodeinfo")?;
        let (_, links) =
            self.get_json(links_url.clone(), "application/json", None, deadline, false)?;
        let href = schema_link(&links).ok_or(FetchError::BadDocument("no NodeInfo link"))?;
        let url = checked_url(&href)?;
        if url.host_str() != links_url.host_str() || url.port() != links_url.port() {
            return Err(FetchError::BadDocument("its NodeInfo is on another host"));
        }
        let (_, document) = self.get_json(url, "application/json", None, deadline, false)?;
        software_name(&document).ok_or(FetchError::BadDocument("NodeInfo without a software name"))
    }
}

/// The newest schema's `href` among the links (2.1 before 2.0 …).
fn schema_link(links: &Value) -> Option<String> {
    let mut found: Vec<(&str, &str)> = links
        .get("links")?
        .as_array()?
        .iter()
        .take(20)
        .filter_map(|link| {
            let version = link.get("rel")?.as_str()?.strip_prefix(NODEINFO_REL)?;
            Some((version, link.get("href")?.as_str()?))
        })
        .collect();
    found.sort();
    found.last().map(|(_, href)| href.to_string())
}

/// `software.name`, lower case, when it is a short plain word.
pub fn software_name(document: &Value) -> Option<String> {
    let name = document.get("software")?.get("name")?.as_str()?.trim();
    let ok = (1..=MAX_NAME_CHARS).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    ok.then(|| name.to_ascii_lowercase())
}
