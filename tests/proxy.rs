//! TLS in front, for real: Debian's nginx with a certificate from a CA made by the test, in
//! front of `perch serve` with `https = true`, checked with curl trusting that CA and resolving
//! `perch.test` to loopback. Skipped (with the reason) where nginx, openssl or curl is missing.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use serde_json::json;

use crate::hardening::remote::Remote;
use crate::harness::{csrf_from, eventually, free_port, Instance, AS_JSON};
use crate::ops::Server;

const PASSWORD: &str = "correct horse battery staple";

fn have(tool: &str, version_flag: &str) -> bool {
    Command::new(tool)
        .arg(version_flag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run(command: &mut Command) {
    let out = command.output().expect("run a tool");
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a certificate for perch.test signed by it.
fn certificates(dir: &Path) {
    let openssl = |args: &[&str]| run(Command::new("openssl").args(args).current_dir(dir));
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=Perch Test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=keyCertSign,cRLSign",
    ]);
    openssl(&ca);
    let mut request = vec!["req"];
    request.extend(ec);
    request.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=perch.test",
    ]);
    openssl(&request);
    std::fs::write(dir.join("san.cnf"), "subjectAltName=DNS:perch.test\n").unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "san.cnf",
    ]);
}

struct Nginx(Child);

impl Nginx {
    fn start(dir: &Path, port: u16, upstream: u16) -> Nginx {
        let root = dir.display();
        // As root, nginx would hand requests to `nobody`, who cannot write the temp folders here.
        let is_root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        let user = if is_root { "user root;" } else { "" };
        let config = format!(
            r#"{user}
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name perch.test;
        ssl_certificate {root}/server.crt;
        ssl_certificate_key {root}/server.key;
        client_max_body_size 80m;
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            # $http_host keeps the port this test listens on; on 443, $host is the same.
            proxy_set_header Host $http_host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
        }}
    }}
}}
"#
        );
        let path = dir.join("nginx.conf");
        std::fs::write(&path, config).unwrap();
        let mut child = Command::new("nginx")
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&path)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start nginx");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "nginx exited ({status}): {}",
                    std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "nginx did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx(child)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its workers too.
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.0.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What curl saw: status, headers (lower-case names), body.
struct Seen {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

struct Curl {
    dir: PathBuf,
    port: u16,
}

impl Curl {
    fn origin(&self) -> String {
        format!("https://perch.test:{}", self.port)
    }

    /// A request to `path` on the public origin; `body` is sent from a file.
    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Seen {
        let head = self.dir.join("response.head");
        let out = self.dir.join("response.body");
        let mut command = Command::new("curl");
        command
            .args(["-sS", "--max-time", "30", "-X", method])
            .arg("--cacert")
            .arg(self.dir.join("ca.crt"))
            .arg("--resolve")
            .arg(format!("perch.test:{}:127.0.0.1", self.port))
            .arg("-D")
            .arg(&head)
            .arg("-o")
            .arg(&out);
        for (name, value) in headers {
            command.arg("-H").arg(format!("{name}: {value}"));
        }
        if let Some(body) = body {
            let file = self.dir.join("request.body");
            std::fs::write(&file, body).unwrap();
            command
                .arg("--data-binary")
                .arg(format!("@{}", file.display()));
        }
        command.arg(format!("{}{path}", self.origin()));
        run(&mut command);
        let head = std::fs::read_to_string(head).unwrap();
        // The last block: a `100 Continue` may come before the answer.
        let last = head
            .split("\r\n\r\n")
            .filter(|block| !block.trim().is_empty())
            .last()
            .expect("a response head");
        let mut lines = last.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Seen {
            status,
            headers,
            body: std::fs::read(out).unwrap(),
        }
    }

    fn get(&self, path: &str, accept: &str) -> Seen {
        self.request("GET", path, &[("Accept".into(), accept.into())], None)
    }
}

fn png_of_size(size: usize) -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    let mut bytes = bytes.into_inner();
    // Bytes after IEND are ignored by decoders: an image exactly at the upload limit.
    bytes.resize(size, 0);
    bytes
}

