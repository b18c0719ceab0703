-- Web Push subscriptions (issue 14 item 8): one per access token, as on Mastodon. The queue is
-- the notifications table itself: each subscription keeps how far it has sent
-- (`sent_through`), so a crash resends at most the notification in flight.
CREATE TABLE push_subscriptions (
    id INTEGER PRIMARY KEY,
    token_id INTEGER NOT NULL UNIQUE REFERENCES oauth_tokens(id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    -- The subscriber's P-256 key and auth secret (raw bytes); never logged.
    p256dh BLOB NOT NULL,
    auth BLOB NOT NULL,
    -- JSON object of Mastodon's alert types to booleans.
    alerts TEXT NOT NULL,
    policy TEXT NOT NULL DEFAULT 'all',
    sent_through INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL
);
