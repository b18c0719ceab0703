-- Conversations (issue 14 item 6): threads of direct messages, found from the posts themselves;
-- this keeps only what the owner did to one, by the id of the thread's first message we hold.
CREATE TABLE conversation_marks (
    root_id INTEGER PRIMARY KEY,
    -- When the owner read it (ms): unread when a message from someone else arrived since.
    read_at INTEGER NOT NULL DEFAULT 0,
    -- When the owner took it off the list (ms); a message arriving since brings it back.
    removed_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX remote_posts_direct ON remote_posts (id) WHERE visibility = 'direct';
