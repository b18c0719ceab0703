//! Remote actors we have seen, their public keys, and the blocks that concern them (accounts and
//! whole domains). Values arrive here already capped and sanitised by `domain::actors`.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{Actor, NewActor, Timestamp};

use super::new_id;

/// A cached public key and whose it is.
#[derive(Clone, Debug)]
pub struct StoredKey {
    pub actor_id: i64,
    pub actor_uri: String,
    pub pem: String,
    pub key_fetched_at: Option<Timestamp>,
}

/// Inserts or refreshes an actor by its id (URI); returns its row id. A document without a usable
/// key leaves the cached key in place (a failed verification refetches it anyway).
pub fn upsert(conn: &Connection, actor: &NewActor, now: Timestamp) -> rusqlite::Result<i64> {
    let (key_id, pem) = match &actor.key {
        Some((id, pem)) => (Some(id.as_str()), Some(pem.as_str())),
        None => (None, None),
    };
    if let Some(key_id) = key_id {
        // A key id names one actor: the one whose document was fetched last proved it.
        conn.execute(
            "UPDATE actors SET key_id = NULL, public_key_pem = NULL WHERE key_id = ?1 AND uri <> ?2",
            params![key_id, actor.uri],
        )?;
    }
    let fields = serde_json::to_string(&actor.fields).unwrap_or_else(|_| "[]".into());
    let ed25519_keys = serde_json::to_string(&actor.ed25519_keys).unwrap_or_else(|_| "[]".into());
    conn.cached_row(
        "INSERT INTO actors (id, uri, kind, domain, username, display_name, summary_html, fields_json,
                url, avatar_url, header_url, inbox, shared_inbox, followers_uri,
                manually_approves_followers, key_id, public_key_pem, moved_to, raw, fetched_at,
                key_fetched_at, ed25519_keys)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20, CASE WHEN ?16 IS NULL THEN NULL ELSE ?20 END, ?21)
         ON CONFLICT (uri) DO UPDATE SET
                kind = excluded.kind, domain = excluded.domain, username = excluded.username,
                display_name = excluded.display_name, summary_html = excluded.summary_html,
                fields_json = excluded.fields_json, url = excluded.url,
                avatar_url = excluded.avatar_url, header_url = excluded.header_url,
                inbox = excluded.inbox, shared_inbox = excluded.shared_inbox,
                followers_uri = excluded.followers_uri,
                manually_approves_followers = excluded.manually_approves_followers,
                key_id = coalesce(excluded.key_id, actors.key_id),
                public_key_pem = coalesce(excluded.public_key_pem, actors.public_key_pem),
                moved_to = coalesce(excluded.moved_to, actors.moved_to),
                raw = excluded.raw, fetched_at = excluded.fetched_at,
                key_fetched_at = coalesce(excluded.key_fetched_at, actors.key_fetched_at),
                ed25519_keys = excluded.ed25519_keys
         RETURNING id",
        params![
            new_id(now),
            actor.uri,
            actor.kind,
            actor.domain,
            actor.username,
            actor.display_name,
            actor.summary_html,
            fields,
            actor.url,
            actor.avatar_url,
            actor.header_url,
            actor.inbox,
            actor.shared_inbox,
            actor.followers_uri,
            actor.manually_approves_followers,
            key_id,
            pem,
            actor.moved_to,
            actor.raw,
            now.0,
            ed25519_keys,
        ],
        |row| row.get(0),
    )
}

pub(crate) const COLUMNS: &str = "actors.id, actors.uri, actors.kind, actors.username, \
     actors.domain, actors.display_name, actors.summary_html, actors.fields_json, actors.url, \
     actors.avatar_url, actors.header_url, actors.inbox, actors.shared_inbox, actors.followers_uri, \
     actors.manually_approves_followers, actors.moved_to";

