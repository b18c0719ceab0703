-- The client API's accounts: the owner's bot flag, private notes on accounts, how long a mute
-- lasts, and whether a follow shows the account's boosts and notifies of its posts.

ALTER TABLE profile ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;

-- NULL: until lifted.
ALTER TABLE actor_blocks ADD COLUMN expires_at INTEGER;

CREATE TABLE account_notes (
    actor_id   INTEGER PRIMARY KEY REFERENCES actors(id) ON DELETE CASCADE,
    note       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Only follows made with other than Mastodon's defaults (reblogs on, notify off) have a row.
CREATE TABLE follow_options (
    actor_id INTEGER PRIMARY KEY REFERENCES actors(id) ON DELETE CASCADE,
    reblogs  INTEGER NOT NULL DEFAULT 1,
    notify   INTEGER NOT NULL DEFAULT 0
);
