-- Posts brought in from a Mastodon archive, by the archive's object id: importing the same
-- archive again adds nothing (issue 12, item 5).
CREATE TABLE archive_posts (
    object_uri TEXT PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX archive_posts_by_post ON archive_posts (post_id);
