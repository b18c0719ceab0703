//! The client against real loopback servers: signing, the guard, limits, redirects, WebFinger.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;

use super::super::keys::{generate, SigningKey, VerifyingKey};
use super::*;

mod guard;

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
        stream
            .write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
            )
            .unwrap();
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
            retry_after: Some(Duration::from_secs(120)),
            date_skew: None,
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
            retry_after: None,
            date_skew: None,
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
fn date_skew_is_how_far_our_clock_is_ahead() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
    assert_eq!(date_skew(&earlier, now), Some(90));
    let later = httpdate::fmt_http_date(now + Duration::from_secs(5));
    assert_eq!(date_skew(&later, now), Some(-5));
    assert_eq!(date_skew(&httpdate::fmt_http_date(now), now), Some(0));
    assert_eq!(date_skew("yesterday", now), None);
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
