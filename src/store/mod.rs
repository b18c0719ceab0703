//! All SQL lives under here: opening the file, migrations, and one file of plain functions per
//! table group. Nothing here knows about HTTP or ActivityPub documents.

pub mod accounts;
pub mod actors;
pub mod bookmarks;
pub mod conversations;
pub mod counters;
pub mod deliveries;
pub mod fetches;
pub mod filters;
pub mod follows;
pub mod inbound;
pub mod interactions;
pub mod lists;
pub mod media;
pub mod migrate;
pub mod moderation;
pub mod moving;
pub mod notifications;
pub mod oauth;
pub mod polls;
pub mod posts;
pub mod profile;
pub mod push;
pub mod queue_report;
pub mod quotes;
pub mod reactions;
pub mod remote_posts;
pub mod sessions;
pub mod settings;
pub mod signature_schemes;
pub mod statuses;
pub mod transfer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::model::Timestamp;

/// Opens the database file with Perch's pragmas, creating it when `create` is set, and brings its
/// schema up to date.
pub fn open(path: &Path, create: bool) -> Result<Connection, String> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let name = path.display();
    let mut conn = Connection::open_with_flags(path, flags)
        .map_err(|e| format!("{name}: cannot open the database: {e}"))?;
    // Before the pragmas: switching a newer Perch's file to WAL would already change it.
    if let Ok(version) = conn.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0)) {
        if version > migrate::LATEST {
            return Err(format!("{name}: {}", migrate::newer_message(version)));
        }
    }
    configure(&conn).map_err(|e| format!("{name}: not a usable database: {e}"))?;
    migrate::run(&mut conn).map_err(|e| format!("{name}: {e}"))?;
    Ok(conn)
}

/// Statements kept prepared per connection. A home timeline runs some 25 distinct ones; with
/// rusqlite's default of 16 the least recently used was always the next one asked for, so every
/// statement was parsed and planned again on every request.
const STATEMENT_CACHE: usize = 64;

/// `query_row` through the connection's statement cache: the read paths run the same SQL on
/// every request, and parsing and planning it cost more than running it.
pub trait CachedRow {
    fn cached_row<T, P, F>(&self, sql: &str, params: P, row: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>;
}

impl CachedRow for Connection {
    fn cached_row<T, P, F>(&self, sql: &str, params: P, row: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, row)
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Waiting for a lock, rather than failing, is what keeps the CLI and the server from ever
    // showing "database is locked" to the owner.
    conn.busy_timeout(Duration::from_secs(10))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidQuery);
    }
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA synchronous = NORMAL;
         PRAGMA journal_size_limit = 67108864;",
    )
}

