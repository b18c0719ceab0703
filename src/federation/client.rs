//! Outgoing HTTP: signed GETs of ActivityPub documents, WebFinger, signed POSTs to inboxes.
//!
//! Blocking (ureq), for worker threads only. Every request is bounded (body size, redirects,
//! connect/read/total time) and goes through [`GuardedResolver`], which drops every non-global
//! address before ureq connects: ureq connects only to what the resolver returned, on every hop,
//! so a DNS answer cannot change between the check and the connect.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant, SystemTime};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use url::Url;

use super::signatures::{self, Signer};

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

    /// Delivers `body` to `inbox`, signed. Any HTTP status is an answer, not an error.
    pub fn post_activity(
        &self,
        inbox: &str,
        body: &[u8],
        signer: &Signer,
    ) -> Result<PostResponse, FetchError> {
        let url = checked_url(inbox)?;
        let mut request = self.agent.post(url.as_str());
        let now = SystemTime::now();
        for (name, value) in signatures::sign_post(signer, &url, body, ACTIVITY_CONTENT_TYPE, now) {
            request = request.header(name, value);
        }
        let mut response = request.send(body).map_err(|e| fetch_error(e, &url))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
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
        let bad_domain = FetchError::BadUrl("not a valid domain");
        if domain.contains(|c: char| "/?#@\\%".contains(c) || c.is_whitespace() || c.is_control()) {
            return Err(bad_domain);
        }
        let mut url = Url::parse(&format!("https://{domain}/.well-known/webfinger"))
            .map_err(|_| bad_domain.clone())?;
        // Punycode changes an international name; an ASCII one must come out as it went in.
        let authority = signatures::host_header(&url);
        if domain.is_ascii() && !authority.eq_ignore_ascii_case(domain) {
            return Err(bad_domain);
        }
        if self.config.allow_private_addresses && is_local_host(&url) {
            url.set_scheme("http").map_err(|_| bad_domain)?;
        }
        // user and authority hold only characters that need no escaping in a query.
        url.set_query(Some(&format!("resource=acct:{user}@{authority}")));
        checked_url(url.as_str())
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

/// The guard's refusal, carried through ureq as `Error::Other`.
#[derive(Debug)]
struct Refusal(String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refused: {} resolves only to non-public addresses",
            self.0
        )
    }
}

impl std::error::Error for Refusal {}

/// ureq's resolver, minus every non-global address (unless private addresses are allowed).
/// ureq connects only to the addresses it returns, so the addresses checked are the addresses
/// connected to: a DNS answer that changes after the check never reaches a socket.
#[derive(Debug)]
struct GuardedResolver {
    allow_private_addresses: bool,
    /// The system's resolver (tests script one).
    lookup: Box<dyn Resolver>,
    /// Which addresses may be connected to: the global ones (tests draw the line elsewhere).
    allowed: fn(IpAddr) -> bool,
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = self.lookup.resolve(uri, config, timeout)?;
        if self.allow_private_addresses {
            return Ok(resolved);
        }
        let mut kept = self.empty();
        for address in resolved.iter().filter(|a| (self.allowed)(a.ip())) {
            kept.push(*address);
        }
        if kept.is_empty() {
            let host = uri.host().unwrap_or_default().to_string();
            return Err(ureq::Error::Other(Box::new(Refusal(host))));
        }
        Ok(kept)
    }
}

/// True for addresses reachable on the public internet (IANA special-purpose registries).
pub fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_global_v4(v4),
        IpAddr::V6(v6) => is_global_v6(v6),
    }
}

