-- Counts the profile page and the collections show, kept by triggers so that reading them costs
-- the same at 100 posts as at 100,000 (Mastodon's account_stats), and `documents`: a number that
-- moves with every change to what the actor and post documents and the profile page are built
-- from (posts, their tags, mentions and media, the profile, the counts), so that copies of them
-- kept in memory (web::cache) can be checked cheaply, also against the CLI's writes.
CREATE TABLE counters (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    posts        INTEGER NOT NULL,
    public_posts INTEGER NOT NULL,  -- public and unlisted: what anyone may read
    followers    INTEGER NOT NULL,  -- accepted follows in
    following    INTEGER NOT NULL,  -- accepted follows out
    documents    INTEGER NOT NULL
);

INSERT INTO counters (id, posts, public_posts, followers, following, documents) VALUES (
    1,
    (SELECT count(*) FROM posts),
    (SELECT count(*) FROM posts WHERE visibility IN ('public', 'unlisted')),
    (SELECT count(*) FROM follows WHERE direction = 'in' AND state = 'accepted'),
    (SELECT count(*) FROM follows WHERE direction = 'out' AND state = 'accepted'),
    0
);

CREATE TRIGGER posts_counted_insert AFTER INSERT ON posts BEGIN
    UPDATE counters SET posts = posts + 1,
                        public_posts = public_posts + (NEW.visibility IN ('public', 'unlisted')),
                        documents = documents + 1;
END;

CREATE TRIGGER posts_counted_delete AFTER DELETE ON posts BEGIN
    UPDATE counters SET posts = posts - 1,
                        public_posts = public_posts - (OLD.visibility IN ('public', 'unlisted')),
                        documents = documents + 1;
END;

CREATE TRIGGER posts_counted_update AFTER UPDATE ON posts BEGIN
    UPDATE counters SET public_posts = public_posts - (OLD.visibility IN ('public', 'unlisted'))
                                                    + (NEW.visibility IN ('public', 'unlisted')),
                        documents = documents + 1;
END;

CREATE TRIGGER follows_counted_insert AFTER INSERT ON follows WHEN NEW.state = 'accepted' BEGIN
    UPDATE counters SET followers = followers + (NEW.direction = 'in'),
                        following = following + (NEW.direction = 'out'),
                        documents = documents + 1;
END;

CREATE TRIGGER follows_counted_delete AFTER DELETE ON follows WHEN OLD.state = 'accepted' BEGIN
    UPDATE counters SET followers = followers - (OLD.direction = 'in'),
                        following = following - (OLD.direction = 'out'),
                        documents = documents + 1;
END;

CREATE TRIGGER follows_counted_update AFTER UPDATE ON follows
WHEN (OLD.state = 'accepted') != (NEW.state = 'accepted') OR OLD.direction != NEW.direction BEGIN
    UPDATE counters SET
        followers = followers - (OLD.state = 'accepted' AND OLD.direction = 'in')
                              + (NEW.state = 'accepted' AND NEW.direction = 'in'),
        following = following - (OLD.state = 'accepted' AND OLD.direction = 'out')
                              + (NEW.state = 'accepted' AND NEW.direction = 'out'),
        documents = documents + 1;
END;

-- Everything else a cached document is built from: a post's tags, mentions and media, and the
-- profile with its pictures.
CREATE TRIGGER post_tags_changed_insert AFTER INSERT ON post_tags BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER post_tags_changed_update AFTER UPDATE ON post_tags BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER post_tags_changed_delete AFTER DELETE ON post_tags BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER post_mentions_changed_insert AFTER INSERT ON post_mentions BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER post_mentions_changed_update AFTER UPDATE ON post_mentions BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER post_mentions_changed_delete AFTER DELETE ON post_mentions BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER media_changed_insert AFTER INSERT ON media BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER media_changed_update AFTER UPDATE ON media BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER media_changed_delete AFTER DELETE ON media BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER profile_changed_insert AFTER INSERT ON profile BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER profile_changed_update AFTER UPDATE ON profile BEGIN
    UPDATE counters SET documents = documents + 1;
END;
CREATE TRIGGER profile_changed_delete AFTER DELETE ON profile BEGIN
    UPDATE counters SET documents = documents + 1;
END;
