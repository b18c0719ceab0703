//! What `perch doctor` (and a status page) says about the delivery queue: read-only counts.

use super::CachedRow;
use rusqlite::{Connection, OptionalExtension};

use crate::model::Timestamp;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueReport {
    pub pending: u64,
    /// Hosts whose circuit breaker is open, most failures first (at most five named).
    pub failing_hosts: Vec<FailingHost>,
    pub failing_count: u64,
    /// The oldest delivery that has an error, with its host, when it was queued and the error.
    pub oldest_error: Option<(String, Timestamp, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailingHost {
    pub host: String,
    pub failures: u32,
    pub retry_at: Option<Timestamp>,
    /// The error of its most recently tried delivery still queued.
    pub last_error: Option<String>,
}

pub fn report(conn: &Connection) -> rusqlite::Result<QueueReport> {
    let pending: i64 = conn.cached_row("SELECT count(*) FROM deliveries", [], |r| r.get(0))?;
    let failing_count: i64 = conn.cached_row(
        "SELECT count(*) FROM hosts WHERE failing_since IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    let failing_hosts = conn
        .prepare_cached(
            "SELECT host, failures, retry_at,
                    (SELECT last_error FROM deliveries WHERE deliveries.host = hosts.host
                     AND last_error IS NOT NULL ORDER BY attempts DESC, id DESC LIMIT 1)
             FROM hosts WHERE failing_since IS NOT NULL
             ORDER BY failures DESC, host LIMIT 5",
        )?
        .query_map([], |r| {
            Ok(FailingHost {
                host: r.get(0)?,
                failures: r.get::<_, i64>(1)?.max(0) as u32,
                retry_at: r.get::<_, Option<i64>>(2)?.map(Timestamp),
                last_error: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let oldest_error = conn
        .cached_row(
            "SELECT host, created_at, last_error FROM deliveries WHERE last_error IS NOT NULL
             ORDER BY created_at LIMIT 1",
            [],
            |r| Ok((r.get(0)?, Timestamp(r.get(1)?), r.get(2)?)),
        )
        .optional()?;
    Ok(QueueReport {
        pending: pending.max(0) as u64,
        failing_hosts,
        failing_count: failing_count.max(0) as u64,
        oldest_error,
    })
}

#[cfg(test)]
mod tests;
