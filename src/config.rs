//! `instance.toml`, read and validated once at start.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// The validated configuration. `database` is already resolved against the file's folder.
#[derive(Clone, Debug)]
pub struct Config {
    pub domain: String,
    pub https: bool,
    pub username: String,
    pub display_name: String,
    pub database: PathBuf,
    pub server: ServerConfig,
    pub federation: FederationConfig,
    /// Daily backups, when `[backup]` is present.
    pub backup: Option<BackupConfig>,
}

#[derive(Clone, Debug)]
pub struct BackupConfig {
    /// Resolved against the file's folder; `backups` beside it by default.
    pub folder: PathBuf,
    /// Hour and minute, UTC.
    pub daily_at: (u8, u8),
    pub keep: usize,
}

#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub address: IpAddr,
    pub port: u16,
}

#[derive(Clone, Debug)]
pub struct FederationConfig {
    pub allow_private_addresses: bool,
}

const TOP_KEYS: &[&str] = &[
    "domain",
    "https",
    "username",
    "display_name",
    "database",
    "server",
    "federation",
    "backup",
];
const SERVER_KEYS: &[&str] = &["address", "port"];
const FEDERATION_KEYS: &[&str] = &["allow_private_addresses"];
const BACKUP_KEYS: &[&str] = &["folder", "daily_at", "keep"];

impl Config {
    /// Reads and validates the file; the error is one line naming the file and the key.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read the configuration: {e}", path.display()))?;
        let folder = path.parent().unwrap_or(Path::new("."));
        Config::parse(&text, folder).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses configuration text; relative database paths are taken from `folder`.
    pub fn parse(text: &str, folder: &Path) -> Result<Config, String> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            format!(
                "not valid TOML: {}",
                e.message().lines().next().unwrap_or("")
            )
        })?;
        check_keys(&table, TOP_KEYS, "")?;
        let server = section(&table, "server", SERVER_KEYS)?;
        let federation = section(&table, "federation", FEDERATION_KEYS)?;
        let backup = match table.get("backup") {
            None => None,
            Some(_) => Some(backup(&section(&table, "backup", BACKUP_KEYS)?, folder)?),
        };

        let domain = string(&table, "domain", None)?;
        validate_domain(&domain)?;
        let username = string(&table, "username", None)?;
        validate_username(&username)?;
        let display_name = string(&table, "display_name", Some(&username))?;
        if display_name.chars().count() > 100 {
            return Err("display_name: at most 100 characters".into());
        }
        let database = string(&table, "database", Some("perch.db"))?;
        if database.trim().is_empty() {
            return Err("database: must name a file".into());
        }
        let database = folder.join(database);

        let address = match server.get("address") {
            None => IpAddr::from([127, 0, 0, 1]),
            Some(toml::Value::String(s)) => s
                .parse()
                .map_err(|_| format!("server.address: \"{s}\" is not an IP address"))?,
            Some(_) => return Err("server.address: must be a string such as \"127.0.0.1\"".into()),
        };
        let port = match server.get("port") {
            None => 8080,
            Some(toml::Value::Integer(p)) if (1..=65535).contains(p) => *p as u16,
            Some(_) => return Err("server.port: must be a number from 1 to 65535".into()),
        };
        Ok(Config {
            domain,
            https: boolean(&table, "https", "https")?,
            username,
            display_name,
            database,
            server: ServerConfig { address, port },
            federation: FederationConfig {
                allow_private_addresses: boolean(
                    &federation,
                    "allow_private_addresses",
                    "federation.allow_private_addresses",
                )?,
            },
            backup,
        })
    }

    /// `http(s)://domain`, the prefix of every URL we mint.
    pub fn origin(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.domain)
    }
}

fn check_keys(table: &toml::Table, known: &[&str], prefix: &str) -> Result<(), String> {
    for key in table.keys() {
        if !known.contains(&key.as_str()) {
            let hint = known
                .iter()
                .find(|k| edit_distance(k, key) <= 2)
                .map(|k| format!(" (did you mean \"{k}\"?)"))
                .unwrap_or_default();
            return Err(format!("unknown key \"{prefix}{key}\"{hint}"));
        }
    }
    Ok(())
}

fn section(table: &toml::Table, name: &str, known: &[&str]) -> Result<toml::Table, String> {
    match table.get(name) {
        None => Ok(toml::Table::new()),
        Some(toml::Value::Table(t)) => {
            check_keys(t, known, &format!("{name}."))?;
            Ok(t.clone())
        }
        Some(_) => Err(format!("{name}: must be a section [{name}]")),
    }
}

fn backup(table: &toml::Table, folder: &Path) -> Result<BackupConfig, String> {
    let target = string(table, "folder", Some("backups")).map_err(|e| format!("backup.{e}"))?;
    if target.trim().is_empty() {
        return Err("backup.folder: must name a folder".into());
    }
    let at = string(table, "daily_at", Some("03:30")).map_err(|e| format!("backup.{e}"))?;
    let daily_at = at
        .split_once(':')
        .filter(|(h, m)| h.len() == 2 && m.len() == 2)
        .and_then(|(h, m)| Some((h.parse::<u8>().ok()?, m.parse::<u8>().ok()?)))
        .filter(|&(h, m)| h < 24 && m < 60)
        .ok_or_else(|| {
            format!("backup.daily_at: \"{at}\" must be a time such as \"03:30\" (UTC)")
        })?;
    let keep = match table.get("keep") {
        None => 7,
        Some(toml::Value::Integer(k)) if (1..=365).contains(k) => *k as usize,
        Some(_) => return Err("backup.keep: must be a number from 1 to 365".into()),
    };
    Ok(BackupConfig {
        folder: folder.join(target),
        daily_at,
        keep,
    })
}

fn string(table: &toml::Table, key: &str, default: Option<&str>) -> Result<String, String> {
    match (table.get(key), default) {
        (Some(toml::Value::String(s)), _) => Ok(s.clone()),
        (Some(_), _) => Err(format!("{key}: must be a string")),
        (None, Some(d)) => Ok(d.to_string()),
        (None, None) => Err(format!("{key}: missing")),
    }
}

fn boolean(table: &toml::Table, key: &str, full_name: &str) -> Result<bool, String> {
    match table.get(key) {
        None => Ok(false),
        Some(toml::Value::Boolean(b)) => Ok(*b),
        Some(_) => Err(format!("{full_name}: must be true or false")),
    }
}

fn validate_domain(domain: &str) -> Result<(), String> {
    if domain.contains("://") {
        return Err(format!(
            "domain: \"{domain}\" must be a host name without a scheme (set https = true for https)"
        ));
    }
    let (host, port) = match domain.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (domain, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    if host_ok && port_ok {
        Ok(())
    } else {
        Err(format!(
            "domain: \"{domain}\" is not a lower-case host name with an optional :port"
        ))
    }
}

fn validate_username(username: &str) -> Result<(), String> {
    let ok = !username.is_empty()
        && username.len() <= 30
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "username: \"{username}\" must be 1 to 30 letters, digits or underscores"
        ))
    }
}

/// Levenshtein distance, for "did you mean" hints on short key names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
