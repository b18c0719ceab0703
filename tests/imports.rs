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
