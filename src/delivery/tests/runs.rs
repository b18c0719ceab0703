//! The worker over many runs: the breaker, restarts and kills, a fan-out, and the thread.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::super::worker::{breaker_pause, by_host, BATCH, PER_HOST};
use super::super::{spawn, BREAKER_MAX_PAUSE, BREAKER_PAUSE, BREAKER_THRESHOLD, MAX_AGE};
use super::sink::Sink;
use super::worker::{activity, backoff, only_row, plus, queue, worker};
use crate::model::Timestamp;
use crate::store;

#[test]
fn the_breaker_stops_a_failing_host_without_holding_up_others() {
    let (dir, conn) = store::testing::temporary();
    let (failing, healthy) = (Sink::new(500), Sink::new(202));
    let now = Timestamp::now();
    for n in 0..6 {
        queue(&conn, n, &[failing.inbox("/inbox")], now);
    }
    queue(&conn, 6, &[healthy.inbox("/inbox")], now);
    let mut worker = worker(&dir);
    // One try of the failing host per run: the rest of its queue waits for the next.
    let first = worker.run_once(now).unwrap();
    assert_eq!((first.retried, first.delivered), (1, 1));
    for run in 2..=BREAKER_THRESHOLD {
        assert_eq!(worker.run_once(now).unwrap().retried, 1, "run {run}");
    }
    assert_eq!(failing.requests(), BREAKER_THRESHOLD as usize);
    let record = store::deliveries::host(&conn, &failing.host())
        .unwrap()
        .unwrap();
    let reopen = plus(now, BREAKER_PAUSE.as_millis() as i64);
    assert_eq!(record.failures, BREAKER_THRESHOLD);
    assert_eq!(record.retry_at, Some(reopen));

    // The sixth delivery was never tried, and is not counted as a try.
    let untried: (u32, i64) = conn
        .query_row(
            "SELECT attempts, next_attempt_at FROM deliveries WHERE attempts = 0",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(untried, (0, reopen.0));

    // A new activity for both hosts: the healthy one gets it now, the failing one waits.
    queue(
        &conn,
        7,
        &[failing.inbox("/inbox"), healthy.inbox("/inbox")],
        now,
    );
    let report = worker.run_once(now).unwrap();
    assert_eq!((report.delivered, report.retried), (1, 0));
    assert_eq!(failing.requests(), BREAKER_THRESHOLD as usize);
    assert_eq!(healthy.requests(), 2);
    assert_eq!(worker.next_due().unwrap(), Some(reopen));

    // The host comes back: everything goes out when the breaker reopens, and it is forgotten.
    failing.status(202);
    assert_eq!(worker.run_once(plus(reopen, -1)).unwrap().attempted(), 0);
    assert_eq!(worker.run_once(reopen).unwrap().delivered, 7);
    assert_eq!(store::deliveries::count(&conn).unwrap(), 0);
    assert_eq!(
        store::deliveries::host(&conn, &failing.host()).unwrap(),
        None
    );
}

#[test]
fn the_breaker_pause_grows_and_old_deliveries_expire() {
    assert_eq!(breaker_pause(BREAKER_THRESHOLD), BREAKER_PAUSE);
    assert_eq!(breaker_pause(BREAKER_THRESHOLD + 1), BREAKER_PAUSE * 2);
    assert_eq!(breaker_pause(BREAKER_THRESHOLD + 60), BREAKER_MAX_PAUSE);

    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(503);
    let start = Timestamp::now();
    queue(&conn, 1, &[sink.inbox("/inbox")], start);
    queue(&conn, 2, &[sink.inbox("/inbox")], start);
    let now = plus(start, MAX_AGE.as_millis() as i64 + 1);
    queue(&conn, 3, &[sink.inbox("/inbox")], now);
    let report = worker(&dir).run_once(now).unwrap();
    // The oldest was tried and expired with its sibling; the young one waits its turn.
    assert_eq!((report.dropped, report.retried), (2, 0));
    assert_eq!(only_row(&conn), (0, now));
}

#[test]
fn a_new_worker_delivers_what_the_last_one_left() {
    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(500);
    let now = Timestamp::now();
    queue(&conn, 1, &[sink.inbox("/a")], now);
    queue(&conn, 2, &[sink.inbox("/b")], now);
    let mut first = worker(&dir);
    assert_eq!(first.run_once(now).unwrap().retried, 1);
    drop(first); // a restart; the queue is only in the file
    queue(&conn, 3, &[sink.inbox("/c")], now);

    sink.status(202);
    let mut second = worker(&dir);
    let later = plus(now, backoff(1));
    assert_eq!(second.run_once(later).unwrap().delivered, 3);
    assert_eq!(store::deliveries::count(&conn).unwrap(), 0);
    let mut paths: Vec<String> = sink
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.path.clone())
        .collect();
    paths.sort();
    assert_eq!(paths, ["/a", "/a", "/b", "/c"]);
}

