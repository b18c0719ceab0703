-- The inbound side of federation: what the inbox worker needs beyond the initial schema.

-- Inbound rows that failed for a passing reason (the network) wait until this time.
ALTER TABLE inbound ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX inbound_due ON inbound (next_attempt_at, id) WHERE processed_at IS NULL;

-- What a remote profile shows, already capped and sanitised (the raw document stays in `raw`).
ALTER TABLE actors ADD COLUMN kind TEXT NOT NULL DEFAULT 'Person';
ALTER TABLE actors ADD COLUMN summary_html TEXT NOT NULL DEFAULT '';
ALTER TABLE actors ADD COLUMN fields_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE actors ADD COLUMN header_url TEXT;
ALTER TABLE actors ADD COLUMN followers_uri TEXT;
ALTER TABLE actors ADD COLUMN manually_approves_followers INTEGER NOT NULL DEFAULT 0;

-- The Block activity behind a 'blocked_by' row, so that only its own Undo lifts it.
ALTER TABLE actor_blocks ADD COLUMN activity_uri TEXT;

-- Text that comes with a notification: the comment of a report.
ALTER TABLE notifications ADD COLUMN content TEXT;
