//! Outgoing HTTP: signed GETs of ActivityPub documents, WebFinger, signed POSTs to inboxes.
//!
//! Blocking (ureq), for worker threads only. Every request is bounded (body size, redirects,
//! connect/read/total time) and goes through the address guard ([`super::guard`]), which drops every non-global
//! address before ureq connects: ureq connects only to what the resolver returned, on every hop,
//! so a DNS answer cannot change between the check and the connect.

use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, Instant, SystemTime};

use ureq::config::Config;
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::DefaultConnector;
use url::Url;

use super::guard::{is_global, GuardedResolver, Refusal};
use super::signatures::{self, Scheme, Signer};

/// What we ask for when fetching an ActivityPub document.
pub const ACTIVITY_ACCEPT: &str = r#"application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams""#;
const ACTIVITY_CONTENT_TYPE: &str = "application/activity+json";
const AS_PROFILE: &str = "https://www.w3.org/ns/activitystreams";
const SUBSCRIBE_REL: &str = "http://ostatus.org/schema/1.0/subscribe";
/// Enough of an inbox's answer to keep the connection reusable; the rest is not read.
const MAX_DRAIN: u64 = 64 * 1024;

/// Limits and policy of the client. [`ClientConfig::new`] gives the production limits.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Allow loopback, private and other non-global addresses (tests and LAN setups only).
    pub allow_private_addresses: bool,
    pub user_agent: String,
    pub max_body: u64,
    pub max_redirects: u32,
    pub connect_timeout: Duration,
    /// For each read from the socket.
    pub read_timeout: Duration,
    /// For a whole call, redirects and a re-fetch by id included.
    pub total_timeout: Duration,
}

impl ClientConfig {
    pub fn new(allow_private_addresses: bool, user_agent: impl Into<String>) -> ClientConfig {
        ClientConfig {
            allow_private_addresses,
            user_agent: user_agent.into(),
            max_body: 1024 * 1024,
            max_redirects: 3,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
        }
    }
}

/// Why a fetch or delivery failed. `Display` is one line with no body and no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    BadUrl(&'static str),
    /// The private-address guard refused the host.
    Refused(String),
    Timeout,
    Network(String),
    Status(u16),
    TooLarge,
    TooManyRedirects,
    ContentType(String),
    NotJson,
    BadDocument(&'static str),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::BadUrl(why) => write!(f, "bad URL: {why}"),
            FetchError::Refused(host) => {
                write!(f, "refused: {host} resolves only to non-public addresses")
            }
            FetchError::Timeout => f.write_str("the remote server took too long"),
            FetchError::Network(why) => write!(f, "network error: {why}"),
            FetchError::Status(status) => write!(f, "the remote server answered HTTP {status}"),
            FetchError::TooLarge => f.write_str("the response is too large"),
            FetchError::TooManyRedirects => f.write_str("too many redirects"),
            FetchError::ContentType(ct) => write!(f, "unexpected content type {ct:?}"),
            FetchError::NotJson => f.write_str("the response is not a JSON object"),
            FetchError::BadDocument(why) => write!(f, "unacceptable document: {why}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// The actor a WebFinger address points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebfingerAnswer {
    pub actor_id: String,
    /// The remote follow template (`…/authorize_interaction?uri={uri}`), when offered.
    pub subscribe_template: Option<String>,
}

/// An inbox's answer to a delivery: the queue decides what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostResponse {
    pub status: u16,
    pub retry_after: Option<Duration>,
    /// Seconds our clock is ahead of the answer's `Date` (negative: behind), for `perch doctor`.
    pub date_skew: Option<i64>,
}

pub struct Client {
    agent: ureq::Agent,
    config: ClientConfig,
}

impl Client {
    pub fn new(config: ClientConfig) -> Client {
        let agent_config = Config::builder()
            .http_status_as_error(false)
            .proxy(None) // never from the environment: a proxy would resolve hosts for us
            .max_redirects(0) // followed by hand, so that each hop is checked and re-signed
            .user_agent(config.user_agent.as_str())
            .timeout_resolve(Some(config.connect_timeout))
            .timeout_connect(Some(config.connect_timeout))
            .timeout_per_read(Some(config.read_timeout))
            .timeout_per_write(Some(config.read_timeout))
            .timeout_global(Some(config.total_timeout))
            .build();
        let resolver = GuardedResolver {
            allow_private_addresses: config.allow_private_addresses,
            lookup: Box::new(DefaultResolver::default()),
            allowed: is_global,
        };
        Client::with_resolver(config, agent_config, resolver)
    }

