//! Starting `perch` processes in temporary folders, and a small HTTP client for them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const PERCH: &str = env!("CARGO_BIN_EXE_perch");
pub const AS_JSON: &str = "application/activity+json";
pub const LD_JSON: &str = r#"application/ld+json; profile="https://www.w3.org/ns/activitystreams""#;
pub const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The shared fixtures folder, or None (with a note) when this checkout has none beside it.
pub fn fixtures() -> Option<PathBuf> {
    let path = std::env::var_os("PERCH_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"));
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: fixtures not found at {} (set PERCH_FIXTURES)",
            path.display()
        );
        None
    }
}

/// One Perch instance: a folder with its instance.toml and database, and maybe a running server.
pub struct Instance {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub origin: String,
    server: Option<Child>,
    /// The set-up link printed by the last start, if any.
    pub setup_link: Option<String>,
    /// How to run perch: this build's binary, or another one behind a runner (tests/arm.rs runs
    /// ARM builds under qemu-user).
    pub program: Vec<String>,
}

impl Instance {
    /// A configured but not yet started instance.
    pub fn new() -> Instance {
        let dir = tempfile::tempdir().expect("temporary folder");
        let port = free_port();
        let config = format!(
            "domain = \"127.0.0.1:{port}\"\nusername = \"ana\"\ndisplay_name = \"Ana Example\"\n\
             database = \"perch.db\"\n[server]\naddress = \"127.0.0.1\"\nport = {port}\n\
             [federation]\nallow_private_addresses = true\n"
        );
        std::fs::write(dir.path().join("instance.toml"), config).expect("write config");
        Instance {
            dir,
            port,
            origin: format!("http://127.0.0.1:{port}"),
            server: None,
            setup_link: None,
            program: vec![PERCH.to_string()],
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program[0]);
        command.args(&self.program[1..]);
        command
    }

    /// A started instance.
    /// Another test may take a free port between our look and perch's bind; a first start that
    /// loses that race moves to another port (safe: nothing has used the origin yet).
    pub fn start() -> Instance {
        let mut instance = Instance::new();
        for _ in 0..3 {
            if instance.try_serve() {
                return instance;
            }
            instance.move_to_port(free_port());
        }
        panic!("perch did not start on three ports");
    }

    fn move_to_port(&mut self, port: u16) {
        let path = self.config_path();
        let config = std::fs::read_to_string(&path).expect("read config");
        let old = self.port.to_string();
        std::fs::write(&path, config.replace(&old, &port.to_string())).expect("write config");
        self.port = port;
        self.origin = format!("http://127.0.0.1:{port}");
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("instance.toml")
    }

    pub fn database(&self) -> PathBuf {
        self.dir.path().join("perch.db")
    }

    /// Starts `perch serve` and waits until it answers.
    pub fn serve(&mut self) {
        assert!(
            self.try_serve(),
            "perch did not start on port {}",
            self.port
        );
    }

