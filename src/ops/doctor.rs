//! `perch doctor`: what can be checked from the machine itself, one line each: `ok`, `FAIL` with
//! what to do, or `skip` saying why. Read-only: it never migrates or writes the database.

use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::config::Config;
use crate::federation::client::{Client, ClientConfig};
use crate::store;
use crate::urls::Urls;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok(String),
    Fail(String),
    Skip(String),
}

pub struct Check {
    pub name: &'static str,
    pub outcome: Outcome,
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.outcome {
            Outcome::Ok(text) => write!(f, "ok    {}: {text}", self.name),
            Outcome::Fail(text) => write!(f, "FAIL  {}: {text}", self.name),
            Outcome::Skip(text) => write!(f, "skip  {}: {text}", self.name),
        }
    }
}

/// Below this much free space the database (and its backups) may soon have nowhere to grow.
const MIN_FREE_BYTES: u64 = 200 * 1024 * 1024;

/// Prints every check; an error (exit status 1) when any failed.
pub fn run(config_path: &Path) -> Result<(), String> {
    let checks = checks(config_path);
    for check in &checks {
        println!("{check}");
    }
    let failed = checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Fail(_)))
        .count();
    match failed {
        0 => Ok(()),
        1 => Err("1 check failed".into()),
        n => Err(format!("{n} checks failed")),
    }
}

pub fn checks(config_path: &Path) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut push = |name, outcome| checks.push(Check { name, outcome });
    let config = match Config::load(config_path) {
        Ok(config) => {
            push(
                "config",
                Outcome::Ok(format!("{} parses", config_path.display())),
            );
            config
        }
        Err(e) => {
            push("config", Outcome::Fail(format!("{e}: fix the file")));
            return checks;
        }
    };
    let folder = config
        .database
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    push("database", database(&config.database));
    push("disk", disk(&folder));
    push("folder", writable(&folder));
    push(
        "clock",
        Outcome::Skip(
            "the Date of remote answers is not recorded; keep NTP on (timedatectl)".into(),
        ),
    );
    push("dns", dns(&config.domain));
    let client = Client::new(ClientConfig::new(
        config.federation.allow_private_addresses,
        crate::app::user_agent(&config),
    ));
    let urls = Urls::new(&config);
    push("webfinger", webfinger(&client, &config, &urls));
    push("actor", actor(&client, &urls));
    push(
        "tls",
        if config.https {
            Outcome::Skip(format!(
                "expiry not read here; `openssl s_client -connect {}:443 </dev/null | openssl x509 -noout -enddate`",
                host_of(&config.domain)
            ))
        } else {
            Outcome::Skip("https = false: no certificate to check".into())
        },
    );
    push("queue", queue(&config.database));
    checks
}

