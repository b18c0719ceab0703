//! Filling the database through Perch's own store functions, in batched transactions: far faster
//! than the CLI, and the rows are exactly what Perch itself writes.

use std::path::Path;

use perch::model::NewActor;
use perch::model::{FollowState, Timestamp, Visibility};
use perch::store::follows::{self, Direction};
use perch::store::posts::{self, NewPost};
use perch::text;
use perch::urls::Urls;

/// Rows per transaction: big enough to amortise the commit, small enough to keep the WAL small.
const BATCH: usize = 5_000;

/// A few post texts of realistic shape: Markdown, links, hashtags, a code span.
const SOURCES: [&str; 4] = [
    "Spent the morning fixing the **bike**; the chain was *rusty* again. #cycling #weekend",
    "A short thought about [federation](https://example.org/federation): small servers \
     are the point, not a compromise. #fediverse",
    "Reading notes, chapter 3:\n\n- the queue lives in `SQLite`\n- nothing is lost on a crash\n\n\
     More tomorrow. #reading",
    "Sunset over the harbour tonight. Nothing else to report, and that is fine.",
];

pub fn open(database: &Path) -> rusqlite::Connection {
    perch::store::open(database, false).expect("open the bench database")
}

/// Adds `count` public posts numbered from `start_index`; returns the newest post's id.
pub fn posts(database: &Path, urls: &Urls, count: usize, start_index: usize) -> i64 {
    let rendered: Vec<_> = SOURCES
        .iter()
        .map(|s| text::render_markdown(s, &|tag| urls.tag(&tag.to_lowercase())))
        .collect();
    let mut conn = open(database);
    let now = Timestamp::now().0;
    let mut newest = 0;
    let mut done = 0;
    while done < count {
        let chunk = BATCH.min(count - done);
        perch::store::write(&mut conn, |tx| {
            for i in done..done + chunk {
                // A minute apart, the last inserted the newest (up to a million posts).
                let n = start_index + i;
                let at = Timestamp(now - 60_000 * (1_000_000 - n as i64));
                let id = perch::store::new_id(at);
                newest = newest.max(id);
                let r = &rendered[n % rendered.len()];
                posts::insert(
                    tx,
                    &NewPost {
                        id,
                        visibility: Visibility::Public,
                        source: SOURCES[n % SOURCES.len()],
                        content_html: &r.html,
                        summary: None,
                        sensitive: false,
                        in_reply_to: None,
                        tags: &r.hashtags,
                        mentions: &[],
                    },
                    at,
                )?;
            }
            Ok::<_, rusqlite::Error>(())
        })
        .expect("insert posts");
        done += chunk;
    }
    newest
}

/// A remote actor at `origin`, as `domain::actors` would store it (without a key unless given).
pub fn actor(origin: &str, name: &str, key: Option<(String, String)>) -> NewActor {
    let uri = format!("{origin}/users/{name}");
    let domain = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin);
    NewActor {
        uri: uri.clone(),
        kind: "Person".into(),
        username: name.into(),
        domain: domain.into(),
        display_name: name.to_uppercase(),
        summary_html: String::new(),
        fields: vec![],
        url: uri.clone(),
        avatar_url: None,
        header_url: None,
        inbox: format!("{uri}/inbox"),
        shared_inbox: Some(format!("{origin}/inbox")),
        followers_uri: Some(format!("{uri}/followers")),
        manually_approves_followers: false,
        moved_to: None,
        key,
        ed25519_keys: Vec::new(),
        raw: "{}".into(),
    }
}

/// Records follows with the given actors, accepted, in `direction`.
pub fn follows(database: &Path, actors: &[NewActor], direction: Direction) {
    let mut conn = open(database);
    let now = Timestamp::now();
    for chunk in actors.chunks(BATCH) {
        perch::store::write(&mut conn, |tx| {
            for actor in chunk {
                let id = perch::store::actors::upsert(tx, actor, now)?;
                let activity = format!("{}#follows/{}", actor.uri, direction.as_str());
                follows::upsert(tx, id, direction, FollowState::Accepted, &activity, now)?;
            }
            Ok::<_, rusqlite::Error>(())
        })
        .expect("insert follows");
    }
}

/// `count` notifications (likes of our newest post, by one remote account), for the API's list.
pub fn notifications(database: &Path, urls: &Urls, newest_post: i64, count: usize) {
    let conn = open(database);
    let now = Timestamp::now();
    let liker = perch::store::actors::upsert(&conn, &actor("http://127.0.0.1:9", "fan", None), now)
        .expect("insert the liker");
    let object = urls.post(newest_post);
    for i in 0..count {
        perch::store::notifications::insert(
            &conn,
            perch::model::NotificationKind::Like,
            Some(liker),
            Some(&object),
            Some(&format!("http://127.0.0.1:9/likes/{i}")),
            None,
            Timestamp(now.0 - (count - i) as i64),
        )
        .expect("insert a notification");
    }
}
