-- The whole product's schema. Times are INTEGER milliseconds since the epoch; our own ids are
-- time-sortable 64-bit integers (see store::new_id). Remote objects keep their raw JSON beside the
-- columns we query on.

-- Secrets and single values: the owner's key, rocket's secret key, the password hash, the set-up token.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE profile (
    id                          INTEGER PRIMARY KEY CHECK (id = 1),
    display_name                TEXT NOT NULL,
    bio_source                  TEXT NOT NULL DEFAULT '',
    bio_html                    TEXT NOT NULL DEFAULT '',
    avatar_media_id             INTEGER REFERENCES media(id) ON DELETE SET NULL,
    header_media_id             INTEGER REFERENCES media(id) ON DELETE SET NULL,
    fields_json                 TEXT NOT NULL DEFAULT '[]',
    manually_approves_followers INTEGER NOT NULL DEFAULT 0,
    discoverable                INTEGER NOT NULL DEFAULT 1,
    created_at                  INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL
);

-- The owner's posts.
CREATE TABLE posts (
    id                  INTEGER PRIMARY KEY,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER,
    visibility          TEXT NOT NULL CHECK (visibility IN ('public', 'unlisted', 'followers', 'direct')),
    source              TEXT NOT NULL,
    content_html        TEXT NOT NULL,
    summary             TEXT,
    sensitive           INTEGER NOT NULL DEFAULT 0,
    language            TEXT,
    in_reply_to_uri     TEXT,
    conversation        TEXT,
    pinned_at           INTEGER
);
CREATE INDEX posts_by_visibility ON posts (visibility, id);
CREATE INDEX posts_replying ON posts (in_reply_to_uri) WHERE in_reply_to_uri IS NOT NULL;
CREATE INDEX posts_pinned ON posts (pinned_at) WHERE pinned_at IS NOT NULL;

-- Earlier versions of edited posts, newest last.
CREATE TABLE post_edits (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    source       TEXT NOT NULL,
    content_html TEXT NOT NULL,
    summary      TEXT
);
CREATE INDEX post_edits_by_post ON post_edits (post_id, id);

CREATE TABLE post_tags (
    tag     TEXT NOT NULL COLLATE NOCASE,
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    PRIMARY KEY (tag, post_id)
) WITHOUT ROWID;
CREATE INDEX post_tags_by_post ON post_tags (post_id);

-- Actors a post mentions (their ids), for addressing and for the Mention tags.
CREATE TABLE post_mentions (
    post_id   INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    actor_uri TEXT NOT NULL,
    handle    TEXT NOT NULL,
    PRIMARY KEY (post_id, actor_uri)
) WITHOUT ROWID;