#[test]
fn a_kill_between_sending_and_recording_costs_one_duplicate_not_a_loss() {
    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(202);
    let now = Timestamp::now();
    queue(&conn, 1, &[sink.inbox("/inbox")], now);
    let crashed = worker(&dir);
    // What run_once does up to the record transaction, then the process "dies".
    let due = store::deliveries::due(&conn, now, BATCH, PER_HOST).unwrap();
    let bodies = HashMap::from([(due[0].activity_id, activity(1).to_string())]);
    assert_eq!(
        crashed
            .send(&by_host(due), &bodies, &Default::default())
            .len(),
        1
    );
    drop(crashed);
    assert_eq!(store::deliveries::count(&conn).unwrap(), 1);

    assert_eq!(worker(&dir).run_once(now).unwrap().delivered, 1);
    assert_eq!(sink.requests(), 2);
    assert_eq!(store::deliveries::count(&conn).unwrap(), 0);
}

#[test]
fn a_fan_out_to_200_inboxes_goes_out_in_a_few_runs() {
    let (dir, conn) = store::testing::temporary();
    let sinks: Vec<Sink> = (0..50).map(|_| Sink::new(202)).collect();
    let inboxes: Vec<String> = sinks
        .iter()
        .flat_map(|sink| (0..4).map(|i| sink.inbox(&format!("/users/u{i}/inbox"))))
        .collect();
    let now = Timestamp::now();
    assert_eq!(queue(&conn, 1, &inboxes, now), 200);
    let mut worker = worker(&dir);
    let started = Instant::now();
    let mut runs = 0;
    let mut delivered = 0;
    while store::deliveries::count(&conn).unwrap() > 0 && runs < 5 {
        delivered += worker.run_once(now).unwrap().delivered;
        runs += 1;
    }
    println!(
        "fan-out: 200 deliveries to 50 hosts in {runs} run(s), {:?}",
        started.elapsed()
    );
    assert_eq!(delivered, 200);
    assert_eq!(runs, 1);
    assert_eq!(sinks.iter().map(Sink::requests).sum::<usize>(), 200);
}

#[test]
fn the_thread_sends_what_is_queued_and_stops_cleanly() {
    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(202);
    let arrived = sink.notify();
    let stop = Arc::new(AtomicBool::new(false));
    let handle = spawn(worker(&dir), stop.clone()).unwrap();
    // Queued by "another process" after the thread started: found by its polling.
    queue(&conn, 1, &[sink.inbox("/inbox")], Timestamp::now());
    arrived
        .recv_timeout(Duration::from_secs(10))
        .expect("the delivery arrives");
    stop.store(true, Ordering::SeqCst);
    handle.thread().unpark();
    handle.join().unwrap();
    // The batch in hand was recorded before the thread ended.
    assert_eq!(store::deliveries::count(&conn).unwrap(), 0);
}

#[test]
fn the_skew_from_answers_date_is_stored_at_most_once_a_minute() {
    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(202);
    // The remote clock is two minutes behind ours.
    let behind = |secs: u64| {
        let date = std::time::SystemTime::now() - Duration::from_secs(secs);
        format!("Date: {}\r\n", httpdate::fmt_http_date(date))
    };
    sink.answer(move |_| (202, behind(120)));
    let now = Timestamp::now();
    let mut worker = worker(&dir);
    queue(&conn, 1, &[sink.inbox("/inbox")], now);
    assert_eq!(worker.run_once(now).unwrap().delivered, 1);
    let (skew, seen) = store::settings::remote_date_skew(&conn).unwrap().unwrap();
    assert!((119..=122).contains(&skew), "{skew}");
    assert_eq!(seen, now);

    // Within the minute: not written again.
    sink.answer(move |_| (202, behind(0)));
    let soon = plus(now, 30_000);
    queue(&conn, 2, &[sink.inbox("/inbox")], soon);
    assert_eq!(worker.run_once(soon).unwrap().delivered, 1);
    assert_eq!(
        store::settings::remote_date_skew(&conn).unwrap(),
        Some((skew, now))
    );

    let later = plus(now, 61_000);
    queue(&conn, 3, &[sink.inbox("/inbox")], later);
    assert_eq!(worker.run_once(later).unwrap().delivered, 1);
    let (skew, seen) = store::settings::remote_date_skew(&conn).unwrap().unwrap();
    assert!((0..=2).contains(&skew), "{skew}");
    assert_eq!(seen, later);
}