    /// Starts `perch serve`; false when it exited instead of serving (its port was taken).
    fn try_serve(&mut self) -> bool {
        let mut child = self
            .command()
            .args(["serve", "--config"])
            .arg(self.config_path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start perch");
        let stdout = child.stdout.take().expect("stdout");
        let (lines_tx, lines_rx) = mpsc::channel();
        std::thread::spawn(move || {
            // Keeps reading after the test stops listening, so the server never writes to a
            // closed pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines_tx.send(line);
            }
        });
        self.server = Some(child);
        self.setup_link = None;
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut serving = false;
        loop {
            assert!(
                Instant::now() < deadline,
                "perch did not start on port {}",
                self.port
            );
            while let Ok(line) = lines_rx.try_recv() {
                if let Some((_, link)) = line.split_once("(this link works once): ") {
                    self.setup_link = Some(link.trim().to_string());
                }
                serving |= line.starts_with("Perch is serving");
            }
            if serving && std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                // Still running a moment later: it is our perch that answers, not another test's.
                std::thread::sleep(Duration::from_millis(50));
                let alive = self
                    .server
                    .as_mut()
                    .is_some_and(|c| matches!(c.try_wait(), Ok(None)));
                return alive;
            }
            if let Some(status) = self
                .server
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                eprintln!("perch exited early on port {}: {status}", self.port);
                self.server = None;
                return false;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Stops the server with SIGKILL: nothing gets a chance to clean up.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.server.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Runs a CLI command against this instance's config, with `stdin` as input.
    pub fn cli(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command()
            .args(args)
            .arg("--config")
            .arg(self.config_path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run perch");
        // A command that fails before reading its input closes the pipe; that is its answer.
        let _ = child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes());
        child.wait_with_output().expect("perch finished")
    }

    /// Publishes a post through the CLI and returns its page URL.
    pub fn post(&self, text: &str, extra: &[&str]) -> String {
        let mut args = vec!["post"];
        args.extend_from_slice(extra);
        let out = self.cli(&args, text);
        assert!(
            out.status.success(),
            "post failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .expect("a URL")
            .to_string()
    }

    pub fn set_password(&self, password: &str) {
        let out = self.cli(&["passwd"], &format!("{password}\n"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// A browser-like client: keeps cookies, sends Origin on POSTs.
    pub fn browser(&self) -> Browser {
        Browser {
            origin: self.origin.clone(),
            cookies: Vec::new(),
            client_address: None,
        }
    }

    /// A browser logged in with `password` (which must be set).
    pub fn logged_in(&self, password: &str) -> Browser {
        let mut browser = self.browser();
        let response = browser.post_form("/login", &[("password", password), ("next", "/")]);
        assert_eq!(response.status, 303, "login: {}", response.body);
        browser
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What a test needs of an HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent()
}

fn answer(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut response = response.expect("the request reached the server");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let mut bytes = Vec::new();
    response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .reader()
        .read_to_end(&mut bytes)
        .expect("read body");
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

/// GET with an Accept header.
pub fn get(url: &str, accept: &str) -> Answer {
    answer(agent().get(url).header("Accept", accept).call())
}

/// POST raw bytes with the given headers.
pub fn post_raw(url: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut request = agent().post(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    answer(request.send(body))
}

pub fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A cookie-keeping client that posts forms like a browser on our own origin.
pub struct Browser {
    pub origin: String,
    pub cookies: Vec<(String, String)>,
    /// Sent as `X-Real-IP`, as a reverse proxy on loopback would, to appear to come from elsewhere.
    pub client_address: Option<String>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, answer: &Answer) {
        for set in answer.headers_named("set-cookie") {
            let pair = set.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != name);
                let expired = set.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
                if !expired {
                    self.cookies.push((name.to_string(), value.to_string()));
                }
            }
        }
    }

    pub fn get(&mut self, path: &str) -> Answer {
        let url = format!("{}{path}", self.origin);
        let mut request = agent().get(&url).header("Accept", BROWSER);
        if !self.cookies.is_empty() {
            request = request.header("Cookie", self.cookie_header());
        }
        let answer = answer(request.call());
        self.keep_cookies(&answer);
        answer
    }

    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        self.post_form_from(path, fields, &self.origin.clone())
    }

    /// Posts a form as if from a page on `origin`.
    pub fn post_form_from(&mut self, path: &str, fields: &[(&str, &str)], origin: &str) -> Answer {
        let url = format!("{}{path}", self.origin);
        let mut request = agent()
            .post(&url)
            .header("Accept", BROWSER)
            .header("Origin", origin)
            .header("Content-Type", "application/x-www-form-urlencoded");
        if let Some(address) = &self.client_address {
            request = request.header("X-Real-IP", address);
        }
        if !self.cookies.is_empty() {
            request = request.header("Cookie", self.cookie_header());
        }
        let answer = answer(request.send(form_encode(fields)));
        self.keep_cookies(&answer);
        answer
    }

    /// Posts a multipart form with one file field named `file`.
    pub fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: &[u8],
        mime: &str,
    ) -> Answer {
        let boundary = "perchtestboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\nContent-Type: {mime}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let url = format!("{}{path}", self.origin);
        let answer = answer(
            agent()
                .post(&url)
                .header("Accept", BROWSER)
                .header("Origin", &self.origin)
                .header("Cookie", self.cookie_header())
                .header(
                    "Content-Type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .send(&body[..]),
        );
        self.keep_cookies(&answer);
        answer
    }

    /// The CSRF token from a page's forms.
    pub fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        csrf_from(&page.body)
    }
}

pub fn csrf_from(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field on the page") + marker.len();
    let end = html[start..].find('"').expect("end of the token") + start;
    html[start..end].to_string()
}

/// Polls `check` until it holds: another process's workers run on their own clock.
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The first column of the first row of `sql` on the instance's database.
pub fn count(instance: &Instance, sql: &str) -> i64 {
    rusqlite::Connection::open(instance.database())
        .expect("open the database")
        .query_row(sql, [], |r| r.get(0))
        .expect("the query runs")
}

/// `@ana@127.0.0.1:PORT`, the instance owner's handle.
pub fn handle(instance: &Instance) -> String {
    format!("@ana@127.0.0.1:{}", instance.port)
}

/// `from` follows `to` through `perch follow`; returns once `to` has accepted and `from` knows.
pub fn follow_and_wait(from: &Instance, to: &Instance) {
    let out = from.cli(&["follow", &handle(to)], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eventually("the follow is accepted", || {
        count(
            from,
            "SELECT count(*) FROM follows WHERE direction = 'out' AND state = 'accepted'",
        ) >= 1
    });
}

/// A test tool set up by scripts/test: `$env`, else `.tools/<local>`; None (with a SKIPPED line
/// saying why) when neither exists.
pub fn local_tool(env: &str, local: &str, needed_for: &str) -> Option<String> {
    let found = std::env::var(env).ok().or_else(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(".tools")
            .join(local);
        path.exists().then(|| path.display().to_string())
    });
    if found.is_none() {
        eprintln!("SKIPPED: {needed_for} need tools that scripts/test installs (.tools/{local})");
    }
    found
}
