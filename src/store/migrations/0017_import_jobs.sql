-- CSV imports worked through in the background (issue 12, item 4): the settings page queues a
-- file's rows and the worker applies them at a polite pace, so the page can show progress.
CREATE TABLE import_jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    overwrite   INTEGER NOT NULL,
    -- 1: the server's worker applies it; 0: `perch import` applies it in the foreground.
    background  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER,
    removed     INTEGER NOT NULL DEFAULT 0
);
-- One per data line. `target` is what an applied row named (an actor id, a domain, a post's
-- id), and `list_id` its list: what an overwrite keeps.
CREATE TABLE import_rows (
    job_id  INTEGER NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
    line    INTEGER NOT NULL,
    cells   TEXT NOT NULL,
    state   TEXT NOT NULL DEFAULT 'pending',
    reason  TEXT,
    target  TEXT,
    list_id INTEGER,
    PRIMARY KEY (job_id, line)
) WITHOUT ROWID;
CREATE INDEX import_rows_pending ON import_rows (job_id, line) WHERE state = 'pending';
