-- Filters (Mastodon's filters v2): keywords and posts the owner filters, per context, until
-- they expire. `contexts` is a comma-separated subset of home,notifications,public,thread,account.

CREATE TABLE filters (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    contexts   TEXT NOT NULL,
    action     TEXT NOT NULL DEFAULT 'warn',
    expires_at INTEGER,
    created_at INTEGER NOT NULL
);

CREATE TABLE filter_keywords (
    id         INTEGER PRIMARY KEY,
    filter_id  INTEGER NOT NULL REFERENCES filters(id) ON DELETE CASCADE,
    keyword    TEXT NOT NULL,
    whole_word INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX filter_keywords_of ON filter_keywords (filter_id);

CREATE TABLE filter_statuses (
    id        INTEGER PRIMARY KEY,
    filter_id INTEGER NOT NULL REFERENCES filters(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL,
    UNIQUE (filter_id, status_id)
);