/// IPv4 blocks that are not global: this network, private, CGNAT, loopback, link-local,
/// IETF protocol assignments, documentation, 6to4 relay, benchmarking, multicast, reserved.
const NON_GLOBAL_V4: [(u32, u32); 15] = [
    (0x0000_0000, 8),  // 0.0.0.0/8
    (0x0a00_0000, 8),  // 10.0.0.0/8
    (0x6440_0000, 10), // 100.64.0.0/10
    (0x7f00_0000, 8),  // 127.0.0.0/8
    (0xa9fe_0000, 16), // 169.254.0.0/16
    (0xac10_0000, 12), // 172.16.0.0/12
    (0xc000_0000, 24), // 192.0.0.0/24
    (0xc000_0200, 24), // 192.0.2.0/24
    (0xc058_6300, 24), // 192.88.99.0/24
    (0xc0a8_0000, 16), // 192.168.0.0/16
    (0xc612_0000, 15), // 198.18.0.0/15
    (0xc633_6400, 24), // 198.51.100.0/24
    (0xcb00_7100, 24), // 203.0.113.0/24
    (0xe000_0000, 4),  // 224.0.0.0/4
    (0xf000_0000, 4),  // 240.0.0.0/4, with 255.255.255.255
];

fn is_global_v4(ip: Ipv4Addr) -> bool {
    let n = u32::from(ip);
    !NON_GLOBAL_V4
        .iter()
        .any(|&(net, len)| (n ^ net) >> (32 - len) == 0)
}

fn in_v6(n: u128, net: u128, len: u32) -> bool {
    (n ^ net) >> (128 - len) == 0
}

/// Global unicast (2000::/3) less its special blocks; forms embedding an IPv4 address are judged
/// by that address.
fn is_global_v6(ip: Ipv6Addr) -> bool {
    let n = u128::from(ip);
    let embedded_v4 = |shift: u32| Ipv4Addr::from((n >> shift) as u32);
    if in_v6(n, 0, 96) {
        return false; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
    }
    if in_v6(n, 0xffff_0000_0000, 96) || in_v6(n, 0x0064_ff9b << 96, 96) {
        return is_global_v4(embedded_v4(0)); // IPv4-mapped, NAT64 well-known prefix
    }
    if in_v6(n, 0x2002 << 112, 16) {
        return is_global_v4(embedded_v4(80)); // 6to4
    }
    if in_v6(n, 0x2001 << 112, 23) {
        // IETF protocol assignments: only these are globally reachable.
        return n == (0x2001_0001 << 96) | 1
            || n == (0x2001_0001 << 96) | 2
            || in_v6(n, 0x2001_0003 << 96, 32)
            || in_v6(n, 0x2001_0004_0112 << 80, 48)
            || in_v6(n, 0x2001_0020 << 96, 28);
    }
    if in_v6(n, 0x2001_0db8 << 96, 32) || in_v6(n, 0x3fff << 112, 20) {
        return false; // documentation
    }
    // Outside 2000::/3: ULA, link-local, multicast, discard (100::/64), unassigned.
    in_v6(n, 0x2 << 124, 3)
}

#[cfg(test)]
mod tests {
    use super::super::keys::{generate, SigningKey, VerifyingKey};
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::thread::JoinHandle;

