-- Web Push secrets at rest (issue 14): p256dh and auth are sealed with the key file beside the
-- database, and the app's bearer token is kept (sealed) for the payload's access_token. SQL
-- cannot read that key, so rows from before are sealed by `perch serve` on start (`sealed` = 0
-- until then).
ALTER TABLE push_subscriptions ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE push_subscriptions ADD COLUMN access_token BLOB;
