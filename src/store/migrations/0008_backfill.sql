-- Backfill and thread completion (issue 11): what the owner or an accepted follow asked to be
-- fetched, the durable queue of single GETs that does it, and the bounds that keep it polite.

-- One per owner action (a thread opened, a profile looked at, a follow accepted, a reply forwarded
-- to us); `posts_left` is its budget of posts, `created_at` limits how often it is asked again.
CREATE TABLE fetch_requests (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('follow', 'profile', 'thread', 'forwarded')),
    subject    TEXT NOT NULL,
    posts_left INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (kind, subject)
);

-- The queue: one GET each (an outbox or collection page, a post), taken oldest first, so a
-- thread is walked breadth first.
CREATE TABLE fetches (
    id              INTEGER PRIMARY KEY,
    request_id      INTEGER NOT NULL REFERENCES fetch_requests(id) ON DELETE CASCADE,
    step            TEXT NOT NULL,
    url             TEXT NOT NULL,
    host            TEXT NOT NULL,
    level           INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (request_id, step, url)
);
CREATE INDEX fetches_due ON fetches (next_attempt_at, id);

-- Every URL fetched and when, so an object is fetched at most once an hour and one that failed
-- is left alone for a day.
CREATE TABLE fetched_urls (
    url        TEXT PRIMARY KEY,
    fetched_at INTEGER NOT NULL,
    failed     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX fetched_urls_by_age ON fetched_urls (fetched_at);

-- Requests made in the current window, per remote host (a minute) and in all ('*', a day).
CREATE TABLE fetch_budget (
    scope        TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    used         INTEGER NOT NULL
) WITHOUT ROWID;

-- Posts kept only because a thread or a profile was read: shown there, not in the home timeline
-- (unless their author is followed).
CREATE TABLE context_posts (
    post_id INTEGER PRIMARY KEY REFERENCES remote_posts(id) ON DELETE CASCADE
);

-- The pinned posts of remote accounts (their `featured` collection), in its order.
CREATE TABLE remote_pins (
    actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    post_uri TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (actor_id, post_uri)
) WITHOUT ROWID;
