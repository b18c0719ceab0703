-- The client API's lists (a timeline of chosen accounts) and the tags the owner follows.

CREATE TABLE lists (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    replies_policy TEXT NOT NULL DEFAULT 'list',
    exclusive      INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);

CREATE TABLE list_members (
    list_id  INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    PRIMARY KEY (list_id, actor_id)
);
CREATE INDEX list_members_by_actor ON list_members (actor_id);

CREATE TABLE followed_tags (
    tag        TEXT PRIMARY KEY COLLATE NOCASE,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
