//! CSV import and export in Mastodon's formats between real Perch instances: a file with a
//! BOM, CRLF line ends, quoted fields and bad lines goes into one instance, its export into
//! another, and the two export the same; a 10,000-line file.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::harness::{eventually, handle, Instance};
use crate::probe;

fn ok(out: Output) -> (String, String) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn file(instance: &Instance, name: &str, text: &str) -> PathBuf {
    let path = instance.config_path().with_file_name(name);
    std::fs::write(&path, text).expect("write the CSV file");
    path
}

fn export(instance: &Instance, kind: &str) -> String {
    let path = instance.config_path().with_file_name(format!("{kind}.csv"));
    ok(instance.cli(&["export", kind, path.to_str().unwrap()], ""));
    std::fs::read_to_string(path).expect("read the export")
}

fn import(instance: &Instance, kind: &str, path: &Path, extra: &[&str]) -> (String, String) {
    let mut args = vec!["import", kind, path.to_str().unwrap()];
    args.extend_from_slice(extra);
    ok(instance.cli(&args, ""))
}

fn acct(instance: &Instance) -> String {
    handle(instance).trim_start_matches('@').to_string()
}

#[test]
fn csv_files_move_between_two_instances_unchanged() {
    let (a, b) = (Instance::start(), Instance::start());
    let (friend, pest) = (Instance::start(), Instance::start());

    // As Mastodon writes them, plus what people's editors do to them: a BOM, CRLF, quotes.
    let following = format!(
        "\u{feff}Account address,Show boosts,Notify on new posts,Languages\r\n\
         {},true,false,\r\n\
         not an address,true,false,\r\n\
         {},maybe,false,\r\n",
        acct(&friend),
        acct(&pest)
    );
    let path = file(&a, "in-following.csv", &following);
    let (out, err) = import(&a, "following", &path, &[]);
    assert!(out.contains("imported 1, removed 0, skipped 2"), "{out}");
    assert!(
        err.contains(":3: skipped") && err.contains(":4: skipped"),
        "{err}"
    );
    eventually("the imported follow is accepted", || {
        probe::following(&a) == 1
    });

    let blocks = format!("{}\n", acct(&pest));
    import(&a, "blocks", &file(&a, "in-blocks.csv", &blocks), &[]);
    let mutes = format!("Account address,Hide notifications\n{},true\n", acct(&pest));
    import(&a, "mutes", &file(&a, "in-mutes.csv", &mutes), &[]);
    let domains = "#domain\r\nspam.example\r\n\"bad domain!\"\r\nads.example\r\n";
    let (out, err) = import(&a, "domain_blocks", &file(&a, "in-d.csv", domains), &[]);
    assert!(out.contains("imported 2, removed 0, skipped 1"), "{out}");
    assert!(err.contains(":3: skipped"), "{err}");
    let bookmarks = "https://social.example/users/x/statuses/1\nftp://nope\n\
                     https://social.example/users/x/statuses/2\n";
    import(&a, "bookmarks", &file(&a, "in-b.csv", bookmarks), &[]);
    let lists = format!("\"Friends, close\",{}\n", acct(&friend));
    import(&a, "lists", &file(&a, "in-l.csv", &lists), &[]);

    let kinds = [
        "following",
        "blocks",
        "mutes",
        "domain_blocks",
        "bookmarks",
        "lists",
    ];
    let exported: Vec<String> = kinds.iter().map(|kind| export(&a, kind)).collect();
    assert_eq!(
        exported[0],
        format!(
            "Account address,Show boosts,Notify on new posts,Languages\n{},true,false,\n",
            acct(&friend)
        )
    );
    assert_eq!(exported[3], "ads.example\nspam.example\n");
    assert_eq!(
        exported[4],
        "https://social.example/users/x/statuses/1\nhttps://social.example/users/x/statuses/2\n"
    );
    assert_eq!(
        exported[5],
        format!("\"Friends, close\",{}\n", acct(&friend))
    );
    assert_eq!(export(&friend, "followers"), format!("{}\n", acct(&a)));

    // Into the second instance, then out again: the same files.
    for (kind, text) in kinds.iter().zip(&exported) {
        let path = file(&b, &format!("from-a-{kind}.csv"), text);
        let (out, _) = import(&b, kind, &path, &[]);
        assert!(out.contains("skipped 0"), "{kind}: {out}");
    }
    for (kind, text) in kinds.iter().zip(&exported) {
        assert_eq!(&export(&b, kind), text, "{kind}");
    }

    // Overwrite makes the list what the file says.
    let path = file(&b, "only-spam.csv", "spam.example\n");
    let (out, _) = import(&b, "domain_blocks", &path, &["--overwrite"]);
    assert!(out.contains("imported 1, removed 1"), "{out}");
    assert_eq!(export(&b, "domain_blocks"), "spam.example\n");

    // Followers cannot be imported, as in Mastodon.
    let refused = b.cli(&["import", "followers", path.to_str().unwrap()], "");
    assert!(!refused.status.success());
}