/// Runs `work` in an IMMEDIATE transaction: the write lock is taken up front, so two writers queue
/// behind `busy_timeout` instead of one failing on a lock upgrade.
pub fn write<T, E: From<rusqlite::Error>>(
    conn: &mut Connection,
    work: impl FnOnce(&rusqlite::Transaction) -> Result<T, E>,
) -> Result<T, E> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = work(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// A new time-sortable id: milliseconds in the high bits, a sequence in the low 16 (Mastodon's
/// scheme, which the client API's paging relies on).
pub fn new_id(now: Timestamp) -> i64 {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    // A random start keeps ids minted in the same millisecond by the CLI and the server apart.
    let seed = *SEED.get_or_init(|| {
        let mut bytes = [0u8; 8];
        let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
        u64::from_le_bytes(bytes)
    });
    let sequence = seed.wrapping_add(SEQUENCE.fetch_add(1, Ordering::Relaxed)) & 0xffff;
    (now.0 << 16) | sequence as i64
}

/// A small pool of connections for the web server; each worker thread opens its own.
///
/// It keeps [`MAX_CONNECTIONS`]: a request beyond that waits up to [`MAX_WAIT`] for one to come
/// back, and only then opens one of its own (closed after use). On two cores more connections do
/// not run any faster, and every extra one costs an open (pragmas, schema check), its own page
/// cache and one more writer spinning in SQLite's busy handler. The wait is short so that
/// handlers holding a connection through a slow remote fetch (an inbox key lookup) cannot stall
/// everyone else.
#[derive(Clone)]
pub struct Db {
    path: PathBuf,
    pool: Arc<Pool>,
}

struct Pool {
    state: Mutex<PoolState>,
    returned: Condvar,
}

struct PoolState {
    idle: Vec<Connection>,
    /// Idle ones included.
    open: usize,
}

const MAX_CONNECTIONS: usize = 8;
/// Far longer than a query takes, far shorter than a remote fetch's timeouts.
const MAX_WAIT: Duration = Duration::from_millis(50);

impl Pool {
    /// The state stays consistent under a panic elsewhere: every change is one statement.
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Db {
    pub fn open(path: &Path) -> Result<Db, String> {
        let first = open(path, true)?;
        Ok(Db {
            path: path.to_path_buf(),
            pool: Arc::new(Pool {
                state: Mutex::new(PoolState {
                    idle: vec![first],
                    open: 1,
                }),
                returned: Condvar::new(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A connection from the pool, a new one while fewer than [`MAX_CONNECTIONS`] are open, else
    /// the next one given back within [`MAX_WAIT`], else a new one that is closed after use. It
    /// goes back when dropped.
    pub fn get(&self) -> Result<PooledConnection, String> {
        let deadline = Instant::now() + MAX_WAIT;
        let mut state = self.pool.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(self.pooled(conn));
            }
            let now = Instant::now();
            if state.open < MAX_CONNECTIONS || now >= deadline {
                state.open += 1;
                break;
            }
            state = match self.pool.returned.wait_timeout(state, deadline - now) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        drop(state);
        match open(&self.path, false) {
            Ok(conn) => Ok(self.pooled(conn)),
            Err(e) => {
                self.pool.lock().open -= 1;
                self.pool.returned.notify_one();
                Err(e)
            }
        }
    }

    fn pooled(&self, conn: Connection) -> PooledConnection {
        PooledConnection {
            conn: Some(conn),
            pool: self.pool.clone(),
        }
    }
}

pub struct PooledConnection {
    conn: Option<Connection>,
    pool: Arc<Pool>,
}

impl std::ops::Deref for PooledConnection {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until drop")
    }
}

impl std::ops::DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("present until drop")
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let mut state = self.pool.lock();
            // A connection left inside a transaction is closed (rolling it back), not reused; so
            // is one opened beyond the pool's size.
            if conn.is_autocommit() && state.open <= MAX_CONNECTIONS {
                state.idle.push(conn);
            } else {
                state.open -= 1;
            }
            drop(state);
            self.pool.returned.notify_one();
        }
    }
}

/// A consistent copy of the live database into `target`, safe while the server writes.
pub fn backup(conn: &Connection, target: &Path) -> Result<(), String> {
    if target.exists() {
        return Err(format!(
            "{}: already exists; choose a new file",
            target.display()
        ));
    }
    let mut destination = Connection::open(target)
        .map_err(|e| format!("{}: cannot create: {e}", target.display()))?;
    let backup = rusqlite::backup::Backup::new(conn, &mut destination)
        .map_err(|e| format!("backup: {e}"))?;
    backup
        .run_to_completion(256, Duration::from_millis(5), None)
        .map_err(|e| format!("backup: {e}"))?;
    drop(backup);
    // The copy is a plain rollback-journal file until opened by Perch, which switches it to WAL.
    destination
        .query_row("PRAGMA integrity_check", [], |row| row.get::<_, String>(0))
        .map_err(|e| format!("backup: {e}"))
        .and_then(|answer| match answer.as_str() {
            "ok" => Ok(()),
            other => Err(format!("backup: integrity check failed: {other}")),
        })
}

#[cfg(test)]
pub mod testing {
    use super::*;

    /// A migrated database in a temporary folder that is removed with it.
    pub fn temporary() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let conn = open(&dir.path().join("test.db"), true).expect("open test database");
        (dir, conn)
    }
}

#[cfg(test)]
mod tests;