-- Stored images: attachments (post_id set once attached), avatars and headers.
CREATE TABLE media (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER REFERENCES posts(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL DEFAULT 0,
    mime         TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    blurhash     TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    data         BLOB NOT NULL,
    preview_mime TEXT,
    preview      BLOB,
    created_at   INTEGER NOT NULL
);
CREATE INDEX media_by_post ON media (post_id, position) WHERE post_id IS NOT NULL;

-- Remote accounts we have seen, with their keys.
CREATE TABLE actors (
    id             INTEGER PRIMARY KEY,
    uri            TEXT NOT NULL UNIQUE,
    domain         TEXT NOT NULL,
    username       TEXT NOT NULL,
    display_name   TEXT NOT NULL DEFAULT '',
    url            TEXT NOT NULL DEFAULT '',
    avatar_url     TEXT,
    inbox          TEXT NOT NULL,
    shared_inbox   TEXT,
    key_id         TEXT,
    public_key_pem TEXT,
    moved_to       TEXT,
    raw            TEXT NOT NULL,
    fetched_at     INTEGER NOT NULL,
    key_fetched_at INTEGER
);
CREATE INDEX actors_by_key ON actors (key_id);
CREATE INDEX actors_by_domain ON actors (domain);

-- Posts of others we keep: replies to us, mentions, posts of those we follow, boosted posts.
CREATE TABLE remote_posts (
    id              INTEGER PRIMARY KEY,
    uri             TEXT NOT NULL UNIQUE,
    actor_id        INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    url             TEXT,
    in_reply_to_uri TEXT,
    content_html    TEXT NOT NULL,
    summary         TEXT,
    sensitive       INTEGER NOT NULL DEFAULT 0,
    visibility      TEXT NOT NULL,
    published_at    INTEGER NOT NULL,
    updated_at      INTEGER,
    raw             TEXT NOT NULL,
    received_at     INTEGER NOT NULL
);
CREATE INDEX remote_posts_replying ON remote_posts (in_reply_to_uri) WHERE in_reply_to_uri IS NOT NULL;
CREATE INDEX remote_posts_by_actor ON remote_posts (actor_id, id);

-- Follows both ways: direction 'in' = they follow us, 'out' = we follow them.
CREATE TABLE follows (
    id           INTEGER PRIMARY KEY,
    actor_id     INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    state        TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    activity_uri TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (actor_id, direction)
);
CREATE INDEX follows_by_state ON follows (direction, state, id);

-- Likes and boosts, by others of our posts (actor_id set) and by the owner (actor_id NULL).
CREATE TABLE interactions (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('like', 'announce')),
    actor_id     INTEGER REFERENCES actors(id) ON DELETE CASCADE,
    object_uri   TEXT NOT NULL,
    activity_uri TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX interactions_once ON interactions (kind, ifnull(actor_id, 0), object_uri);
CREATE INDEX interactions_by_object ON interactions (object_uri, kind);

CREATE TABLE bookmarks (
    object_uri TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Blocks and mutes of accounts ('block', 'mute') and blocked domains.
CREATE TABLE actor_blocks (
    actor_id   INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('block', 'mute', 'blocked_by')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (actor_id, kind)
) WITHOUT ROWID;

CREATE TABLE domain_blocks (
    domain     TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE muted_words (
    word       TEXT PRIMARY KEY COLLATE NOCASE,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    actor_id    INTEGER REFERENCES actors(id) ON DELETE CASCADE,
    object_uri  TEXT,
    activity_uri TEXT,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
);
CREATE INDEX notifications_unread ON notifications (read_at, id);
CREATE UNIQUE INDEX notifications_once ON notifications (kind, activity_uri) WHERE activity_uri IS NOT NULL;

-- Outgoing activities, one body shared by all of its deliveries.
CREATE TABLE outbound_activities (
    id         INTEGER PRIMARY KEY,
    uri        TEXT NOT NULL UNIQUE,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- The durable delivery queue: one row per (activity, inbox).
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    activity_id     INTEGER NOT NULL REFERENCES outbound_activities(id) ON DELETE CASCADE,
    inbox           TEXT NOT NULL,
    host            TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    UNIQUE (activity_id, inbox)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at);

-- Per-host circuit breaker for deliveries.
CREATE TABLE hosts (
    host          TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL DEFAULT 0,
    failing_since INTEGER,
    retry_at      INTEGER
) WITHOUT ROWID;

-- Verified incoming activities, processed by the inbox worker. Rows stay after processing so a
-- replayed activity id is recognised.
CREATE TABLE inbound (
    id           INTEGER PRIMARY KEY,
    activity_uri TEXT NOT NULL UNIQUE,
    actor_uri    TEXT NOT NULL,
    body         TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    processed_at INTEGER,
    error        TEXT
);
CREATE INDEX inbound_pending ON inbound (processed_at, id);

-- Logged-in browsers. `token_hash` is SHA-256 of the cookie value: a stolen database holds no session.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- Failed logins, for rate limiting per address.
CREATE TABLE login_failures (
    id         INTEGER PRIMARY KEY,
    address    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX login_failures_by_address ON login_failures (address, created_at);