#[test]
fn a_ten_thousand_line_file_with_bad_lines() {
    let a = Instance::start();
    let mut text = String::from("\u{feff}");
    for n in 0..10_000 {
        if n % 1000 == 999 {
            text.push_str("not a domain at all!\r\n");
        } else {
            text.push_str(&format!("host{n}.example\r\n"));
        }
    }
    let path = file(&a, "many.csv", &text);
    let (out, err) = import(&a, "domain_blocks", &path, &[]);
    assert!(
        out.contains("imported 9990, removed 0, skipped 10"),
        "{out}"
    );
    assert!(
        err.contains(":1000: skipped") && err.contains(":10000: skipped"),
        "{err}"
    );
    assert_eq!(export(&a, "domain_blocks").lines().count(), 9990);
    // Again: nothing added twice.
    let (out, _) = import(&a, "domain_blocks", &path, &[]);
    assert!(out.contains("imported 9990"), "{out}");
    assert_eq!(export(&a, "domain_blocks").lines().count(), 9990);
}

// Mastodon archives (issue 12, items 5 and 6), generated here in the layout of Mastodon's
// `BackupService` (shapes from ../shared/fixtures/mastodon): no real person's archive.

use std::io::Write;

use crate::harness::{get, AS_JSON};

const OLD: &str = "https://old.example/users/alice";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// One post of a generated archive.
struct Old {
    n: u32,
    text: &'static str,
    cw: Option<&'static str>,
    to: &'static str,
    reply_to: Option<u32>,
    tag: Option<&'static str>,
    image: Option<&'static str>,
}

fn old_post(n: u32, text: &'static str) -> Old {
    Old {
        n,
        text,
        cw: None,
        to: "public",
        reply_to: None,
        tag: None,
        image: None,
    }
}

fn status(n: u32) -> String {
    format!("{OLD}/statuses/{}", 100_000 + n)
}

fn create(post: &Old) -> serde_json::Value {
    let followers = format!("{OLD}/followers");
    let (to, cc) = match post.to {
        "public" => (vec![PUBLIC.to_string()], vec![followers]),
        "unlisted" => (vec![followers], vec![PUBLIC.to_string()]),
        "followers" => (vec![followers], vec![]),
        _ => (vec!["https://else.example/users/bob".to_string()], vec![]),
    };
    let mut tags = vec![];
    if let Some(tag) = post.tag {
        tags.push(serde_json::json!({"type": "Hashtag", "href": format!("https://old.example/tags/{tag}"), "name": format!("#{tag}")}));
    }
    let attachments: Vec<serde_json::Value> = post
        .image
        .iter()
        .map(|alt| {
            serde_json::json!({
                "type": "Document", "mediaType": "image/png",
                "url": format!("media_attachments/files/000/000/{:03}/original/img.png", post.n),
                "name": alt, "blurhash": "UAAAAA", "width": 8, "height": 8
            })
        })
        .collect();
    let published = format!("2021-0{}-1{}T10:00:00Z", 1 + post.n % 9, post.n % 10);
    serde_json::json!({
        "id": format!("{}/activity", status(post.n)),
        "type": "Create",
        "actor": OLD,
        "published": published,
        "to": to, "cc": cc,
        "object": {
            "id": status(post.n), "type": "Note",
            "summary": post.cw,
            "inReplyTo": post.reply_to.map(status),
            "published": published,
            "url": format!("https://old.example/@alice/{}", 100_000 + post.n),
            "attributedTo": OLD, "to": to, "cc": cc,
            "sensitive": post.cw.is_some(),
            "content": format!("<p>{}</p><script>alert(1)</script>", post.text),
            "contentMap": {"en": format!("<p>{}</p>", post.text)},
            "attachment": attachments,
            "tag": tags,
            "replies": {"id": format!("{}/replies", status(post.n)), "type": "Collection"}
        }
    })
}

