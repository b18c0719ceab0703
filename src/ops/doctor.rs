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
    push("push key", push_key(&config.database));
    push("disk", disk(&folder));
    push("folder", writable(&folder));
    let recorded = read_only(&config.database)
        .and_then(|conn| store::settings::remote_date_skew(&conn))
        .map_err(|e| e.to_string());
    push("clock", clock(recorded, crate::model::Timestamp::now()));
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
            let host = host_of(&config.domain);
            let address = if host.len() == config.domain.len() {
                format!("{host}:443")
            } else {
                config.domain.clone()
            };
            tls(&address, host, time::OffsetDateTime::now_utc())
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

/// Beyond this our signatures' `Date` is refused by careful servers (and theirs by us).
const MAX_CLOCK_SKEW_SECS: u64 = 60;

/// The verdict on the skew the delivery worker last recorded against remote answers' `Date`.
fn clock(
    recorded: Result<Option<(i64, crate::model::Timestamp)>, String>,
    now: crate::model::Timestamp,
) -> Outcome {
    let (skew, seen) = match recorded {
        Err(e) => return Outcome::Skip(format!("cannot read the database: {e}")),
        Ok(None) => {
            return Outcome::Skip(
                "no remote answer recorded yet (the delivery worker records their Date)".into(),
            )
        }
        Ok(Some(found)) => found,
    };
    let minutes = now.0.saturating_sub(seen.0).max(0) / 60_000;
    let ago = format!("seen {minutes} min ago");
    let direction = if skew > 0 { "ahead" } else { "behind" };
    if skew.unsigned_abs() > MAX_CLOCK_SKEW_SECS {
        Outcome::Fail(format!(
            "the clock is {} s off ({direction} of remote servers, {ago}): enable NTP (timedatectl set-ntp true)",
            skew.unsigned_abs()
        ))
    } else {
        Outcome::Ok(format!(
            "within {} s of remote servers' Date ({ago})",
            skew.unsigned_abs()
        ))
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

/// The key that seals push subscriptions: beside the database, readable by its owner only.
fn push_key(database: &Path) -> Outcome {
    use std::os::unix::fs::PermissionsExt;
    let path = crate::secrets::key_path(database);
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Outcome::Skip(format!(
            "{} is made at the next start of the server",
            path.display()
        )),
        Err(e) => Outcome::Fail(format!("{}: {e}", path.display())),
        Ok(meta) if meta.len() != 32 => Outcome::Fail(format!(
            "{} is not a key (not 32 bytes): restore it from a backup, or remove it and let \
             the apps subscribe again",
            path.display()
        )),
        Ok(meta) if meta.permissions().mode() & 0o077 != 0 => Outcome::Fail(format!(
            "{} can be read by others: chmod 600 it",
            path.display()
        )),
        Ok(_) => Outcome::Ok(format!("{} (keep it with your backups)", path.display())),
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

/// Renew before this many days are left: certbot and Caddy renew at 30.
const MIN_CERTIFICATE_DAYS: i64 = 14;

fn tls(address: &str, server_name: &str, now: time::OffsetDateTime) -> Outcome {
    match certificate_expiry(address, server_name) {
        Err(e) if e.starts_with("openssl") => Outcome::Skip(e),
        Err(e) => Outcome::Fail(format!(
            "{address}: {e}: is the proxy running with its certificate?"
        )),
        Ok(expiry) => {
            let days = (expiry - now).whole_days();
            if days < MIN_CERTIFICATE_DAYS {
                Outcome::Fail(format!(
                    "the certificate for {server_name} expires in {days} days: renew it (certbot renew)"
                ))
            } else {
                Outcome::Ok(format!(
                    "the certificate for {server_name} is valid for {days} more days"
                ))
            }
        }
    }
}

/// The `notAfter` of the certificate served at `address` for `server_name`, read with the
/// `openssl` command (Perch's own TLS stack does not expose it).
pub fn certificate_expiry(
    address: &str,
    server_name: &str,
) -> Result<time::OffsetDateTime, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let hello = bounded(
        Command::new("openssl")
            .args(["s_client", "-connect", address, "-servername", server_name])
            .stdin(Stdio::null())
            .stderr(Stdio::null()),
    )?;
    if !String::from_utf8_lossy(&hello).contains("BEGIN CERTIFICATE") {
        return Err("no certificate in the TLS handshake".into());
    }
    let mut x509 = Command::new("openssl")
        .args(["x509", "-noout", "-enddate"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("openssl not usable: {e}"))?;
    let _ = x509.stdin.take().map(|mut input| input.write_all(&hello));
    let out = x509
        .wait_with_output()
        .map_err(|e| format!("openssl: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .strip_prefix("notAfter=")
        .and_then(parse_openssl_date)
        .ok_or_else(|| format!("cannot read the certificate's expiry ({})", text.trim()))
}

/// Runs `command` with piped stdout for at most 10 s; its output.
fn bounded(command: &mut std::process::Command) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("openssl not usable: {e}"))?;
    let Some(mut stdout) = child.stdout.take() else {
        return Err("openssl: no output".into());
    };
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.by_ref().take(1 << 20).read_to_end(&mut bytes);
        bytes
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the TLS handshake took longer than 10 s".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    reader
        .join()
        .map_err(|_| "openssl: output lost".to_string())
}

/// `Mar  1 12:00:00 2027 GMT`, as `openssl x509 -enddate` writes it.
fn parse_openssl_date(text: &str) -> Option<time::OffsetDateTime> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [month, day, clock, year, "GMT"] = parts[..] else {
        return None;
    };
    let month = MONTHS.iter().position(|m| *m == month)? as u8 + 1;
    let mut hms = clock.split(':').map(|p| p.parse::<u8>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let date = time::Date::from_calendar_date(
        year.parse().ok()?,
        time::Month::try_from(month).ok()?,
        day.parse().ok()?,
    )
    .ok()?;
    Some(
        date.with_time(time::Time::from_hms(h, m, s).ok()?)
            .assume_utc(),
    )
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

#[cfg(test)]
mod tests;
