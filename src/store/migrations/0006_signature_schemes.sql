-- Which HTTP signature each host takes (draft-cavage or RFC 9421), learned by the double knock
-- and from how the host signs to us; entries older than a week are not trusted.
CREATE TABLE signature_schemes (
    host TEXT PRIMARY KEY,
    scheme TEXT NOT NULL,
    learned_at INTEGER NOT NULL
);
