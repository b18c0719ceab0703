//! `perch` processes in temporary folders: start, kill, restart, and the CLI against them.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::browser::Browser;

pub const PERCH: &str = env!("CARGO_BIN_EXE_perch");

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One Perch instance: a folder with its instance.toml and database, and maybe a running server.
pub struct Instance {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub origin: String,
    /// Its database file, where `crate::probe` looks.
    database: PathBuf,
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
            database: dir.path().join("perch.db"),
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

    pub fn database(&self) -> &Path {
        &self.database
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
