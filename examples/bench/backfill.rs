//! Backfill (issue 11) between real `perch serve` processes on loopback: how long a follow takes
//! to fill the home timeline with the account's recent posts, and an opened thread to fill in
//! its replies, with the fetching server's CPU for each.

use std::path::Path;
use std::time::{Duration, Instant};

use perch::urls::Urls;

use crate::http::Connection;
use crate::report::Report;
use crate::seed;
use crate::server::{Instance, USERNAME};
use crate::Sizes;

/// How long a step may take before the bench gives up on it (the budget is 60 fetches a minute
/// per host, so a big thread legitimately takes a while).
const PATIENCE: Duration = Duration::from_secs(180);

fn remote_posts(instance: &Instance) -> i64 {
    let conn = seed::open(&instance.database());
    conn.query_row("SELECT count(*) FROM remote_posts", [], |r| r.get(0))
        .expect("count remote posts")
}

/// Waits until `instance` holds at least `count` remote posts; the time it took, or None.
fn until_held(instance: &Instance, count: i64, since: Instant) -> Option<Duration> {
    while remote_posts(instance) < count {
        if since.elapsed() > PATIENCE {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(since.elapsed())
}

fn handle(instance: &Instance) -> String {
    format!("@{USERNAME}@127.0.0.1:{}", instance.port)
}

fn seconds(taken: Option<Duration>) -> String {
    taken.map_or("did not finish".into(), |t| {
        format!("{:.2} s", t.as_secs_f64())
    })
}

pub fn backfill(perch: &Path, sizes: &Sizes, report: &mut Report) {
    let replies = if sizes.quick { 10 } else { 60 };
    let mut reader = Instance::init(perch);
    let mut followed = Instance::init(perch);
    let mut threaded = Instance::init(perch);
    for instance in [&mut reader, &mut followed, &mut threaded] {
        instance.cli_ok(&["passwd"], &format!("{}\n", crate::server::PASSWORD));
    }
    let urls = Urls::new(&followed.config());
    seed::posts(&followed.database(), &urls, 200, 0);
    // A thread on the third server: a first post and its replies, made as the owner makes them.
    let root = threaded.cli_ok(&["post"], "The first post of a long thread");
    let root_id = root
        .trim()
        .rsplit('/')
        .next()
        .expect("a post URL")
        .to_string();
    let root = format!("{}/users/{USERNAME}/statuses/{root_id}", threaded.origin());
    for i in 0..replies {
        threaded.cli_ok(&["post", "--reply-to", &root], &format!("Reply number {i}"));
    }
    for instance in [&mut reader, &mut followed, &mut threaded] {
        instance.start();
    }

    // Follow: the Follow goes out, is accepted, and the outbox is read.
    let cpu_before = reader.cpu();
    let started = Instant::now();
    reader.cli_ok(&["follow", &handle(&followed)], "");
    let first = until_held(&reader, 1, started);
    let twenty = until_held(&reader, 20, started);
    let cpu = reader.cpu().saturating_sub(cpu_before);
    report.add("backfill", "follow: first post kept", seconds(first));
    report.target(
        "backfill",
        "follow: 20 recent posts kept (of 200)",
        seconds(twenty),
        "20 posts",
        twenty.is_some(),
    );
    report.add(
        "backfill",
        "follow: fetching server's CPU",
        format!("{:.0} ms", cpu.as_secs_f64() * 1000.0),
    );

    // Thread: the owner looks the first post up, then opens its thread.
    let held = remote_posts(&reader);
    let cookie = reader.login();
    let mut connection = Connection::open(reader.port).expect("connect");
    let cookie_header = [("Cookie", cookie.as_str())];
    let search = format!("/search?q={}", perch::urls::percent_encode_path(&root));
    let found = connection.get(&search, &cookie_header).expect("search");
    assert_eq!(found.status, 200, "search: {}", found.text());
    let cpu_before = reader.cpu();
    let started = Instant::now();
    let page = format!("/thread?uri={}", perch::urls::percent_encode_path(&root));
    let opened = connection.get(&page, &cookie_header).expect("thread");
    let page_time = started.elapsed();
    assert_eq!(opened.status, 200, "thread: {}", opened.text());
    // What was held, the first post the search brought, and every reply.
    let whole = until_held(&reader, held + 1 + replies as i64, started);
    let cpu = reader.cpu().saturating_sub(cpu_before);
    report.add(
        "backfill",
        "thread: the page's answer while fetching",
        format!("{:.1} ms", page_time.as_secs_f64() * 1000.0),
    );
    report.target(
        "backfill",
        format!("thread: {replies} replies kept"),
        seconds(whole),
        format!("{replies} replies"),
        whole.is_some(),
    );
    report.add(
        "backfill",
        "thread: fetching server's CPU",
        format!("{:.0} ms", cpu.as_secs_f64() * 1000.0),
    );
}