    /// One key for all tests: generating one takes a while.
    fn test_key() -> &'static (SigningKey, VerifyingKey) {
        static KEYS: std::sync::OnceLock<(SigningKey, VerifyingKey)> = std::sync::OnceLock::new();
        KEYS.get_or_init(|| {
            let (der, pem) = generate().expect("key generation");
            let signing = SigningKey::from_pkcs8(&der).expect("a generated key loads");
            (
                signing,
                VerifyingKey::from_pem(&pem).expect("a generated key loads"),
            )
        })
    }

    /// A request as a test server read it.
    struct Seen {
        method: String,
        path: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    impl Seen {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }
    }

    fn read_request(stream: &mut TcpStream) -> Seen {
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap().to_string(),
            parts.next().unwrap().to_string(),
        );
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.to_string(), value.trim().to_string()));
        }
        let mut seen = Seen {
            method,
            path,
            headers,
            body: Vec::new(),
        };
        let length = seen
            .header("content-length")
            .map_or(0, |v| v.parse().unwrap());
        seen.body = vec![0; length];
        reader.read_exact(&mut seen.body).unwrap();
        seen
    }

    /// A loopback server answering `count` connections, one request each, with `answer`'s bytes.
    fn serve(
        count: usize,
        answer: impl Fn(usize, &Seen, &str) -> Vec<u8> + Send + 'static,
    ) -> (String, JoinHandle<Vec<Seen>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server_base = base.clone();
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for i in 0..count {
                let (mut stream, _) = listener.accept().unwrap();
                let request = read_request(&mut stream);
                let _ = stream.write_all(&answer(i, &request, &server_base));
                seen.push(request);
            }
            seen
        });
        (base, handle)
    }

    fn response(status: &str, content_type: &str, extra: &str, body: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    fn document(id: &str) -> Vec<u8> {
        let body = format!(r#"{{"id":"{id}","type":"Person"}}"#);
        response(
            "200 OK",
            "application/activity+json; charset=utf-8",
            "",
            &body,
        )
    }

    fn client(allow_private: bool) -> Client {
        Client::new(ClientConfig::new(
            allow_private,
            "Perch/test (+http://perch.test)",
        ))
    }

    #[test]
    fn fetches_a_document() {
        let (base, server) = serve(1, |_, _, base| document(&format!("{base}/users/a")));
        let doc = client(true)
            .get_activity(&format!("{base}/users/a#main-key"), None)
            .unwrap();
        assert_eq!(doc["type"], "Person");
        let seen = server.join().unwrap();
        assert_eq!(seen[0].path, "/users/a");
        assert_eq!(seen[0].header("accept"), Some(ACTIVITY_ACCEPT));
        assert_eq!(
            seen[0].header("user-agent"),
            Some("Perch/test (+http://perch.test)")
        );
    }

    #[test]
    fn signed_get_verifies_on_every_hop() {
        let (base, server) = serve(2, |i, _, base| match i {
            0 => response("302 Found", "text/plain", "Location: /b?page=1\r\n", ""),
            _ => document(&format!("{base}/b?page=1")),
        });
        let signer = Signer {
            key: &test_key().0,
            key_id: "http://perch.test/users/me#main-key",
        };
        client(true)
            .get_activity(&format!("{base}/a"), Some(&signer))
            .unwrap();
        for seen in server.join().unwrap() {
            let request = signatures::IncomingRequest {
                method: &seen.method,
                path_and_query: &seen.path,
                headers: &seen.headers,
                body: None,
            };
            let pending = signatures::check(&request, SystemTime::now()).unwrap();
            assert_eq!(pending.key_id, "http://perch.test/users/me#main-key");
            pending.verify(&test_key().1).unwrap();
        }
    }

    #[test]
    fn guard_refuses_loopback_before_connecting() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let guarded = client(false);
        let signer = Signer {
            key: &test_key().0,
            key_id: "k",
        };
        for host in [
            "127.0.0.1",
            "localhost",
            "0x7f.1",
            "2130706433",
            "0177.0.0.1",
            "127.1",
            "[::ffff:127.0.0.1]",
        ] {
            let url = format!("http://{host}:{port}/users/a");
            match guarded.get_activity(&url, None) {
                Err(FetchError::Refused(_)) => {}
                other => panic!("{host}: {other:?}"),
            }
            let err = guarded.post_activity(&url, b"{}", &signer).unwrap_err();
            assert!(err.to_string().starts_with("refused: "), "{host}: {err}");
        }
        assert!(matches!(
            guarded.webfinger("a", &format!("127.0.0.1:{port}")),
            Err(FetchError::Refused(_))
        ));
        let err = listener.accept().unwrap_err();
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::WouldBlock,
            "a connection got through"
        );
    }

    /// A DNS answer that changes from one lookup to the next (rebinding): the first names the
    /// "public" server, every later one a private address.
    #[derive(Debug)]
    struct Rebinding {
        public: std::net::SocketAddr,
        private: std::net::SocketAddr,
        lookups: std::sync::atomic::AtomicUsize,
    }

    impl Resolver for Rebinding {
        fn resolve(
            &self,
            _: &Uri,
            _: &Config,
            _: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            let n = self
                .lookups
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut answer = self.empty();
            answer.push(if n == 0 { self.public } else { self.private });
            Ok(answer)
        }
    }

    #[test]
    fn a_dns_answer_that_changes_after_the_check_never_reaches_a_socket() {
        // 127.0.0.2 plays a public address, 127.0.0.1 the private one the guard must keep.
        let public = TcpListener::bind("127.0.0.2:0").unwrap();
        let private = TcpListener::bind("127.0.0.1:0").unwrap();
        private.set_nonblocking(true).unwrap();
        let port = public.local_addr().unwrap().port();
        let url = format!("http://rebind.example:{port}/users/a");
        let id = url.clone();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = public.accept().unwrap();
            let seen = read_request(&mut stream);
            stream.write_all(&document(&id)).unwrap();
            seen
        });
        let rebinding = Rebinding {
            public: std::net::SocketAddr::new(IpAddr::from([127, 0, 0, 2]), port),
            private: private.local_addr().unwrap(),
            lookups: 0.into(),
        };
        let config = ClientConfig::new(false, "Perch/test");
        let agent_config = Config::builder()
            .http_status_as_error(false)
            .proxy(None)
            .max_redirects(0)
            .build();
        let guarded = Client::with_resolver(
            config,
            agent_config,
            GuardedResolver {
                allow_private_addresses: false,
                lookup: Box::new(rebinding),
                allowed: |ip| ip == IpAddr::from([127, 0, 0, 2]),
            },
        );
        // The first lookup passes the check and its address is the one connected to.
        let doc = guarded.get_activity(&url, None).unwrap();
        assert_eq!(doc["id"], url.as_str());
        assert_eq!(server.join().unwrap().path, "/users/a");
        // The server closed the connection: the next request looks the name up again, gets the
        // private address, and is refused before any socket opens.
        assert!(matches!(
            guarded.get_activity(&url, None),
            Err(FetchError::Refused(_))
        ));
        let err = private.accept().unwrap_err();
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::WouldBlock,
            "rebinding got through"
        );
    }

    #[test]
    fn bad_urls_are_refused() {
        let c = client(true);
        for url in [
            "ftp://example.com/x",
            "http://user:pw@example.com/",
            "http://user@example.com/",
            "/relative",
            "mailto:a@b.example",
            "data:text/plain,hi",
        ] {
            assert!(
                matches!(c.get_activity(url, None), Err(FetchError::BadUrl(_))),
                "{url}"
            );
        }
        for domain in [
            "a.example/x",
            "a@b.example",
            "a.example?x",
            "",
            "a.example:443",
        ] {
            assert!(
                matches!(c.webfinger("me", domain), Err(FetchError::BadUrl(_))),
                "{domain}"
            );
        }
        assert!(matches!(
            c.webfinger("m/e", "a.example"),
            Err(FetchError::BadUrl(_))
        ));
    }

    #[test]
    fn oversized_bodies_are_cut_off() {
        // Declared too large: refused before reading.
        let (base, server) = serve(1, |_, _, _| {
            b"HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\nContent-Length: 5000000\r\n\r\n".to_vec()
        });
        assert_eq!(
            client(true).get_activity(&format!("{base}/a"), None),
            Err(FetchError::TooLarge)
        );
        server.join().unwrap();

        // Undeclared: reading stops past the limit and the server cannot send it all.
        const TOTAL: usize = 64 * 1024 * 1024;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            read_request(&mut stream);
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n").unwrap();
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < TOTAL && stream.write_all(&chunk).is_ok() {
                sent += chunk.len();
            }
            sent
        });
        assert_eq!(
            client(true).get_activity(&format!("{base}/a"), None),
            Err(FetchError::TooLarge)
        );
        let sent = server.join().unwrap();
        assert!(sent < TOTAL, "the whole body was read");
    }

    #[test]
    fn documents_must_be_what_they_claim() {
        let (base, server) = serve(1, |_, _, _| document("https://elsewhere.example/users/a"));
        let err = client(true)
            .get_activity(&format!("{base}/users/a"), None)
            .unwrap_err();
        assert_eq!(err, FetchError::BadDocument("its id is on another origin"));
        server.join().unwrap();

        // Same origin, other URL: fetched again by id, which must then match.
        let (base, server) = serve(2, |i, _, base| {
            document(&format!("{base}/{}", ["b", "b"][i]))
        });
        client(true)
            .get_activity(&format!("{base}/a"), None)
            .unwrap();
        assert_eq!(server.join().unwrap()[1].path, "/b");
        let (base, server) = serve(2, |i, _, base| {
            document(&format!("{base}/{}", ["b", "c"][i]))
        });
        let err = client(true)
            .get_activity(&format!("{base}/a"), None)
            .unwrap_err();
        assert_eq!(
            err,
            FetchError::BadDocument("its id does not match its URL")
        );
        server.join().unwrap();
    }

    #[test]
    fn content_type_status_and_json_are_checked() {
        let (base, server) = serve(1, |_, _, _| response("200 OK", "text/html", "", "{}"));
        let err = client(true)
            .get_activity(&format!("{base}/a"), None)
            .unwrap_err();
        assert_eq!(err, FetchError::ContentType("text/html".into()));
        server.join().unwrap();

        let (base, server) = serve(1, |_, _, _| {
            response("410 Gone", "application/activity+json", "", "{}")
        });
        assert_eq!(
            client(true).get_activity(&format!("{base}/a"), None),
            Err(FetchError::Status(410))
        );
        server.join().unwrap();

        for body in [
            "[1]".to_string(),
            "not json".to_string(),
            "[".repeat(100_000),
        ] {
            let (base, server) = serve(1, move |_, _, _| {
                response("200 OK", "application/ld+json", "", &body)
            });
            assert_eq!(
                client(true).get_activity(&format!("{base}/a"), None),
                Err(FetchError::NotJson)
            );
            server.join().unwrap();
        }
    }

    #[test]
    fn redirects_are_limited() {
        let (base, server) = serve(4, |i, _, _| {
            response(
                "301 Moved",
                "text/plain",
                &format!("Location: /r{i}\r\n"),
                "",
            )
        });
        assert_eq!(
            client(true).get_activity(&format!("{base}/a"), None),
            Err(FetchError::TooManyRedirects)
        );
        assert_eq!(server.join().unwrap().len(), 4);
    }

    #[test]
    fn a_dripping_server_is_cut_off_at_the_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            read_request(&mut stream);
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            for _ in 0..100 {
                if stream.write_all(b" ").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        });
        let mut config = ClientConfig::new(true, "Perch/test");
        config.total_timeout = Duration::from_secs(2);
        let started = Instant::now();
        let result = Client::new(config).get_activity(&format!("{base}/a"), None);
        assert_eq!(result, Err(FetchError::Timeout));
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(1900) && took < Duration::from_secs(4),
            "{took:?}"
        );
    }

    #[test]
    fn post_reports_status_and_retry_after() {
        let (base, server) = serve(1, |_, _, _| {
            response(
                "503 Service Unavailable",
                "text/plain",
                "Retry-After: 120\r\n",
                "busy",
            )
        });
        let signer = Signer {
            key: &test_key().0,
            key_id: "http://perch.test/users/me#main-key",
        };
        let body = br#"{"type":"Create"}"#;
        let answer = client(true)
            .post_activity(&format!("{base}/inbox"), body, &signer)
            .unwrap();
        assert_eq!(
            answer,
            PostResponse {
                status: 503,
                retry_after: Some(Duration::from_secs(120))
            }
        );
        let seen = server.join().unwrap().pop().unwrap();
        assert_eq!(seen.body, body);
        assert_eq!(
            seen.header("content-type"),
            Some("application/activity+json")
        );
        let request = signatures::IncomingRequest {
            method: &seen.method,
            path_and_query: &seen.path,
            headers: &seen.headers,
            body: Some(&seen.body),
        };
        signatures::check(&request, SystemTime::now())
            .unwrap()
            .verify(&test_key().1)
            .unwrap();

        let (base, server) = serve(1, |_, _, _| {
            response("302 Found", "text/plain", "Location: /x\r\n", "")
        });
        let answer = client(true)
            .post_activity(&format!("{base}/inbox"), body, &signer)
            .unwrap();
        assert_eq!(
            answer,
            PostResponse {
                status: 302,
                retry_after: None
            }
        );
        server.join().unwrap();
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(90))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        let huge = Some(MAX_RETRY_AFTER);
        assert_eq!(parse_retry_after("99999999999999999999999", now), huge);
        assert_eq!(parse_retry_after("31536000000", now), huge);
    }

    #[test]
    fn webfinger_finds_the_actor() {
        let (base, server) = serve(1, |_, _, base| {
            let body = format!(
                r#"{{"subject":"acct:alice@x","links":[
                {{"rel":"http://webfinger.net/rel/profile-page","type":"text/html","href":"{base}/@alice"}},
                {{"rel":"self","type":"application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"","href":"{base}/users/alice"}},
                {{"rel":"http://ostatus.org/schema/1.0/subscribe","template":"{base}/authorize_interaction?uri={{uri}}"}}]}}"#
            );
            response("200 OK", "application/jrd+json; charset=utf-8", "", &body)
        });
        let domain = base.strip_prefix("http://").unwrap();
        let answer = client(true).webfinger("alice", domain).unwrap();
        assert_eq!(answer.actor_id, format!("{base}/users/alice"));
        assert_eq!(
            answer.subscribe_template,
            Some(format!("{base}/authorize_interaction?uri={{uri}}"))
        );
        let seen = server.join().unwrap().pop().unwrap();
        assert_eq!(
            seen.path,
            format!("/.well-known/webfinger?resource=acct:alice@{domain}")
        );
        assert_eq!(seen.header("accept"), Some("application/jrd+json"));

        let (base, server) = serve(1, |_, _, _| {
            response("200 OK", "application/jrd+json", "", r#"{"links":[]}"#)
        });
        let err = client(true)
            .webfinger("alice", base.strip_prefix("http://").unwrap())
            .unwrap_err();
        assert_eq!(err, FetchError::BadDocument("no ActivityPub actor link"));
        server.join().unwrap();
    }

    #[test]
    fn webfinger_uses_https_for_public_hosts() {
        let url = client(true).webfinger_url("me", "example.com").unwrap();
        assert_eq!(
            url.as_str(),
            "https://example.com/.well-known/webfinger?resource=acct:me@example.com"
        );
        let url = client(false).webfinger_url("me", "localhost:8080").unwrap();
        assert_eq!(url.scheme(), "https");
        let url = client(true).webfinger_url("me", "localhost:8080").unwrap();
        assert_eq!(url.scheme(), "http");
        let url = client(true).webfinger_url("me", "bücher.example").unwrap();
        assert_eq!(url.host_str(), Some("xn--bcher-kva.example"));
    }

    fn global(text: &str) -> bool {
        is_global(text.parse().unwrap())
    }

    #[test]
    fn non_global_ipv4() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!global(ip), "{ip}");
        }
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.1",
            "198.20.0.0",
            "223.255.255.255",
            "93.184.216.34",
        ] {
            assert!(global(ip), "{ip}");
        }
    }

    #[test]
    fn non_global_ipv6() {
        for ip in [
            "::",
            "::1",
            "::127.0.0.1",
            "::8.8.8.8",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:0:4136:e378::1",
            "2001:2::1",
            "2001:10::1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            "3fff::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            "4000::1",
            "5f00::1",
        ] {
            assert!(!global(ip), "{ip}");
        }
        for ip in [
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2001:1::1",
            "2001:3::1",
            "2001:4:112::1",
            "2001:20::1",
            "2001:200::1",
        ] {
            assert!(global(ip), "{ip}");
        }
    }

    #[test]
    fn odd_host_spellings_are_normalised_then_caught() {
        for url in [
            "http://0x7f.1/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://0x0a.0.0.1/",
            "http://0/",
        ] {
            let url = Url::parse(url).unwrap();
            let ip = match url.host().unwrap() {
                url::Host::Ipv4(ip) => IpAddr::V4(ip),
                url::Host::Ipv6(ip) => IpAddr::V6(ip),
                url::Host::Domain(d) => panic!("{url} kept the domain {d}"),
            };
            assert!(!is_global(ip), "{url}");
        }
    }
}
