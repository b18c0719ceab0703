-- What the Mastodon client API's statuses and media need beyond the web page.

-- Posts the owner scheduled: the request as given (JSON), published by the scheduled worker.
CREATE TABLE scheduled_statuses (
    id              INTEGER PRIMARY KEY,
    scheduled_at    INTEGER NOT NULL,
    params          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX scheduled_statuses_due ON scheduled_statuses (next_attempt_at);

-- `Idempotency-Key`s of status requests (SHA-256 of the key), for an hour: a retried request
-- returns the first status instead of posting again. post_id is NULL while the first is running.
CREATE TABLE idempotency_keys (
    key_hash     TEXT PRIMARY KEY,
    post_id      INTEGER,
    scheduled_id INTEGER,
    created_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Conversations the owner muted, by the object id of the thread's first post we hold.
CREATE TABLE conversation_mutes (
    root_uri   TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- An image's focal point (Mastodon's `focus`, -1.0 to 1.0 on each axis).
ALTER TABLE media ADD COLUMN focus_x REAL NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN focus_y REAL NOT NULL DEFAULT 0;
