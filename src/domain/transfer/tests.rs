use super::csv::{self, BadLine, Row};

#[test]
fn a_bom_crlf_and_quotes_are_read() {
    let text =
        "\u{feff}Account address,Show boosts\r\n\"a@b.example\",true\r\n\"x, \"\"y\"\"\",false\r\n";
    let (rows, bad) = csv::parse(text).unwrap();
    assert!(bad.is_empty());
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].cells, ["Account address", "Show boosts"]);
    assert_eq!(rows[1].cells, ["a@b.example", "true"]);
    assert_eq!(rows[2].cells, ["x, \"y\"", "false"]);
    let rows = csv::without_header(rows, &["Account address"]);
    assert_eq!(rows[0].line, 2);
}

#[test]
fn an_unclosed_quote_is_a_bad_line_and_line_numbers_stay_true() {
    let text = "one.example\n\n\"two\nthree.example";
    let (rows, bad) = csv::parse(text).unwrap();
    assert_eq!(
        rows,
        vec![Row {
            line: 1,
            cells: vec!["one.example".into()]
        }]
    );
    assert_eq!(
        bad,
        vec![BadLine {
            line: 3,
            reason: "a quoted field is not closed".into()
        }]
    );
}

#[test]
fn written_cells_read_back() {
    let written = csv::line(&["a,b", "say \"hi\"", "plain"]);
    let (rows, _) = csv::parse(&written).unwrap();
    assert_eq!(rows[0].cells, ["a,b", "say \"hi\"", "plain"]);
}

#[test]
fn too_large_a_file_is_refused_whole() {
    let text = "a.example\n".repeat(csv::MAX_BYTES / 10 + 1);
    assert!(csv::parse(&text).is_err());
}

#[test]
fn booleans_as_mastodon_writes_them() {
    assert_eq!(csv::boolean(None, true), Ok(true));
    assert_eq!(csv::boolean(Some(&"".into()), false), Ok(false));
    assert_eq!(csv::boolean(Some(&"TRUE".into()), false), Ok(true));
    assert!(csv::boolean(Some(&"maybe".into()), false).is_err());
}

mod jobs {
    use super::super::*;
    use crate::domain::testkit::{actor_doc, urls, FakeRemote};
    use crate::store::testing;

    #[test]
    fn lines_that_ask_the_network_wait_for_the_pace_and_a_job_finishes_once() {
        let (_dir, mut conn) = testing::temporary();
        let mut remote = FakeRemote::with([
            actor_doc("https://a.example", "alice"),
            actor_doc("https://b.example", "bob"),
        ]);
        for (handle, id) in [
            ("alice@a.example", "https://a.example/users/alice"),
            ("bob@b.example", "https://b.example/users/bob"),
        ] {
            remote.webfinger.insert(handle.into(), id.into());
        }
        let urls = urls();
        let text = "alice@a.example\nnot an address\nbob@b.example\n";
        let now = Timestamp(1_700_000_000_000);
        let job = queue(&mut conn, Kind::Blocks, text, Mode::Merge, true, now).unwrap();
        let mut pace = Pace::default();
        // Alice asks the network, then the bad line is skipped at once; Bob must wait.
        let run = run_imports(&mut conn, &remote, &urls, now, &mut pace).unwrap();
        assert_eq!(run, Progress::Applied(2));
        let run = run_imports(&mut conn, &remote, &urls, now, &mut pace).unwrap();
        assert_eq!(run, Progress::Waiting(Timestamp(now.0 + NETWORK_PACE_MS)));
        assert!(!remote.fetched.borrow().iter().any(|u| u.contains("bob")));
        let later = Timestamp(now.0 + NETWORK_PACE_MS);
        let run = run_imports(&mut conn, &remote, &urls, later, &mut pace).unwrap();
        assert_eq!(run, Progress::Applied(1));
        let run = run_imports(&mut conn, &remote, &urls, later, &mut pace).unwrap();
        assert_eq!(run, Progress::Finished);
        assert_eq!(
            run_imports(&mut conn, &remote, &urls, later, &mut pace).unwrap(),
            Progress::Idle
        );
        let report = report(&conn, job).unwrap();
        assert_eq!(report.imported, 2);
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].line, 2);
        assert_eq!(export(&conn, Kind::Blocks).unwrap().lines().count(), 2);
    }

    #[test]
    fn a_foreground_job_is_not_the_workers() {
        let (_dir, mut conn) = testing::temporary();
        let now = Timestamp(1_700_000_000_000);
        queue(
            &mut conn,
            Kind::DomainBlocks,
            "a.example\n",
            Mode::Merge,
            false,
            now,
        )
        .unwrap();
        let remote = FakeRemote::default();
        let run = run_imports(&mut conn, &remote, &urls(), now, &mut Pace::default());
        assert_eq!(run.unwrap(), Progress::Idle);
    }
}