    fn with_resolver(
        config: ClientConfig,
        agent_config: Config,
        resolver: GuardedResolver,
    ) -> Client {
        let agent = ureq::Agent::with_parts(agent_config, DefaultConnector::new(), resolver);
        Client { agent, config }
    }

    /// Fetches an ActivityPub document (signed when `signer` is given) and proves that it is
    /// what it says: its `id` is on the origin it came from, and where it differs from the URL
    /// it came from, the document at that `id` is fetched and must carry the same `id`.
    pub fn get_activity(
        &self,
        url: &str,
        signer: Option<&Signer>,
    ) -> Result<serde_json::Value, FetchError> {
        let deadline = Instant::now() + self.config.total_timeout;
        let url = checked_url(url)?;
        let (final_url, document) = self.get_json(url, ACTIVITY_ACCEPT, signer, deadline, true)?;
        let id = document_id(&document)?;
        if id.origin() != final_url.origin() {
            return Err(FetchError::BadDocument("its id is on another origin"));
        }
        if id == final_url {
            return Ok(document);
        }
        let (final_url, document) = self.get_json(id, ACTIVITY_ACCEPT, signer, deadline, true)?;
        if document_id(&document)? != final_url {
            return Err(FetchError::BadDocument("its id does not match its URL"));
        }
        Ok(document)
    }

    /// Looks up `acct:user@domain` (domain may carry a port) and returns its ActivityPub actor.
    pub fn webfinger(&self, user: &str, domain: &str) -> Result<WebfingerAnswer, FetchError> {
        let deadline = Instant::now() + self.config.total_timeout;
        let url = self.webfinger_url(user, domain)?;
        let (_, document) = self.get_json(url, "application/jrd+json", None, deadline, false)?;
        let links = document
            .get("links")
            .and_then(|l| l.as_array())
            .ok_or(FetchError::BadDocument("no links"))?;
        let mut actor_id = None;
        let mut subscribe_template = None;
        for link in links {
            let field = |name| link.get(name).and_then(|v| v.as_str());
            match field("rel") {
                Some("self") if actor_id.is_none() && field("type").is_some_and(is_as2_type) => {
                    let href =
                        field("href").ok_or(FetchError::BadDocument("a link has no href"))?;
                    actor_id = Some(checked_url(href)?.to_string());
                }
                Some(SUBSCRIBE_REL) if subscribe_template.is_none() => {
                    subscribe_template = field("template").map(str::to_string);
                }
                _ => {}
            }
        }
        let actor_id = actor_id.ok_or(FetchError::BadDocument("no ActivityPub actor link"))?;
        Ok(WebfingerAnswer {
            actor_id,
            subscribe_template,
        })
    }

    /// Delivers `body` to `inbox`, signed the draft-cavage way. Any HTTP status is an answer,
    /// not an error.
    pub fn post_activity(
        &self,
        inbox: &str,
        body: &[u8],
        signer: &Signer,
    ) -> Result<PostResponse, FetchError> {
        self.post_activity_as(inbox, body, signer, Scheme::Cavage)
    }

    /// Sends an encrypted Web Push message to a subscription's endpoint (the push service),
    /// with the same address guard and limits as every other request.
    pub fn post_push(
        &self,
        endpoint: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Result<PostResponse, FetchError> {
        let url = checked_url(endpoint)?;
        self.post_with_headers(&url, headers.iter().map(|(n, v)| (*n, v)), body)
    }

    /// Delivers `body` to `inbox`, signed with `scheme`.
    pub fn post_activity_as(
        &self,
        inbox: &str,
        body: &[u8],
        signer: &Signer,
        scheme: Scheme,
    ) -> Result<PostResponse, FetchError> {
        let url = checked_url(inbox)?;
        let now = SystemTime::now();
        let headers = match scheme {
            Scheme::Cavage => signatures::sign_post(signer, &url, body, ACTIVITY_CONTENT_TYPE, now),
            Scheme::Rfc9421 => {
                signatures::sign_post_rfc9421(signer, &url, body, ACTIVITY_CONTENT_TYPE, now)
                    .ok_or(FetchError::BadDocument("cannot sign the request"))?
            }
        };
        self.post_with_headers(&url, headers, body)
    }

    /// POSTs `body` with `headers` to an already checked URL and reads the short answer.
    fn post_with_headers<N: AsRef<str>, V: AsRef<str>>(
        &self,
        url: &Url,
        headers: impl IntoIterator<Item = (N, V)>,
        body: &[u8],
    ) -> Result<PostResponse, FetchError> {
        let mut request = self.agent.post(url.as_str());
        for (name, value) in headers {
            request = request.header(name.as_ref(), value.as_ref());
        }
        let mut response = request.send(body).map_err(|e| fetch_error(e, url))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let date_skew = response
            .headers()
            .get("date")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| date_skew(v, SystemTime::now()));
        if content_length(&response).is_some_and(|n| n <= MAX_DRAIN) {
            // Reading a short answer lets the connection be reused; its content does not matter.
            let _ = response
                .body_mut()
                .with_config()
                .limit(MAX_DRAIN)
                .read_to_vec();
        }
        Ok(PostResponse {
            status,
            retry_after,
            date_skew,
        })
    }

