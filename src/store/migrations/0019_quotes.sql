-- Quote posts with consent (FEP-044f, as Mastodon 4.5 does them).
--
-- `quotes`: a post (ours or someone else's) that quotes another, and whether the quoted post's
-- author consented: 'pending' (asked, no answer yet), 'accepted' (a verified QuoteAuthorization),
-- 'rejected' (refused, or an authorization that did not verify), 'revoked' (the authorization was
-- deleted), 'legacy' (a Misskey/Akkoma quote, which asks nobody).
CREATE TABLE quotes (
    post_uri          TEXT PRIMARY KEY,
    -- The quoting post's id in `posts` when it is the owner's.
    own_post_id       INTEGER REFERENCES posts(id) ON DELETE CASCADE,
    quoted_uri        TEXT NOT NULL,
    -- The quoted post's id in `posts` when it is the owner's.
    quoted_post_id    INTEGER REFERENCES posts(id) ON DELETE SET NULL,
    authorization_uri TEXT,
    -- Our QuoteRequest's id, when the owner is the one quoting.
    request_uri       TEXT,
    state             TEXT NOT NULL
                      CHECK (state IN ('pending', 'accepted', 'rejected', 'revoked', 'legacy')),
    created_at        INTEGER NOT NULL
);
CREATE INDEX quotes_by_own_post ON quotes (own_post_id) WHERE own_post_id IS NOT NULL;
CREATE INDEX quotes_of_post ON quotes (quoted_post_id) WHERE quoted_post_id IS NOT NULL;
CREATE INDEX quotes_by_authorization ON quotes (authorization_uri)
    WHERE authorization_uri IS NOT NULL;
CREATE INDEX quotes_by_request ON quotes (request_uri) WHERE request_uri IS NOT NULL;

-- The QuoteAuthorizations we granted for quotes of the owner's posts; each is served at its own
-- URL until revoked.
CREATE TABLE quote_authorizations (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    quoting_uri  TEXT NOT NULL UNIQUE,
    actor_id     INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX quote_authorizations_by_post ON quote_authorizations (post_id);

-- Who may quote each of the owner's posts: 'public' (everyone), 'followers', 'nobody' (only me).
ALTER TABLE posts ADD COLUMN quote_policy TEXT NOT NULL DEFAULT 'public';

-- The owner's quotes are part of the Note documents the web keeps (`quote`, `quoteAuthorization`).
CREATE TRIGGER quotes_changed_insert AFTER INSERT ON quotes WHEN NEW.own_post_id IS NOT NULL BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER quotes_changed_update AFTER UPDATE ON quotes WHEN NEW.own_post_id IS NOT NULL BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER quotes_changed_delete AFTER DELETE ON quotes WHEN OLD.own_post_id IS NOT NULL BEGIN
    UPDATE counters SET documents = documents + 1;
END;
