//! The lock a running server holds on its database: a file beside it (`perch.db.lock`) with an
//! advisory exclusive lock, released by the OS when the process ends however it ends. `perch
//! restore` takes the same lock, so it cannot replace a database under a running server.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// Held while it lives.
pub struct ServerLock {
    _file: File,
}

pub fn path_for(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl ServerLock {
    /// Takes the lock, or says that another process holds it.
    pub fn take(database: &Path) -> Result<ServerLock, String> {
        let path = path_for(database);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("{}: cannot open the lock file: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(ServerLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(format!(
                "{}: a Perch server is running on this database; stop it first",
                database.display()
            )),
            Err(TryLockError::Error(e)) => Err(format!("{}: cannot lock: {e}", path.display())),
        }
    }
}

#[cfg(test)]
mod tests;
