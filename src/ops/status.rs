//! What the owner's server page shows: version, uptime, database size, queue lengths, failing
//! hosts, and recent inbox refusals counted by reason (in memory, since the start).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::store::queue_report::{self, QueueReport};

static STARTED: OnceLock<Instant> = OnceLock::new();
static REFUSALS: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());
/// Reasons are our own fixed messages; the cap only guards against a message that ever varies.
const MAX_REASONS: usize = 64;

/// Called once by `perch serve` as it starts.
pub fn mark_started() {
    let _ = STARTED.set(Instant::now());
}

/// Counts an inbox refusal under its reason.
pub fn record_refusal(reason: &str) {
    let mut counts = REFUSALS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(count) = counts.get_mut(reason) {
        *count += 1;
    } else if counts.len() < MAX_REASONS {
        counts.insert(reason.to_string(), 1);
    }
}

/// Refusals since the start, most frequent first.
pub fn refusals() -> Vec<(String, u64)> {
    let counts = REFUSALS.lock().unwrap_or_else(PoisonError::into_inner);
    let mut list: Vec<(String, u64)> = counts.iter().map(|(r, n)| (r.clone(), *n)).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list
}

pub struct ServerStatus {
    pub version: &'static str,
    pub uptime: Option<Duration>,
    /// The database file and its WAL.
    pub database_bytes: u64,
    pub inbound_pending: u64,
    pub queue: QueueReport,
    pub refusals: Vec<(String, u64)>,
}

pub fn gather(conn: &Connection, database: &Path) -> rusqlite::Result<ServerStatus> {
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let inbound_pending: i64 = conn.query_row(
        "SELECT count(*) FROM inbound WHERE processed_at IS NULL",
        [],
        |r| r.get(0),
    )?;
    Ok(ServerStatus {
        version: env!("CARGO_PKG_VERSION"),
        uptime: STARTED.get().map(Instant::elapsed),
        database_bytes: size(database) + size(Path::new(&wal)),
        inbound_pending: inbound_pending.max(0) as u64,
        queue: queue_report::report(conn)?,
        refusals: refusals(),
    })
}

#[cfg(test)]
mod tests;