/// A zip of `entries` (name, bytes), deflated.
fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).expect("zip entry");
        zip.write_all(bytes).expect("zip write");
    }
    zip.finish().expect("zip finish");
    out.into_inner()
}

fn archive_entries(posts: &[Old]) -> Vec<(String, Vec<u8>)> {
    let mut items: Vec<serde_json::Value> = posts.iter().map(create).collect();
    items.push(serde_json::json!({
        "id": format!("{OLD}/statuses/1/activity"), "type": "Announce", "actor": OLD,
        "published": "2021-05-05T00:00:00Z", "to": [PUBLIC],
        "object": "https://else.example/users/bob/statuses/9"
    }));
    let outbox = serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "outbox.json", "type": "OrderedCollection",
        "totalItems": items.len(), "orderedItems": items
    });
    let actor = serde_json::json!({
        "@context": ["https://www.w3.org/ns/activitystreams"],
        "id": OLD, "type": "Person", "preferredUsername": "alice",
        "followers": format!("{OLD}/followers"), "outbox": "outbox.json",
        "likes": "likes.json", "bookmarks": "bookmarks.json"
    });
    let mut entries = vec![
        ("actor.json".to_string(), actor.to_string().into_bytes()),
        ("outbox.json".to_string(), outbox.to_string().into_bytes()),
        (
            "likes.json".to_string(),
            br#"{"type":"OrderedCollection","orderedItems":[]}"#.to_vec(),
        ),
    ];
    for post in posts.iter().filter(|p| p.image.is_some()) {
        entries.push((
            format!(
                "media_attachments/files/000/000/{:03}/original/img.png",
                post.n
            ),
            crate::client::png(8, 8),
        ));
    }
    entries
}

fn sample_posts() -> Vec<Old> {
    vec![
        Old {
            tag: Some("gardening"),
            ..old_post(1, "First tomatoes")
        },
        Old {
            cw: Some("food"),
            image: Some("A red tomato on a plate"),
            ..old_post(2, "Lunch")
        },
        Old {
            reply_to: Some(1),
            ..old_post(3, "And the basil too")
        },
        Old {
            to: "unlisted",
            ..old_post(4, "Quiet update")
        },
        Old {
            to: "followers",
            ..old_post(5, "Only for friends")
        },
        Old {
            to: "direct",
            ..old_post(6, "A private word")
        },
    ]
}

fn write_zip(instance: &Instance, name: &str, bytes: &[u8]) -> PathBuf {
    let path = instance.config_path().with_file_name(name);
    std::fs::write(&path, bytes).expect("write the zip");
    path
}

