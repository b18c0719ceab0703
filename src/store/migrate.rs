//! Numbered migrations, applied in order by `PRAGMA user_version`.

use rusqlite::Connection;

/// The migrations in order; the position (from 1) is the version each brings the database to, so a
/// new one is only ever appended (the numbers in the names follow the positions).
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("migrations/0001_init.sql")),
    ("0002_inbox", include_str!("migrations/0002_inbox.sql")),
    (
        "0003_counters",
        include_str!("migrations/0003_counters.sql"),
    ),
    (
        "0004_edit_media",
        include_str!("migrations/0004_edit_media.sql"),
    ),
    ("0005_oauth", include_str!("migrations/0005_oauth.sql")),
    (
        "0006_signature_schemes",
        include_str!("migrations/0006_signature_schemes.sql"),
    ),
    (
        "0007_collections",
        include_str!("migrations/0007_collections.sql"),
    ),
    (
        "0008_backfill",
        include_str!("migrations/0008_backfill.sql"),
    ),
    (
        "0009_api_statuses",
        include_str!("migrations/0009_api_statuses.sql"),
    ),
    (
        "0010_api_timelines",
        include_str!("migrations/0010_api_timelines.sql"),
    ),
    ("0011_filters", include_str!("migrations/0011_filters.sql")),
    (
        "0012_api_accounts",
        include_str!("migrations/0012_api_accounts.sql"),
    ),
    ("0013_push", include_str!("migrations/0013_push.sql")),
    (
        "0014_conversations",
        include_str!("migrations/0014_conversations.sql"),
    ),
    ("0015_polls", include_str!("migrations/0015_polls.sql")),
    ("0016_archive", include_str!("migrations/0016_archive.sql")),
    (
        "0017_import_jobs",
        include_str!("migrations/0017_import_jobs.sql"),
    ),
    (
        "0018_push_sealed",
        include_str!("migrations/0018_push_sealed.sql"),
    ),
    ("0019_quotes", include_str!("migrations/0019_quotes.sql")),
    ("0020_ed25519", include_str!("migrations/0020_ed25519.sql")),
    (
        "0021_reactions",
        include_str!("migrations/0021_reactions.sql"),
    ),
];

/// The schema version this binary writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Applies every migration the database has not seen, each in its own transaction. Returns how many
/// ran. A database from a newer Perch is refused rather than touched.
pub fn run(conn: &mut Connection) -> Result<usize, String> {
    run_to(conn, LATEST)
}

/// Like [`run`], stopping at version `target`: the tests build databases as each earlier Perch
/// left them.
pub fn run_to(conn: &mut Connection, target: i64) -> Result<usize, String> {
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|e| format!("cannot read the schema version: {e}"))?;
    if current > LATEST {
        return Err(newer_message(current));
    }
    let mut applied = 0;
    let pending = MIGRATIONS
        .iter()
        .enumerate()
        .take(target.clamp(0, LATEST) as usize)
        .skip(current as usize);
    for (index, (name, sql)) in pending {
        let version = index as i64 + 1;
        let tx = conn
            .transaction()
            .map_err(|e| format!("migration {name}: {e}"))?;
        tx.execute_batch(sql)
            .map_err(|e| format!("migration {name}: {e}"))?;
        tx.pragma_update(None, "user_version", version)
            .map_err(|e| format!("migration {name}: {e}"))?;
        tx.commit().map_err(|e| format!("migration {name}: {e}"))?;
        applied += 1;
    }
    Ok(applied)
}

/// What a database from a newer Perch is told; it is never touched.
pub fn newer_message(version: i64) -> String {
    format!(
        "the database has schema version {version}, newer than this Perch knows ({LATEST}); upgrade Perch"
    )
}

#[cfg(test)]
mod tests;
