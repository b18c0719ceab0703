//! Daily backups while the server runs, and `perch restore`.
//!
//! A backup is SQLite's online backup (`store::backup`, the same as `perch backup`) into
//! `folder/perch-YYYY-MM-DD.db`, taken once a day at `daily_at` (UTC); past `keep` files the
//! oldest go. Restoring checks the file first and swaps it in atomically, keeping the old
//! database beside it as `.before-restore`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use time::OffsetDateTime;

use crate::config::BackupConfig;
use crate::ops::lock::ServerLock;
use crate::store;

const PREFIX: &str = "perch-";
const SUFFIX: &str = ".db";

/// The file for the day of `now`.
pub fn file_for(schedule: &BackupConfig, now: OffsetDateTime) -> PathBuf {
    let date = now.date();
    schedule.folder.join(format!(
        "{PREFIX}{:04}-{:02}-{:02}{SUFFIX}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// Takes today's backup if its time has come and it is not there yet, then deletes the oldest
/// past `keep`. Returns the file written, if any.
pub fn run_once(
    database: &Path,
    schedule: &BackupConfig,
    now: OffsetDateTime,
) -> Result<Option<PathBuf>, String> {
    if (now.hour(), now.minute()) < schedule.daily_at {
        return Ok(None);
    }
    let target = file_for(schedule, now);
    if target.exists() {
        return Ok(None);
    }
    std::fs::create_dir_all(&schedule.folder)
        .map_err(|e| format!("{}: cannot create: {e}", schedule.folder.display()))?;
    // Written under a temporary name, so a crash mid-way never leaves a file that looks done.
    let partial = target.with_extension("db.partial");
    let _ = std::fs::remove_file(&partial);
    let conn = store::open(database, false)?;
    let taken = store::backup(&conn, &partial).and_then(|()| {
        std::fs::rename(&partial, &target).map_err(|e| format!("{}: {e}", target.display()))
    });
    if let Err(e) = taken {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    rotate(schedule)?;
    Ok(Some(target))
}

/// Deletes the oldest `perch-YYYY-MM-DD.db` files past `keep`; other files are left alone.
fn rotate(schedule: &BackupConfig) -> Result<(), String> {
    let entries = std::fs::read_dir(&schedule.folder)
        .map_err(|e| format!("{}: {e}", schedule.folder.display()))?;
    let mut ours: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            name.strip_prefix(PREFIX)
                .and_then(|rest| rest.strip_suffix(SUFFIX))
                .is_some_and(|date| {
                    date.len() == 10 && date.chars().all(|c| c.is_ascii_digit() || c == '-')
                })
        })
        .collect();
    // The dates sort as text.
    ours.sort();
    let excess = ours.len().saturating_sub(schedule.keep);
    for name in &ours[..excess] {
        let path = schedule.folder.join(name);
        std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// The backup thread for `perch serve`: looks once a minute (and at start) whether today's
/// backup is due. Set `stop` and unpark it to end it.
pub fn spawn(
    database: PathBuf,
    schedule: BackupConfig,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("perch-backup".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match run_once(&database, &schedule, OffsetDateTime::now_utc()) {
                    Ok(Some(file)) => {
                        crate::log::info("backup", "backup written", &[("file", &file.display())])
                    }
                    Ok(None) => {}
                    Err(e) => crate::log::warn("backup", "backup failed", &[("error", &e)]),
                }
                std::thread::park_timeout(Duration::from_secs(60));
            }
        })
}

/// Checks `file` and puts it in place of `database`, which no server may hold. The old database
/// (with its `-wal`, checkpointed first) is kept as `database.before-restore`.
pub fn restore(database: &Path, file: &Path) -> Result<PathBuf, String> {
    let _lock = ServerLock::take(database)?;
    check_backup(file)?;
    let folder = database.parent().unwrap_or(Path::new("."));
    let mut temporary = database.as_os_str().to_owned();
    temporary.push(".restoring");
    let temporary = PathBuf::from(temporary);
    copy_synced(file, &temporary)?;
    let mut kept = database.as_os_str().to_owned();
    kept.push(".before-restore");
    let kept = PathBuf::from(kept);
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    if database.exists() {
        // Folds the old `-wal` into the old file, so what is kept is whole; a database too
        // broken for that (the reason to restore, often) is kept with its `-wal` beside it.
        let folded = crate::ops::workers::checkpoint(database).is_ok_and(|left| left == 0);
        // A WAL left beside an earlier `.before-restore` must not be applied to this one.
        for suffix in ["-wal", "-shm"] {
            let mut side = kept.as_os_str().to_owned();
            side.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(side));
        }
        std::fs::copy(database, &kept)
            .map_err(|e| format!("{}: cannot keep the old database: {e}", kept.display()))?;
        if !folded && wal.exists() {
            let mut kept_wal = kept.as_os_str().to_owned();
            kept_wal.push("-wal");
            std::fs::copy(&wal, PathBuf::from(kept_wal))
                .map_err(|e| format!("{}: cannot keep the old WAL: {e}", wal.display()))?;
        }
    }
    std::fs::rename(&temporary, database).map_err(|e| {
        format!(
            "{}: cannot put the backup in place: {e}",
            database.display()
        )
    })?;
    // The old database's WAL and index must not be applied to the new file.
    for suffix in ["-wal", "-shm"] {
        let mut side = database.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    // A backup made by `perch backup` carries its push key; a daily one leaves the key here.
    crate::secrets::copy_key(file, database)?;
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(kept)
}

/// A file fit to restore: SQLite, intact, with Perch's tables, at a schema this Perch knows.
pub fn check_backup(file: &Path) -> Result<(), String> {
    let name = file.display();
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("{name}: cannot open: {e}"))?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .map_err(|e| format!("{name}: not a SQLite database: {e}"))?;
    if integrity != "ok" {
        return Err(format!("{name}: integrity check failed: {integrity}"));
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|e| format!("{name}: {e}"))?;
    let has_key: bool = conn
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'settings'",
            [],
            |row| row.get(0),
        )
        .map_err(|e| format!("{name}: {e}"))?;
    if version < 1 || !has_key {
        return Err(format!("{name}: not a Perch database"));
    }
    if version > store::migrate::LATEST {
        return Err(format!(
            "{name}: schema version {version} is newer than this Perch knows ({}); upgrade Perch first",
            store::migrate::LATEST
        ));
    }
    Ok(())
}

fn copy_synced(from: &Path, to: &Path) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("{}: cannot copy the backup: {e}", to.display());
    let _ = std::fs::remove_file(to);
    std::fs::copy(from, to).map_err(fail)?;
    std::fs::File::open(to)
        .and_then(|f| f.sync_all())
        .map_err(fail)
}

#[cfg(test)]
mod tests;