fn read_only(database: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

fn database(path: &Path) -> Outcome {
    let Ok(meta) = std::fs::metadata(path) else {
        return Outcome::Fail(format!("{} does not exist: run perch init", path.display()));
    };
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let size = meta.len() + std::fs::metadata(Path::new(&wal)).map_or(0, |m| m.len());
    let checked = read_only(path).and_then(|conn| {
        let answer: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        Ok((answer, version))
    });
    match checked {
        Err(e) => Outcome::Fail(format!(
            "{}: {e}: restore a backup (perch restore FILE)",
            path.display()
        )),
        Ok((answer, _)) if answer != "ok" => Outcome::Fail(format!(
            "{}: integrity check failed ({answer}): restore a backup (perch restore FILE)",
            path.display()
        )),
        Ok((_, version)) if version > store::migrate::LATEST => {
            Outcome::Fail(store::migrate::newer_message(version))
        }
        Ok((_, version)) => Outcome::Ok(format!(
            "{} intact, {}, schema {version}{}",
            path.display(),
            megabytes(size),
            if version < store::migrate::LATEST {
                " (upgraded at the next start)"
            } else {
                ""
            }
        )),
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

/// Free space from `df` (POSIX output), which every system Perch runs on has.
fn disk(folder: &Path) -> Outcome {
    let output = std::process::Command::new("df")
        .arg("-Pk")
        .arg(folder)
        .output();
    let free = output.ok().filter(|o| o.status.success()).and_then(|o| {
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let line = text.lines().nth(1)?.to_string();
        line.split_whitespace().nth(3)?.parse::<u64>().ok()
    });
    match free.map(|kb| kb * 1024) {
        None => Outcome::Skip("`df` gave no answer".into()),
        Some(bytes) if bytes < MIN_FREE_BYTES => Outcome::Fail(format!(
            "only {} free in {}: free some space (old backups?)",
            megabytes(bytes),
            folder.display()
        )),
        Some(bytes) => Outcome::Ok(format!("{} free in {}", megabytes(bytes), folder.display())),
    }
}

fn writable(folder: &Path) -> Outcome {
    let probe = folder.join(format!(".perch-doctor-{}", std::process::id()));
    let written = std::fs::write(&probe, b"probe");
    let _ = std::fs::remove_file(&probe);
    match written {
        Ok(()) => Outcome::Ok(format!("{} is writable", folder.display())),
        Err(e) => Outcome::Fail(format!(
            "cannot write in {}: {e}: give the user running perch that folder",
            folder.display()
        )),
    }
}

fn host_of(domain: &str) -> &str {
    domain.rsplit_once(':').map_or(domain, |(host, _)| host)
}

/// The domain's addresses, and whether each belongs to this machine (one it can bind to).
fn dns(domain: &str) -> Outcome {
    let host = host_of(domain);
    let addresses: Vec<SocketAddr> = match (host, 0).to_socket_addrs() {
        Ok(found) => found.collect(),
        Err(e) => {
            return Outcome::Fail(format!(
                "{host} does not resolve ({e}): add an A/AAAA record for it"
            ))
        }
    };
    let local: Vec<String> = addresses
        .iter()
        .filter(|a| UdpSocket::bind((a.ip(), 0)).is_ok())
        .map(|a| a.ip().to_string())
        .collect();
    let all: Vec<String> = addresses.iter().map(|a| a.ip().to_string()).collect();
    if local.is_empty() {
        Outcome::Ok(format!(
            "{host} is {} (not this machine: a router or proxy must forward to it)",
            all.join(", ")
        ))
    } else {
        Outcome::Ok(format!("{host} is {}, this machine", all.join(", ")))
    }
}

fn webfinger(client: &Client, config: &Config, urls: &Urls) -> Outcome {
    match client.webfinger(&config.username, &config.domain) {
        Ok(answer) if answer.actor_id == urls.actor() => Outcome::Ok(format!(
            "acct:{}@{} answers",
            config.username, config.domain
        )),
        Ok(answer) => Outcome::Fail(format!(
            "it names {} instead of {}: check domain in instance.toml",
            answer.actor_id,
            urls.actor()
        )),
        Err(e) => Outcome::Fail(format!(
            "{}/.well-known/webfinger: {e}: is perch serve running and the proxy forwarding to it?",
            config.origin()
        )),
    }
}

fn actor(client: &Client, urls: &Urls) -> Outcome {
    match client.get_activity(&urls.actor(), None) {
        Ok(document) if document["type"] == "Person" => {
            Outcome::Ok(format!("{} answers as activity+json", urls.actor()))
        }
        Ok(_) => Outcome::Fail(format!("{} is not our actor", urls.actor())),
        Err(e) => Outcome::Fail(format!(
            "{}: {e}: is perch serve running and the proxy forwarding to it?",
            urls.actor()
        )),
    }
}

fn queue(database: &Path) -> Outcome {
    let report = read_only(database).and_then(|conn| store::queue_report::report(&conn));
    match report {
        Err(e) => Outcome::Skip(format!("cannot read the queue: {e}")),
        Ok(report) => {
            let mut text = format!("{} deliveries pending", report.pending);
            if report.failing_count > 0 {
                let hosts: Vec<String> = report
                    .failing_hosts
                    .iter()
                    .map(|h| format!("{} ({} failures)", h.host, h.failures))
                    .collect();
                text.push_str(&format!(
                    ", {} hosts failing: {}",
                    report.failing_count,
                    hosts.join(", ")
                ));
            }
            if let Some((host, _, error)) = report.oldest_error {
                text.push_str(&format!("; oldest error: {host}: {error}"));
            }
            Outcome::Ok(text)
        }
    }
}
