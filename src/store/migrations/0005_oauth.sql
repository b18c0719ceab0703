-- The Mastodon client API's OAuth 2: registered apps, authorization codes and access tokens.
-- Secrets, codes and tokens are stored as SHA-256 hashes only.
CREATE TABLE oauth_apps (
    id INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    website TEXT,
    -- One URI per line, as registered.
    redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE oauth_codes (
    code_hash TEXT PRIMARY KEY,
    app_id INTEGER NOT NULL REFERENCES oauth_apps(id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    -- PKCE (S256) challenge, when the app sent one.
    code_challenge TEXT,
    expires_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE oauth_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    refresh_hash TEXT UNIQUE,
    app_id INTEGER NOT NULL REFERENCES oauth_apps(id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    -- 1: acts for the owner; 0: the app itself (client_credentials).
    for_owner INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX oauth_tokens_app ON oauth_tokens(app_id);
