//! Numbered migrations, applied in order by `PRAGMA user_version`.

use rusqlite::Connection;

/// The migrations in order; the position (from 1) is the version each brings the database to.
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
];

/// The schema version this binary writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Applies every migration the database has not seen, each in its own transaction. Returns how many
/// ran. A database from a newer Perch is refused rather than touched.
pub fn run(conn: &mut Connection) -> Result<usize, String> {
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|e| format!("cannot read the schema version: {e}"))?;
    if current > LATEST {
        return Err(format!(
            "the database has schema version {current}, newer than this Perch knows ({LATEST}); upgrade Perch"
        ));
    }
    let mut applied = 0;
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current as usize) {
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