/// Reads [`COLUMNS`] starting at column `at`.
pub(crate) fn from_row(row: &Row, at: usize) -> rusqlite::Result<Actor> {
    let fields: String = row.get(at + 7)?;
    Ok(Actor {
        id: row.get(at)?,
        uri: row.get(at + 1)?,
        kind: row.get(at + 2)?,
        username: row.get(at + 3)?,
        domain: row.get(at + 4)?,
        display_name: row.get(at + 5)?,
        summary_html: row.get(at + 6)?,
        fields: serde_json::from_str(&fields).unwrap_or_default(),
        url: row.get(at + 8)?,
        avatar_url: row.get(at + 9)?,
        header_url: row.get(at + 10)?,
        inbox: row.get(at + 11)?,
        shared_inbox: row.get(at + 12)?,
        followers_uri: row.get(at + 13)?,
        manually_approves_followers: row.get(at + 14)?,
        moved_to: row.get(at + 15)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Actor>> {
    conn.cached_row(
        &format!("SELECT {COLUMNS} FROM actors WHERE id = ?1"),
        [id],
        |row| from_row(row, 0),
    )
    .optional()
}

pub fn get_by_uri(conn: &Connection, uri: &str) -> rusqlite::Result<Option<Actor>> {
    conn.cached_row(
        &format!("SELECT {COLUMNS} FROM actors WHERE uri = ?1"),
        [uri],
        |row| from_row(row, 0),
    )
    .optional()
}

/// The actor and when its document was last fetched.
pub fn get_with_age(conn: &Connection, uri: &str) -> rusqlite::Result<Option<(Actor, Timestamp)>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, actors.fetched_at FROM actors WHERE uri = ?1"
    ))?
    .query_row([uri], |row| {
        Ok((from_row(row, 0)?, Timestamp(row.get(16)?)))
    })
    .optional()
}

/// The cached key named `key_id`, with its owner.
pub fn key_by_id(conn: &Connection, key_id: &str) -> rusqlite::Result<Option<StoredKey>> {
    conn.prepare_cached(
        "SELECT id, uri, public_key_pem, key_fetched_at FROM actors
         WHERE key_id = ?1 AND public_key_pem IS NOT NULL",
    )?
    .query_row([key_id], |row| {
        Ok(StoredKey {
            actor_id: row.get(0)?,
            actor_uri: row.get(1)?,
            pem: row.get(2)?,
            key_fetched_at: row.get::<_, Option<i64>>(3)?.map(Timestamp),
        })
    })
    .optional()
}

/// An actor's Ed25519 `assertionMethod` keys, as its document last listed them.
#[derive(Clone, Debug)]
pub struct StoredMultikeys {
    pub actor_id: i64,
    /// `(key id, publicKeyMultibase)`.
    pub keys: Vec<(String, String)>,
    /// When the actor's document was last fetched.
    pub fetched_at: Timestamp,
}

/// The Ed25519 keys of the actor `uri`, if we know the actor.
pub fn ed25519_keys(conn: &Connection, uri: &str) -> rusqlite::Result<Option<StoredMultikeys>> {
    conn.cached_row(
        "SELECT id, ed25519_keys, fetched_at FROM actors WHERE uri = ?1",
        [uri],
        |row| {
            let keys: String = row.get(1)?;
            Ok(StoredMultikeys {
                actor_id: row.get(0)?,
                keys: serde_json::from_str(&keys).unwrap_or_default(),
                fetched_at: Timestamp(row.get(2)?),
            })
        },
    )
    .optional()
}

/// The raw document we keep for an actor (capped), for checks such as `alsoKnownAs`.
pub fn raw(conn: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    conn.cached_row("SELECT raw FROM actors WHERE id = ?1", [id], |row| {
        row.get(0)
    })
    .optional()
}

pub fn set_moved_to(conn: &Connection, id: i64, target: &str) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE actors SET moved_to = ?2 WHERE id = ?1",
        params![id, target],
    )?;
    Ok(changed == 1)
}

/// Removes an actor and, by cascade, everything we keep of them: follows, posts, likes and
/// boosts, notifications, blocks.
pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM actors WHERE id = ?1", [id])? == 1)
}

/// Records that this actor blocked us, by the Block activity `activity_uri`.
pub fn set_blocked_by(
    conn: &Connection,
    actor_id: i64,
    activity_uri: &str,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO actor_blocks (actor_id, kind, created_at, activity_uri)
         VALUES (?1, 'blocked_by', ?2, ?3)
         ON CONFLICT (actor_id, kind) DO UPDATE SET activity_uri = excluded.activity_uri",
        params![actor_id, now.0, activity_uri],
    )?;
    Ok(())
}

/// Lifts a 'blocked_by' row, only for the Block activity that made it.
pub fn remove_blocked_by(
    conn: &Connection,
    actor_id: i64,
    activity_uri: &str,
) -> rusqlite::Result<bool> {
    let removed = conn.execute(
        "DELETE FROM actor_blocks WHERE actor_id = ?1 AND kind = 'blocked_by' AND activity_uri = ?2",
        params![actor_id, activity_uri],
    )?;
    Ok(removed == 1)
}

pub fn is_blocked_by(conn: &Connection, actor_id: i64) -> rusqlite::Result<bool> {
    conn.cached_row(
        "SELECT EXISTS (SELECT 1 FROM actor_blocks WHERE actor_id = ?1 AND kind = 'blocked_by')",
        [actor_id],
        |row| row.get(0),
    )
}

