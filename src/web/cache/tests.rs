use super::*;
use crate::domain::posts as post_rules;
use crate::model::{Timestamp, Visibility};
use crate::store::{self, posts, profile};

fn add(conn: &Connection, id: i64, visibility: Visibility, html: &str) {
    posts::insert(
        conn,
        &posts::NewPost {
            id,
            visibility,
            source: html,
            content_html: html,
            summary: None,
            sensitive: false,
            in_reply_to: None,
            tags: &[],
            mentions: &[],
        },
        Timestamp(id),
    )
    .unwrap();
}

/// What the Note handler keeps: the post's HTML, only when anyone may read it.
fn note(conn: &Connection, id: i64) -> Result<String> {
    Ok(post_rules::get_visible(conn, id, false)?.content_html)
}

/// A server's cache and pool, and a second connection standing in for the CLI.
fn setup() -> (tempfile::TempDir, Documents, store::Db, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.db");
    let db = store::Db::open(&path).unwrap();
    let documents = Documents::open(&path).unwrap();
    let cli = store::open(&path, false).unwrap();
    (dir, documents, db, cli)
}

fn serve(documents: &Documents, db: &store::Db, id: i64) -> Result<Arc<str>> {
    if let Some(body) = documents.fresh(Key::Note(id)) {
        return Ok(body);
    }
    documents.build(&mut db.get().unwrap(), Key::Note(id), |conn| note(conn, id))
}

#[test]
fn a_kept_post_is_served_until_another_connection_edits_or_deletes_it() {
    let (_dir, documents, db, cli) = setup();
    add(&cli, 1, Visibility::Public, "first");
    assert!(documents.fresh(Key::Note(1)).is_none());
    assert_eq!(&*serve(&documents, &db, 1).unwrap(), "first");
    assert_eq!(
        documents.fresh(Key::Note(1)).as_deref(),
        Some("first"),
        "kept"
    );

    // Edited from another connection (the CLI, another process): not served from memory.
    let edit = posts::PostEdit {
        source: "second",
        content_html: "second",
        summary: None,
        sensitive: false,
        tags: &[],
        mentions: &[],
    };
    assert!(posts::edit(&cli, 1, &edit, Timestamp(5)).unwrap());
    assert!(documents.fresh(Key::Note(1)).is_none());
    assert_eq!(&*serve(&documents, &db, 1).unwrap(), "second");

    // Deleted: gone at once, and not kept as anything.
    assert!(posts::delete(&cli, 1).unwrap());
    assert!(documents.fresh(Key::Note(1)).is_none());
    assert_eq!(serve(&documents, &db, 1).unwrap_err().status, 404);
    assert!(documents.fresh(Key::Note(1)).is_none());
}

#[test]
fn posts_not_for_everyone_are_never_kept() {
    let (_dir, documents, db, cli) = setup();
    add(&cli, 1, Visibility::Followers, "followers");
    add(&cli, 2, Visibility::Direct, "direct");
    add(&cli, 3, Visibility::Unlisted, "unlisted");
    for id in [1, 2] {
        assert_eq!(serve(&documents, &db, id).unwrap_err().status, 404);
        assert!(documents.fresh(Key::Note(id)).is_none());
    }
    assert_eq!(&*serve(&documents, &db, 3).unwrap(), "unlisted");
    // Made followers-only behind the server's back: no longer served.
    cli.execute("UPDATE posts SET visibility = 'followers' WHERE id = 3", [])
        .unwrap();
    assert!(documents.fresh(Key::Note(3)).is_none());
    assert_eq!(serve(&documents, &db, 3).unwrap_err().status, 404);
}

#[test]
fn any_change_to_what_documents_show_drops_every_copy_and_other_writes_do_not() {
    let (_dir, documents, db, cli) = setup();
    add(&cli, 1, Visibility::Public, "one");
    add(&cli, 2, Visibility::Public, "two");
    serve(&documents, &db, 1).unwrap();
    serve(&documents, &db, 2).unwrap();
    // A write elsewhere (a session, a delivery) leaves the copies served.
    store::settings::set(&cli, "probe", b"x").unwrap();
    assert!(documents.fresh(Key::Note(1)).is_some());
    // The profile changes: the actor and every page may show it.
    profile::create_if_missing(&cli, "Me", Timestamp(1)).unwrap();
    cli.execute("UPDATE profile SET display_name = 'You'", [])
        .unwrap();
    assert!(documents.fresh(Key::Note(1)).is_none());
    assert!(documents.fresh(Key::Note(2)).is_none());
    // A change made through the server's own pool is seen the same way.
    serve(&documents, &db, 2).unwrap();
    add(&db.get().unwrap(), 3, Visibility::Public, "three");
    assert!(documents.fresh(Key::Note(2)).is_none());
}

#[test]
fn a_copy_built_from_an_older_state_is_not_served() {
    let (_dir, documents, db, cli) = setup();
    add(&cli, 1, Visibility::Public, "old");
    // The build reads its snapshot, then the post changes before the copy is kept.
    let mut conn = db.get().unwrap();
    let body = documents
        .build(&mut conn, Key::Note(1), |conn| {
            let body = note(conn, 1)?;
            posts::delete(&cli, 1).unwrap();
            Ok(body)
        })
        .unwrap();
    assert_eq!(&*body, "old");
    assert!(documents.fresh(Key::Note(1)).is_none());
}

#[test]
fn the_kept_bytes_stay_bounded() {
    let (_dir, documents, db, cli) = setup();
    let big = "x".repeat(MAX_BODY_BYTES);
    for id in 1..=20 {
        add(&cli, id, Visibility::Public, &big);
    }
    for id in 1..=20 {
        serve(&documents, &db, id).unwrap();
    }
    let kept = documents.kept.lock().unwrap();
    assert!(kept.bytes <= MAX_BYTES);
    assert_eq!(
        kept.bytes,
        kept.copies.values().map(|b| b.len()).sum::<usize>()
    );
    assert!(kept.copies.len() < 20);
}