    fn webfinger_url(&self, user: &str, domain: &str) -> Result<Url, FetchError> {
        let user_ok = !user.is_empty()
            && user
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !user_ok {
            return Err(FetchError::BadUrl("not a valid user name"));
        }
        let mut url = self.well_known_url(domain, "webfinger")?;
        let authority = signatures::host_header(&url);
        // user and authority hold only characters that need no escaping in a query.
        url.set_query(Some(&format!("resource=acct:{user}@{authority}")));
        checked_url(url.as_str())
    }

    /// `https://{domain}/.well-known/{name}` (http for a local host where private addresses are
    /// allowed), for a bare `host[:port]`.
    fn well_known_url(&self, domain: &str, name: &str) -> Result<Url, FetchError> {
        let bad_domain = FetchError::BadUrl("not a valid domain");
        if domain.contains(|c: char| "/?#@\\%".contains(c) || c.is_whitespace() || c.is_control()) {
            return Err(bad_domain);
        }
        let mut url = Url::parse(&format!("https://{domain}/.well-known/{name}"))
            .map_err(|_| bad_domain.clone())?;
        // Punycode changes an international name; an ASCII one must come out as it went in.
        let authority = signatures::host_header(&url);
        if domain.is_ascii() && !authority.eq_ignore_ascii_case(domain) {
            return Err(bad_domain);
        }
        if self.config.allow_private_addresses && is_local_host(&url) {
            url.set_scheme("http").map_err(|_| bad_domain)?;
        }
        Ok(url)
    }

    /// GET with redirects followed by hand (each hop checked, and re-signed when signed);
    /// returns the final URL and the body parsed as a JSON object.
    fn get_json(
        &self,
        mut url: Url,
        accept: &str,
        signer: Option<&Signer>,
        deadline: Instant,
        activity_types_only: bool,
    ) -> Result<(Url, serde_json::Value), FetchError> {
        for _ in 0..=self.config.max_redirects {
            let remaining = deadline
                .checked_duration_since(Instant::now())
                .filter(|d| !d.is_zero())
                .ok_or(FetchError::Timeout)?;
            let mut request = self
                .agent
                .get(url.as_str())
                .config()
                .timeout_global(Some(remaining))
                .build();
            match signer {
                Some(signer) => {
                    let now = SystemTime::now();
                    for (name, value) in signatures::sign_get(signer, &url, accept, now) {
                        request = request.header(name, value);
                    }
                }
                None => request = request.header("Accept", accept),
            }
            let response = request.call().map_err(|e| fetch_error(e, &url))?;
            let status = response.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                url = redirect_target(&url, &response)?;
                continue;
            }
            if !(200..300).contains(&status) {
                return Err(FetchError::Status(status));
            }
            if activity_types_only {
                let content_type = header_str(&response, "content-type").unwrap_or_default();
                if !is_activity_content_type(content_type) {
                    let shown: String = content_type.chars().take(64).collect();
                    return Err(FetchError::ContentType(shown));
                }
            }
            if content_length(&response).is_some_and(|n| n > self.config.max_body) {
                return Err(FetchError::TooLarge);
            }
            let body = response
                .into_body()
                .into_with_config()
                .limit(self.config.max_body)
                .read_to_vec()
                .map_err(|e| fetch_error(e, &url))?;
            // serde_json stops at 128 levels of nesting, with an error.
            let document: serde_json::Value =
                serde_json::from_slice(&body).map_err(|_| FetchError::NotJson)?;
            if !document.is_object() {
                return Err(FetchError::NotJson);
            }
            return Ok((url, document));
        }
        Err(FetchError::TooManyRedirects)
    }
}

