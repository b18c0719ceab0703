//! Answers kept in memory while the database has not changed at all. Any commit by any
//! connection, this process's workers or the CLI, moves SQLite's `data_version`, and everything
//! kept at an older version is dropped. Meant for what an idle owner's apps ask again and again
//! (the token behind each request, `verify_credentials`): a busy inbox makes it miss, never wrong.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use crate::store::counters::Watch;

/// The database's version when a value was read: take it before reading, keep under it after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp(i64);

pub struct Memo<K, V> {
    /// Shared by every memo of the process: one connection asks the version for all.
    watch: Arc<Watch>,
    kept: Mutex<Kept<K, V>>,
    capacity: usize,
}

struct Kept<K, V> {
    at: Option<Stamp>,
    values: HashMap<K, V>,
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    /// At most `capacity` values; past it the memo starts again empty.
    pub fn new(watch: Arc<Watch>, capacity: usize) -> Memo<K, V> {
        Memo {
            watch,
            kept: Mutex::new(Kept {
                at: None,
                values: HashMap::new(),
            }),
            capacity,
        }
    }

    /// The version now, or `None` when the database cannot tell at once (nothing is kept then).
    pub fn stamp(&self) -> Option<Stamp> {
        self.watch.data_version().map(Stamp)
    }

    /// The value kept for `key`, when nothing was committed since it was read.
    pub fn get(&self, key: &K) -> Option<V> {
        let now = self.stamp()?;
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.at != Some(now) {
            return None;
        }
        kept.values.get(key).cloned()
    }

    /// Keeps `value`, read after `stamp` was taken. A value of an older version than what is
    /// kept is dropped; one of a newer version replaces everything.
    pub fn keep(&self, stamp: Option<Stamp>, key: K, value: V) {
        let Some(stamp) = stamp else { return };
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.at != Some(stamp) {
            // Versions only grow: a racing older read must not push out newer values.
            if kept.at.is_some_and(|at| at.0 > stamp.0) {
                return;
            }
            kept.values.clear();
            kept.at = Some(stamp);
        }
        if kept.values.len() >= self.capacity {
            kept.values.clear();
        }
        kept.values.insert(key, value);
    }
}

#[cfg(test)]
mod tests;