#[test]
fn a_mastodon_archive_is_imported_once_in_order_and_sent_to_nobody() {
    let a = Instance::start();
    let follower = Instance::start();
    ok(follower.cli(&["follow", &handle(&a)], ""));
    eventually("the follower is accepted", || probe::followers(&a) == 1);
    // The Accept's body is pruned once delivered, so count only what an import could send.
    let posts_sent = |db: &Instance| {
        ["Create", "Announce", "Update"]
            .iter()
            .map(|kind| probe::sent_of_type(db, kind).len())
            .sum::<usize>()
    };
    let inbound_before = probe::inbound(&follower);

    let path = write_zip(
        &a,
        "archive.zip",
        &zip_of(&archive_entries(&sample_posts())),
    );
    let (out, _) = ok(a.cli(&["import", "archive", path.to_str().unwrap()], ""));
    assert!(out.contains("imported 4 posts with 1 images"), "{out}");
    assert!(out.contains("1 boosts, 2 private"), "{out}");
    assert_eq!(probe::posts(&a), 4);
    assert_eq!(posts_sent(&a), 0, "nothing queued for delivery");

    // Shown newest first, with their CW, image and alt text, the script gone.
    let actor: serde_json::Value = get(&a.url("/users/ana"), AS_JSON).json();
    let outbox = actor["outbox"].as_str().expect("outbox").to_string();
    let page = get(&format!("{outbox}?page=true"), AS_JSON).json();
    let items = page["orderedItems"].as_array().expect("items").clone();
    let texts: Vec<String> = items
        .iter()
        .map(|i| i["object"]["content"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(texts.len(), 4, "{texts:?}");
    assert!(
        texts[0].contains("Quiet update") && texts[3].contains("First tomatoes"),
        "{texts:?}"
    );
    assert!(texts.iter().all(|t| !t.contains("script")), "{texts:?}");
    let lunch = &items[2]["object"];
    assert_eq!(lunch["summary"], "food");
    assert_eq!(lunch["published"], "2021-03-12T10:00:00Z");
    assert_eq!(lunch["attachment"][0]["name"], "A red tomato on a plate");
    let basil = &items[1]["object"];
    assert_eq!(
        basil["inReplyTo"], items[3]["object"]["id"],
        "the reply is threaded"
    );
    assert_eq!(items[3]["object"]["tag"][0]["name"], "#gardening");
    let profile = get(&a.url("/@ana"), crate::harness::BROWSER).body;
    let (quiet, first) = (profile.find("Quiet update"), profile.find("First tomatoes"));
    assert!(
        quiet.is_some() && first.is_some() && quiet < first,
        "the profile shows them in order"
    );

    // Again: nothing added.
    let (out, _) = ok(a.cli(&["import", "archive", path.to_str().unwrap()], ""));
    assert!(
        out.contains("imported 0 posts") && out.contains("4 there already"),
        "{out}"
    );
    // With --private, the two private posts come in, for the owner only.
    let (out, _) = ok(a.cli(
        &["import", "archive", path.to_str().unwrap(), "--private"],
        "",
    ));
    assert!(out.contains("imported 2 posts"), "{out}");
    assert_eq!(probe::posts(&a), 6);
    let page = get(&format!("{outbox}?page=true"), AS_JSON).json();
    assert_eq!(page["orderedItems"].as_array().map(Vec::len), Some(4));
    assert_eq!(posts_sent(&a), 0, "still nothing queued");
    assert_eq!(
        probe::inbound(&follower),
        inbound_before,
        "the follower got nothing"
    );
}

#[test]
fn hostile_archives_are_refused_with_nothing_imported() {
    let a = Instance::start();
    let good = archive_entries(&sample_posts());
    let mut traversal = good.clone();
    traversal.push(("../../x".to_string(), b"x".to_vec()));
    let mut bomb = good.clone();
    // 64 MiB of zeros deflates to about 64 KiB, and is named as a post's image.
    bomb.retain(|(name, _)| !name.starts_with("media_attachments/"));
    bomb.push((
        "media_attachments/files/000/000/002/original/img.png".to_string(),
        vec![0; 64 * 1024 * 1024],
    ));
    let mut malformed = good.clone();
    malformed[1].1 = br#"{"type":"OrderedCollection","orderedItems":[{"type":"Create","#.to_vec();
    let mut latin1 = good.clone();
    latin1[1].1 = b"{\"orderedItems\":[\"caf\xe9\"]}".to_vec();
    let cases = [
        ("traversal", zip_of(&traversal), "unsafe path"),
        ("bomb", zip_of(&bomb), "zip bomb"),
        ("malformed", zip_of(&malformed), "outbox.json"),
        ("latin1", zip_of(&latin1), "outbox.json"),
        ("not a zip", b"PK\x03\x04 nothing".to_vec(), "not a zip"),
    ];
    for (what, bytes, expected) in cases {
        let path = write_zip(&a, &format!("{}.zip", what.replace(' ', "-")), &bytes);
        let out = a.cli(&["import", "archive", path.to_str().unwrap()], "");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{what}");
        assert!(
            err.contains(expected) && err.trim().lines().count() == 1,
            "{what}: {err}"
        );
        assert_eq!(
            (probe::posts(&a), probe::media(&a)),
            (0, 0),
            "{what}: nothing imported"
        );
    }
}

#[test]
fn an_exported_archive_imports_back_the_same() {
    let a = Instance::start();
    let b = Instance::start();
    let path = write_zip(
        &a,
        "archive.zip",
        &zip_of(&archive_entries(&sample_posts())),
    );
    ok(a.cli(
        &["import", "archive", path.to_str().unwrap(), "--private"],
        "",
    ));
    a.post("Written on Perch #perch", &[]);
    let exported = a.config_path().with_file_name("export.zip");
    let (out, _) = ok(a.cli(&["export", exported.to_str().unwrap()], ""));
    assert!(out.contains("wrote 7 posts"), "{out}");

    // Into a second instance, then out again: the same posts.
    let (out, _) = ok(b.cli(
        &["import", "archive", exported.to_str().unwrap(), "--private"],
        "",
    ));
    assert!(out.contains("imported 7 posts with 1 images"), "{out}");
    let again = b.config_path().with_file_name("export.zip");
    ok(b.cli(&["export", "archive", again.to_str().unwrap()], ""));
    assert_eq!(posts_of(&exported), posts_of(&again));
    // Into the first again: they are its own posts, nothing added.
    let (out, _) = ok(a.cli(
        &["import", "archive", exported.to_str().unwrap(), "--private"],
        "",
    ));
    assert!(
        out.contains("imported 0 posts") && out.contains("7 there already"),
        "{out}"
    );
}

/// What an exported archive says of each post, less what names the instance.
fn posts_of(path: &Path) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("outbox.json").expect("outbox"), &mut text)
        .expect("read");
    let outbox: serde_json::Value = serde_json::from_str(&text).expect("json");
    outbox["orderedItems"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            let o = &item["object"];
            let image = o["attachment"].as_array().map(|list| {
                list.iter()
                    .map(|m| {
                        let name = m["url"].as_str().unwrap_or("");
                        let size = zip.by_name(name).map(|f| f.size()).unwrap_or(0);
                        format!("{}:{}:{size}", m["name"], m["mediaType"])
                    })
                    .collect::<Vec<_>>()
            });
            let tags: Vec<&serde_json::Value> = o["tag"]
                .as_array()
                .map(|t| t.iter().map(|t| &t["name"]).collect())
                .unwrap_or_default();
            // The sanitiser gives imported links the attributes of any outside link.
            let content = o["content"]
                .as_str()
                .unwrap_or("")
                .replace(r#" target="_blank" rel="nofollow noopener noreferrer""#, "")
                .replace(r#" rel="tag""#, "");
            format!(
                "{} {} {} {} {:?} {:?} reply:{}",
                o["published"],
                o["summary"],
                content,
                o["to"].as_array().map_or(0, Vec::len),
                image,
                tags,
                !o["inReplyTo"].is_null()
            )
        })
        .collect()
}

#[test]
fn an_archive_uploaded_on_the_settings_page_and_downloaded_again() {
    let mut a = Instance::start();
    a.set_password("correct horse battery staple");
    let mut browser = a.logged_in("correct horse battery staple");
    let csrf = browser.csrf("/settings/archive");
    let zip = zip_of(&archive_entries(&sample_posts()));
    let answer = browser.post_file(
        "/settings/archive",
        &[("csrf", &csrf)],
        &zip,
        "application/zip",
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        answer.body.contains("imported 4 posts with 1 images"),
        "{}",
        answer.body
    );
    assert_eq!(probe::posts(&a), 4);
    // A hostile one is refused on the page, nothing imported.
    let mut traversal = archive_entries(&sample_posts());
    traversal.push(("../../x".to_string(), b"x".to_vec()));
    let answer = browser.post_file(
        "/settings/archive",
        &[("csrf", &csrf)],
        &zip_of(&traversal),
        "application/zip",
    );
    assert!(answer.body.contains("unsafe path"), "{}", answer.body);
    assert_eq!(probe::posts(&a), 4);
    // Without the session, neither the upload nor the download.
    let stranger = get(&a.url("/settings/archive/perch-archive.zip"), "*/*");
    assert_ne!(stranger.status, 200);
    let download = browser.get("/settings/archive/perch-archive.zip");
    assert_eq!(download.status, 200);
    let path = write_zip(&a, "downloaded.zip", &download.bytes);
    assert_eq!(posts_of(&path).len(), 4);
    let _ = &mut a;
}

#[test]
fn csv_files_through_the_settings_page_are_worked_through_with_progress() {
    let mut a = Instance::start();
    let (friend, other) = (Instance::start(), Instance::start());
    a.set_password("correct horse battery staple");
    let mut browser = a.logged_in("correct horse battery staple");
    let csrf = browser.csrf("/settings/import");
    let following = format!(
        "Account address,Show boosts,Notify on new posts,Languages\n{},true,false,\n\
         not an address,true,false,\n{},true,false,\n",
        acct(&friend),
        acct(&other)
    );
    let upload = |browser: &mut crate::harness::Browser, kind, mode, text: &str| {
        browser.post_file(
            "/settings/import",
            &[("csrf", &csrf), ("kind", kind), ("mode", mode)],
            text.as_bytes(),
            "text/csv",
        )
    };
    let answer = upload(&mut browser, "following", "merge", &following);
    assert_eq!(answer.status, 303, "{}", answer.body);
    // The server's worker follows both, a second apart, and the page shows how far it is.
    eventually("both imported follows are accepted", || {
        probe::following(&a) == 2
    });
    let mut page = String::new();
    eventually("the page shows the import done", || {
        page = browser.get("/settings/import").body;
        page.contains("data-state=\"done\"")
    });
    assert!(page.contains("3 of 3 lines"), "{page}");
    assert!(page.contains("2 imported, 1 skipped"), "{page}");
    assert!(page.contains("line 3: not an address"), "{page}");

    // Overwrite through the page makes the list what the file says.
    upload(
        &mut browser,
        "domain_blocks",
        "merge",
        "a.example\nb.example\n",
    );
    eventually("two domains blocked", || {
        export(&a, "domain_blocks") == "a.example\nb.example\n"
    });
    upload(&mut browser, "domain_blocks", "overwrite", "b.example\n");
    eventually("the overwrite removed one", || {
        export(&a, "domain_blocks") == "b.example\n"
    });

    // Downloads are the CLI's export, for the owner only.
    let download = browser.get("/settings/export/following.csv");
    assert_eq!(download.status, 200);
    assert_eq!(download.body, export(&a, "following"));
    let stranger = crate::harness::get(&a.url("/settings/export/following.csv"), "*/*");
    assert_ne!(stranger.status, 200);
    assert_eq!(browser.get("/settings/export/passwords.csv").status, 404);

    // Refused files say why on the page, and queue nothing.
    let refused = upload(&mut browser, "followers", "merge", "x@y.example\n");
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("cannot be imported"),
        "{}",
        refused.body
    );
    let refused = browser.post_file(
        "/settings/import",
        &[("csrf", &csrf), ("kind", "blocks"), ("mode", "merge")],
        b"\xff\xfe not text",
        "text/csv",
    );
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("not UTF-8"), "{}", refused.body);
    let _ = &mut a;
}
