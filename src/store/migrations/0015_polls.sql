-- Polls (issue 15 item 3). Ours hang off our posts; others' are read from the stored Question
-- itself (`remote_posts.raw`, refreshed by each Update), so only what the Question cannot say is
-- kept here: the owner's votes in them and whether their end was announced.

-- One row per poll of ours, and per poll of others the owner voted in; `post_id` is the post's
-- id (ours or a remote post's), which is also the poll's id in the client API.
CREATE TABLE polls (
    post_id     INTEGER PRIMARY KEY,
    uri         TEXT NOT NULL UNIQUE,
    own         INTEGER NOT NULL,
    multiple    INTEGER NOT NULL DEFAULT 0,
    hide_totals INTEGER NOT NULL DEFAULT 0,
    expires_at  INTEGER,
    -- Ours: when a vote changed the totals and no Update has carried them yet.
    changed_at  INTEGER,
    -- Ours: when the last Update with the totals was queued.
    sent_at     INTEGER,
    -- When the end was handled (the owner notified); NULL while it runs.
    ended_at    INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX polls_running ON polls (expires_at) WHERE ended_at IS NULL;
CREATE INDEX polls_changed ON polls (changed_at) WHERE changed_at IS NOT NULL;

-- The options of our polls, with their counted votes.
CREATE TABLE poll_options (
    post_id  INTEGER NOT NULL REFERENCES polls(post_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title    TEXT NOT NULL,
    votes    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, position)
) WITHOUT ROWID;

-- Votes: remote actors' in our polls (actor_id set), the owner's in others' (actor_id NULL).
-- One per voter per option.
CREATE TABLE poll_votes (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES polls(post_id) ON DELETE CASCADE,
    actor_id     INTEGER REFERENCES actors(id) ON DELETE CASCADE,
    choice       INTEGER NOT NULL,
    activity_uri TEXT,
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX poll_votes_once ON poll_votes (post_id, ifnull(actor_id, 0), choice);