/// http or https, with a host and no user info; the fragment is dropped (it is never sent).
fn checked_url(url: &str) -> Result<Url, FetchError> {
    let mut url = Url::parse(url).map_err(|_| FetchError::BadUrl("not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::BadUrl("only http and https are fetched"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::BadUrl("user info in URLs is refused"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(FetchError::BadUrl("no host"));
    }
    url.set_fragment(None);
    Ok(url)
}

fn redirect_target(
    from: &Url,
    response: &ureq::http::Response<ureq::Body>,
) -> Result<Url, FetchError> {
    let location = header_str(response, "location")
        .ok_or(FetchError::BadDocument("a redirect without Location"))?;
    let target = from
        .join(location)
        .map_err(|_| FetchError::BadUrl("a redirect to an invalid URL"))?;
    let target = checked_url(target.as_str())?;
    if from.scheme() == "https" && target.scheme() == "http" {
        return Err(FetchError::BadUrl("a redirect from https to http"));
    }
    Ok(target)
}

fn header_str<'r>(response: &'r ureq::http::Response<ureq::Body>, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

fn content_length(response: &ureq::http::Response<ureq::Body>) -> Option<u64> {
    header_str(response, "content-length").and_then(|v| v.trim().parse().ok())
}

/// The document's `id` as a URL we would fetch (fragment dropped, as for the URL it came from).
fn document_id(document: &serde_json::Value) -> Result<Url, FetchError> {
    let id = document
        .get("id")
        .and_then(|id| id.as_str())
        .ok_or(FetchError::BadDocument("it has no id"))?;
    checked_url(id).map_err(|_| FetchError::BadDocument("its id is not an http(s) URL"))
}

/// `application/activity+json`, `application/ld+json` or `application/json`, any parameters.
fn is_activity_content_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim();
    [
        "application/activity+json",
        "application/ld+json",
        "application/json",
    ]
    .iter()
    .any(|t| essence.eq_ignore_ascii_case(t))
}

/// A WebFinger link type naming an ActivityPub actor.
fn is_as2_type(value: &str) -> bool {
    let mut parts = value.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default();
    if essence.eq_ignore_ascii_case("application/activity+json") {
        return true;
    }
    essence.eq_ignore_ascii_case("application/ld+json")
        && parts.any(|p| {
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("profile") && v.trim().trim_matches('"') == AS_PROFILE
            })
        })
}

/// `localhost` or a non-global IP literal: served over plain http in test and LAN setups.
fn is_local_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => !is_global(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_global(IpAddr::V6(ip)),
        None => false,
    }
}

/// Longest wait a `Retry-After` may ask for, so that callers can add it to a time safely.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30 * 24 * 3600);

/// `Retry-After` as seconds or an HTTP date, as a wait from `now` (a past date is no wait).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits to parse is as good as "very long".
        Duration::from_secs(value.parse().unwrap_or(u64::MAX))
    } else {
        let date = httpdate::parse_http_date(value).ok()?;
        date.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// Seconds `now` is ahead of an HTTP `Date` value (negative: behind); None when unreadable.
pub fn date_skew(value: &str, now: SystemTime) -> Option<i64> {
    let date = httpdate::parse_http_date(value.trim()).ok()?;
    let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    Some(match now.duration_since(date) {
        Ok(ahead) => secs(ahead),
        Err(behind) => -secs(behind.duration()),
    })
}

fn fetch_error(error: ureq::Error, url: &Url) -> FetchError {
    match error {
        ureq::Error::Timeout(_) => FetchError::Timeout,
        ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge,
        ureq::Error::HostNotFound => {
            FetchError::Network(format!("{} not found", url.host_str().unwrap_or_default()))
        }
        ureq::Error::Other(e) => match e.downcast_ref::<Refusal>() {
            Some(refusal) => FetchError::Refused(refusal.0.clone()),
            None => FetchError::Network(one_line(&e.to_string())),
        },
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => FetchError::Timeout,
        other => FetchError::Network(one_line(&other.to_string())),
    }
}

fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    line.chars().take(200).collect()
}

mod nodeinfo;
#[cfg(test)]
mod tests;
