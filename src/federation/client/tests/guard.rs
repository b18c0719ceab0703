//! The address guard as the client uses it: refused before connecting, on every hop.

use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use super::*;

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