#[test]
fn through_nginx_with_tls_everything_a_server_and_a_browser_need_works() {
    for (tool, flag) in [
        ("nginx", "-v"),
        ("openssl", "version"),
        ("curl", "--version"),
    ] {
        if !have(tool, flag) {
            eprintln!("SKIPPED: the TLS proxy test needs {tool} (scripts/test installs it)");
            return;
        }
    }
    let instance = Instance::new();
    let proxy_port = free_port();
    let domain = format!("perch.test:{proxy_port}");
    std::fs::write(
        instance.config_path(),
        format!(
            "domain = \"{domain}\"\nhttps = true\nusername = \"ana\"\ndatabase = \"perch.db\"\n\
             [server]\naddress = \"127.0.0.1\"\nport = {}\n\
             [federation]\nallow_private_addresses = true\n",
            instance.port
        ),
    )
    .unwrap();
    let tls = tempfile::tempdir().unwrap();
    certificates(tls.path());
    let _server = Server::start(&instance);
    let _nginx = Nginx::start(tls.path(), proxy_port, instance.port);
    let curl = Curl {
        dir: tls.path().to_path_buf(),
        port: proxy_port,
    };
    let origin = curl.origin();
    // What `perch doctor` reads of the certificate: made for two days.
    let expiry =
        perch::ops::doctor::certificate_expiry(&format!("127.0.0.1:{proxy_port}"), "perch.test")
            .expect("the certificate's expiry");
    let left = expiry - time::OffsetDateTime::now_utc();
    assert!(
        left > time::Duration::days(1) && left <= time::Duration::days(2),
        "expires in {left}"
    );
    let actor_id = format!("{origin}/users/ana");

    let finger = curl.get(
        &format!("/.well-known/webfinger?resource=acct:ana@{domain}"),
        "application/jrd+json",
    );
    assert_eq!(finger.status, 200, "{}", finger.text());
    assert!(finger
        .header("content-type")
        .unwrap()
        .starts_with("application/jrd+json"));
    let jrd: serde_json::Value = serde_json::from_slice(&finger.body).unwrap();
    assert!(jrd["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "self" && l["href"] == actor_id.as_str()));

    let actor = curl.get("/users/ana", AS_JSON);
    assert_eq!(actor.status, 200);
    assert!(actor
        .header("content-type")
        .unwrap()
        .starts_with("application/activity+json"));
    let actor: serde_json::Value = serde_json::from_slice(&actor.body).unwrap();
    assert_eq!(actor["id"], actor_id.as_str());
    assert_eq!(actor["inbox"], format!("{actor_id}/inbox").as_str());

    // Login: the session cookie is Secure.
    instance.set_password(PASSWORD);
    let form = format!("password={}&next=%2F", PASSWORD.replace(' ', "+"));
    let login = curl.request(
        "POST",
        "/login",
        &[
            ("Origin".into(), origin.clone()),
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
        ],
        Some(form.as_bytes()),
    );
    assert_eq!(login.status, 303, "{}", login.text());
    let cookie = login.header("set-cookie").expect("a session cookie");
    assert!(
        cookie
            .split(';')
            .any(|p| p.trim().eq_ignore_ascii_case("secure")),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();

    // An avatar exactly at the upload limit passes the proxy and is taken.
    let settings = curl.request(
        "GET",
        "/settings",
        &[("Cookie".into(), session.clone())],
        None,
    );
    assert_eq!(settings.status, 200);
    let csrf = csrf_from(&settings.text());
    let boundary = "perchproxyboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend(png_of_size(perch::media::MAX_UPLOAD_BYTES));
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let upload = curl.request(
        "POST",
        "/settings/avatar",
        &[
            ("Cookie".into(), session),
            ("Origin".into(), origin.clone()),
            (
                "Content-Type".into(),
                format!("multipart/form-data; boundary={boundary}"),
            ),
        ],
        Some(&body),
    );
    assert_eq!(upload.status, 303, "{}", upload.text());
    let actor: serde_json::Value =
        serde_json::from_slice(&curl.get("/users/ana", AS_JSON).body).unwrap();
    assert!(actor["icon"]["url"].as_str().unwrap().starts_with(&origin));

    // A signed Follow: the signature covers the Host the proxy passed on.
    let remote = Remote::start();
    let follow = remote.activity("alice", "Follow", "follows/1", json!(actor_id));
    let body = follow.to_string().into_bytes();
    let inbox = format!("{actor_id}/inbox");
    let headers = remote.sign("alice", &inbox, &body, SystemTime::now());
    let delivered = curl.request("POST", "/users/ana/inbox", &headers, Some(&body));
    assert_eq!(delivered.status, 202, "{}", delivered.text());
    eventually("the Accept reaches the follower", || {
        remote
            .delivered()
            .iter()
            .any(|a| a["type"] == "Accept" && a["actor"] == actor_id.as_str())
    });
}
