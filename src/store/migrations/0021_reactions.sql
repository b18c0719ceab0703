-- Emoji reactions (issue 15 item 5): incoming EmojiReact and Misskey's Like with a reaction, to
-- our posts (actor set), and the owner's own reactions to anyone's posts (actor absent).
-- `content` is one unicode emoji or a `:shortcode:`; `emoji_url` is the remote image a custom
-- emoji's `Emoji` tag named (kept for the emoji cache; never shown to visitors directly).
CREATE TABLE reactions (
    id           INTEGER PRIMARY KEY,
    actor_id     INTEGER REFERENCES actors(id) ON DELETE CASCADE,
    object_uri   TEXT NOT NULL,
    content      TEXT NOT NULL,
    emoji_url    TEXT,
    -- The owner's: what went to the author's server ('EmojiReact' or 'Like'), for its Undo.
    sent_as      TEXT,
    activity_uri TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX reactions_once ON reactions (ifnull(actor_id, 0), object_uri, content);
CREATE INDEX reactions_by_object ON reactions (object_uri);

-- What software a host runs, from its NodeInfo (`software` empty when it had none we could
-- read): whether the owner's reaction goes out as an EmojiReact or as a plain Like.
CREATE TABLE peer_software (
    host       TEXT PRIMARY KEY,
    software   TEXT NOT NULL,
    checked_at INTEGER NOT NULL
);
