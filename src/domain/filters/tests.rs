use super::*;
use crate::model::Visibility;
use crate::store::actors::tests::sample;
use crate::store::remote_posts::{self, NewRemotePost};
use crate::store::{actors, testing};

fn keyword(text: &str, whole_word: bool) -> KeywordChange {
    KeywordChange {
        keyword: Some(text.into()),
        whole_word: Some(whole_word),
        ..Default::default()
    }
}

fn input(
    title: &str,
    contexts: &[&str],
    action: &str,
    keywords: Vec<KeywordChange>,
) -> FilterInput {
    FilterInput {
        title: Some(title.into()),
        contexts: Some(contexts.iter().map(|c| c.to_string()).collect()),
        action: Some(action.into()),
        expires_in: None,
        keywords,
    }
}

/// A remote post held with this content, as a timeline entry.
fn entry(conn: &Connection, n: i64, html: &str) -> Entry {
    let alice = actors::upsert(conn, &sample("alice", "a.example"), Timestamp(1)).unwrap();
    let uri = format!("https://a.example/notes/{n}");
    remote_posts::insert(
        conn,
        &NewRemotePost {
            uri: uri.clone(),
            actor_id: alice,
            url: None,
            in_reply_to: None,
            content_html: html.into(),
            summary: None,
            sensitive: false,
            visibility: Visibility::Public,
            published_at: Timestamp(10 + n),
            updated_at: None,
            raw: "{}".into(),
        },
        Timestamp(10 + n),
    )
    .unwrap();
    let post = remote_posts::get_by_uri(conn, &uri).unwrap().unwrap();
    crate::domain::timeline::entry(
        conn,
        &crate::domain::testkit::urls(),
        post.id,
        Shown::Remote(Box::new(post)),
        None,
    )
    .unwrap()
}

#[test]
fn whole_words_match_only_whole_words() {
    assert!(keyword_matches("a spoiler here", "spoiler", true));
    assert!(keyword_matches("spoiler", "spoiler", true));
    assert!(keyword_matches("(spoiler)", "spoiler", true));
    assert!(!keyword_matches("spoilers ahead", "spoiler", true));
    assert!(keyword_matches("spoilers ahead", "spoiler", false));
    assert!(!keyword_matches("unspoiler", "spoiler", true));
    // An edge that is not a word character needs no boundary there.
    assert!(keyword_matches("see #tag", "#tag", true));
    assert!(keyword_matches("née là", "là", true));
    assert!(!keyword_matches("nothing", "spoiler", false));
}

#[test]
fn creating_checks_titles_contexts_actions_and_keywords() {
    let (_dir, mut conn) = testing::temporary();
    let now = Timestamp(1_000);
    for (bad, message) in [
        (input(" ", &["home"], "warn", vec![]), "Title"),
        (input("t", &[], "warn", vec![]), "Context"),
        (
            input("t", &["home", "elsewhere"], "warn", vec![]),
            "Context",
        ),
        (input("t", &["home"], "explode", vec![]), "action"),
        (
            input("t", &["home"], "warn", vec![keyword("  ", true)]),
            "Keyword",
        ),
    ] {
        let error = create(&mut conn, bad, now).unwrap_err();
        assert_eq!(error.status, 422);
        assert!(error.message.contains(message), "{}", error.message);
    }
    assert!(all(&conn).unwrap().is_empty(), "nothing half-made is kept");

    let made = create(
        &mut conn,
        input(
            "Films",
            &["home", "home", "thread"],
            "warn",
            vec![keyword("spoiler", true)],
        ),
        now,
    )
    .unwrap();
    assert_eq!(made.contexts, ["home", "thread"]);
    assert_eq!(made.keywords.len(), 1);
    assert_eq!(made.expires_at, None);

    // An update edits one keyword, adds one and removes none; another's keyword is not found.
    let kept = made.keywords[0].id;
    let changed = update(
        &mut conn,
        made.id,
        FilterInput {
            expires_in: Some(Some(60)),
            keywords: vec![
                KeywordChange {
                    id: Some(kept),
                    keyword: Some("plot".into()),
                    ..Default::default()
                },
                keyword("ending", false),
            ],
            ..Default::default()
        },
        now,
    )
    .unwrap();
    assert_eq!(changed.title, "Films");
    assert_eq!(changed.expires_at, Some(Timestamp(61_000)));
    let words: Vec<_> = changed
        .keywords
        .iter()
        .map(|k| (k.keyword.as_str(), k.whole_word))
        .collect();
    assert_eq!(words, [("plot", true), ("ending", false)]);
    let other = create(&mut conn, input("Other", &["public"], "hide", vec![]), now).unwrap();
    let stolen = KeywordChange {
        id: Some(kept),
        destroy: true,
        ..Default::default()
    };
    let error = update(
        &mut conn,
        other.id,
        FilterInput {
            keywords: vec![stolen],
            ..Default::default()
        },
        now,
    )
    .unwrap_err();
    assert_eq!(error.status, 404);
    assert_eq!(get(&conn, made.id).unwrap().keywords.len(), 2);
}

#[test]
fn matchers_hide_warn_and_expire_by_context() {
    let (_dir, mut conn) = testing::temporary();
    let now = Timestamp(1_000);
    let warn = create(
        &mut conn,
        input("Films", &["home"], "warn", vec![keyword("spoiler", true)]),
        now,
    )
    .unwrap();
    create(
        &mut conn,
        FilterInput {
            expires_in: Some(Some(10)),
            ..input(
                "Veg",
                &["home", "public"],
                "hide",
                vec![keyword("Cabbage", false)],
            )
        },
        now,
    )
    .unwrap();
    let spoiler = entry(&conn, 1, "<p>A <b>Spoiler</b>!</p>");
    let cabbage = entry(&conn, 2, "<p>cabbages everywhere</p>");
    let plain = entry(&conn, 3, "<p>spoilers are fine</p>");

    let home = Matcher::load(&conn, "home", now).unwrap();
    let (hidden, hits) = home.check(&spoiler);
    assert!(!hidden);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].filter.id, warn.id);
    assert_eq!(hits[0].keyword_matches, ["spoiler"]);
    assert!(home.check(&cabbage).0);
    assert_eq!(home.check(&plain), (false, vec![]));

    // Another context knows only its filters; an expired filter no longer applies.
    assert_eq!(
        Matcher::load(&conn, "thread", now).unwrap().check(&spoiler),
        (false, vec![])
    );
    assert!(
        Matcher::load(&conn, "public", now)
            .unwrap()
            .check(&cabbage)
            .0
    );
    let later = Timestamp(now.0 + 11_000);
    assert!(
        !Matcher::load(&conn, "home", later)
            .unwrap()
            .check(&cabbage)
            .0
    );

    // A post added to a filter matches by its id.
    let Shown::Remote(post) = &plain.shown else {
        unreachable!()
    };
    add_status(&conn, warn.id, post.id).unwrap();
    assert!(
        add_status(&conn, warn.id, 987_654).is_err(),
        "a post we do not hold"
    );
    let (_, hits) = Matcher::load(&conn, "home", now).unwrap().check(&plain);
    assert_eq!(hits[0].status_matches, [post.id]);

    let shown = apply(&conn, "home", vec![spoiler, cabbage, plain], now).unwrap();
    assert_eq!(shown.len(), 2);
    assert!(shown.iter().all(|e| !e.filtered.is_empty()));
}
