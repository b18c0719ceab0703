-- The alt texts of the images each earlier version of a post had (a JSON array of strings),
-- so the edit history shows image changes too. Versions from before this keep '[]'.
ALTER TABLE post_edits ADD COLUMN media TEXT NOT NULL DEFAULT '[]';
