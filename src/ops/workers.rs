//! The server's worker threads, known by name: `/health` asks whether each is still running, and
//! shutdown waits for them, but never longer than its deadline.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// A worker's name and its thread.
type Named = (&'static str, JoinHandle<()>);

/// Shared between `perch serve` (which registers and finally joins the threads) and the rocket.
#[derive(Clone, Default)]
pub struct Workers {
    threads: Arc<Mutex<Vec<Named>>>,
}

impl Workers {
    pub fn add(&self, name: &'static str, handle: JoinHandle<()>) {
        self.lock().push((name, handle));
    }

    /// The names of the workers whose thread has ended (a panic, or an early return).
    pub fn dead(&self) -> Vec<&'static str> {
        self.lock()
            .iter()
            .filter(|(_, handle)| handle.is_finished())
            .map(|(name, _)| *name)
            .collect()
    }

    /// Unparks every thread (to skip its nap) and joins those that end before `deadline`;
    /// returns the names of those still running then. Their work in hand is unrecorded, so it
    /// stays queued and is done again at the next start.
    pub fn join_until(&self, deadline: Instant) -> Vec<&'static str> {
        let mut threads = std::mem::take(&mut *self.lock());
        for (_, handle) in &threads {
            handle.thread().unpark();
        }
        while !threads.is_empty() && Instant::now() < deadline {
            let (finished, running): (Vec<_>, Vec<_>) =
                threads.into_iter().partition(|(_, h)| h.is_finished());
            for (_, handle) in finished {
                let _ = handle.join();
            }
            threads = running;
            if !threads.is_empty() {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        threads.iter().map(|(name, _)| *name).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Named>> {
        self.threads.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Moves everything in the `-wal` file into the database and empties it, on a connection of its
/// own (opened without migrations: this runs at the very end). Returns the frames left behind,
/// zero when the checkpoint was complete.
pub fn checkpoint(path: &std::path::Path) -> Result<i64, String> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    conn.busy_timeout(Duration::from_secs(2))
        .map_err(|e| e.to_string())?;
    let (busy, log, done): (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .map_err(|e| format!("checkpoint: {e}"))?;
    Ok(if busy != 0 { log.max(1) } else { log - done })
}

#[cfg(test)]
mod tests;
