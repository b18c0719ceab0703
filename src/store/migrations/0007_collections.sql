-- Our Notes carry their like and boost counts (`likes`, `shares`), so a like or boost by
-- someone else moves the `documents` counter the kept copies are checked against.
CREATE TRIGGER interactions_documents_insert AFTER INSERT ON interactions
WHEN NEW.actor_id IS NOT NULL BEGIN
    UPDATE counters SET documents = documents + 1;
END;

CREATE TRIGGER interactions_documents_delete AFTER DELETE ON interactions
WHEN OLD.actor_id IS NOT NULL BEGIN
    UPDATE counters SET documents = documents + 1;
END;
