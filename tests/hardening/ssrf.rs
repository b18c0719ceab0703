//! `perch follow` with the private-address guard on (the production setting): loopback in every
//! spelling, user info and other schemes are refused, and a listener proves no connection left.

use std::net::TcpListener;

use super::remote::listen;
use crate::harness::Instance;
use crate::probe;

#[test]
fn follow_refuses_private_addresses_in_every_spelling_and_never_connects() {
    let instance = Instance::new();
    let config = std::fs::read_to_string(instance.config_path()).unwrap();
    let guarded = config.replace(
        "allow_private_addresses = true",
        "allow_private_addresses = false",
    );
    assert_ne!(config, guarded);
    std::fs::write(instance.config_path(), guarded).unwrap();
    assert!(instance.cli(&["init"], "").status.success());

    let v4 = listen("127.0.0.1");
    v4.set_nonblocking(true).unwrap();
    let port = v4.local_addr().unwrap().port();
    // IPv6 loopback may be missing in a container; the IPv4 listener still counts then.
    let v6 = TcpListener::bind("[::1]:0").ok().map(|_| listen("::1"));
    let port6 = v6.as_ref().map_or(port, |l| l.local_addr().unwrap().port());
    if let Some(v6) = &v6 {
        v6.set_nonblocking(true).unwrap();
    }

    let targets = [
        format!("http://127.0.0.1:{port}/actor"),
        format!("http://127.1:{port}/actor"),
        format!("http://0x7f000001:{port}/actor"),
        format!("http://2130706433:{port}/actor"),
        format!("http://0177.0.0.1:{port}/actor"),
        format!("http://localhost:{port}/actor"),
        format!("http://[::1]:{port6}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        format!("http://0.0.0.0:{port}/"),
        format!("http://user:secret@127.0.0.1:{port}/actor"),
        format!("https://user@example.com:{port}/actor"),
        "file:///etc/passwd".to_string(),
        format!("ftp://127.0.0.1:{port}/actor"),
        format!("@ana@127.0.0.1:{port}"),
        format!("ana@localhost:{port}"),
        format!("@ana@[::1]:{port6}"),
    ];
    for target in &targets {
        let out = instance.cli(&["follow", target], "");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{target}: followed");
        assert_eq!(stderr.lines().count(), 1, "{target}: {stderr}");
        assert!(!stderr.contains("internal error"), "{target}: {stderr}");
    }
    assert_eq!(
        v4.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "a connection reached 127.0.0.1"
    );
    if let Some(v6) = v6 {
        assert_eq!(
            v6.accept().map(|_| ()).unwrap_err().kind(),
            std::io::ErrorKind::WouldBlock,
            "a connection reached ::1"
        );
    }
    assert_eq!(probe::actors(&instance), 0);
    assert_eq!(probe::pending_deliveries(&instance), 0);
}