/// Whether `host` (a host name, with or without `:port`) or a domain above it is blocked.
pub fn is_domain_blocked(conn: &Connection, host: &str) -> rusqlite::Result<bool> {
    let host = host_without_port(host).to_ascii_lowercase();
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM domain_blocks
                        WHERE domain = ?1
                           OR (length(?1) > length(domain)
                               AND substr(?1, -length(domain) - 1) = '.' || domain))",
    )?
    .query_row([host], |row| row.get(0))
}

/// `example.com` from `example.com:8443`; IPv6 literals keep their brackets.
fn host_without_port(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority.split_inclusive(']').next().unwrap_or(authority);
    }
    authority.split(':').next().unwrap_or(authority)
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::store::testing;

    /// A plain stored actor on `host`, for tests in every store module.
    pub fn sample(name: &str, host: &str) -> NewActor {
        let uri = format!("https://{host}/users/{name}");
        NewActor {
            uri: uri.clone(),
            kind: "Person".into(),
            username: name.into(),
            domain: host.into(),
            display_name: name.to_uppercase(),
            summary_html: String::new(),
            fields: vec![],
            url: uri.clone(),
            avatar_url: None,
            header_url: None,
            inbox: format!("{uri}/inbox"),
            shared_inbox: Some(format!("https://{host}/inbox")),
            followers_uri: Some(format!("{uri}/followers")),
            manually_approves_followers: false,
            moved_to: None,
            key: Some((format!("{uri}#main-key"), "PEM".into())),
            ed25519_keys: Vec::new(),
            raw: "{}".into(),
        }
    }

    #[test]
    fn upsert_keeps_one_row_and_one_owner_per_key() {
        let (_dir, conn) = testing::temporary();
        let alice = sample("alice", "a.example");
        let id = upsert(&conn, &alice, Timestamp(1)).unwrap();
        let mut changed = alice.clone();
        changed.display_name = "Alice".into();
        assert_eq!(upsert(&conn, &changed, Timestamp(2)).unwrap(), id);
        let stored = get_by_uri(&conn, &alice.uri).unwrap().unwrap();
        assert_eq!(stored.display_name, "Alice");
        let key = key_by_id(&conn, "https://a.example/users/alice#main-key")
            .unwrap()
            .unwrap();
        assert_eq!((key.actor_id, key.key_fetched_at), (id, Some(Timestamp(2))));

        // Another actor proving the same key id takes it over.
        let mut other = sample("mallory", "a.example");
        other.key = alice.key.clone();
        let other_id = upsert(&conn, &other, Timestamp(3)).unwrap();
        let key = key_by_id(&conn, "https://a.example/users/alice#main-key")
            .unwrap()
            .unwrap();
        assert_eq!(key.actor_id, other_id);
    }

    #[test]
    fn moved_to_survives_a_refresh_without_it() {
        let (_dir, conn) = testing::temporary();
        let alice = sample("alice", "a.example");
        let id = upsert(&conn, &alice, Timestamp(1)).unwrap();
        set_moved_to(&conn, id, "https://b.example/users/alice").unwrap();
        upsert(&conn, &alice, Timestamp(2)).unwrap();
        let stored = get(&conn, id).unwrap().unwrap();
        assert_eq!(
            stored.moved_to.as_deref(),
            Some("https://b.example/users/alice")
        );
    }

    #[test]
    fn domain_blocks_cover_subdomains_and_ports() {
        let (_dir, conn) = testing::temporary();
        conn.execute(
            "INSERT INTO domain_blocks (domain, created_at) VALUES ('evil.example', 0)",
            [],
        )
        .unwrap();
        assert!(is_domain_blocked(&conn, "evil.example").unwrap());
        assert!(is_domain_blocked(&conn, "EVIL.example:8443").unwrap());
        assert!(is_domain_blocked(&conn, "social.evil.example").unwrap());
        assert!(!is_domain_blocked(&conn, "notevil.example").unwrap());
        assert!(!is_domain_blocked(&conn, "[::1]:80").unwrap());
    }

    #[test]
    fn blocked_by_is_lifted_only_by_its_own_undo() {
        let (_dir, conn) = testing::temporary();
        let id = upsert(&conn, &sample("alice", "a.example"), Timestamp(1)).unwrap();
        set_blocked_by(&conn, id, "https://a.example/block/1", Timestamp(1)).unwrap();
        assert!(!remove_blocked_by(&conn, id, "https://a.example/block/0").unwrap());
        assert!(is_blocked_by(&conn, id).unwrap());
        assert!(remove_blocked_by(&conn, id, "https://a.example/block/1").unwrap());
        assert!(!is_blocked_by(&conn, id).unwrap());
        assert!(delete(&conn, id).unwrap());
        assert!(get(&conn, id).unwrap().is_none());
    }
}
