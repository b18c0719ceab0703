//! Reads over HTTP keep-alive: requests/s and the server's CPU time per request.

use std::process::Command;
use std::time::Duration;

use crate::http;
use crate::report::{error_note, Report};
use crate::server::{Instance, USERNAME};
use crate::{Sizes, AS_JSON, HTML};

/// One read endpoint under keep-alive load.
pub struct ReadFigures {
    pub per_second: f64,
    pub cpu_per_request: Duration,
    pub errors: u64,
}

pub fn measure_get(
    instance: &Instance,
    path: &str,
    headers: &[(&str, &str)],
    connections: usize,
    run: Duration,
    warmup: Duration,
    use_wrk: bool,
) -> ReadFigures {
    let mut probe = http::Connection::open(instance.port).expect("connect to perch");
    let request = probe.get_request(path, headers);
    let answer = probe.send(&request).expect("a first answer");
    assert_eq!(answer.status, 200, "GET {path}: {}", answer.text());
    drop(probe);
    http::load(instance.port, &request, connections, warmup, 200);
    let cpu_before = instance.cpu();
    let (requests, errors, elapsed) = if use_wrk {
        wrk(instance, path, headers, connections, run)
    } else {
        let result = http::load(instance.port, &request, connections, run, 200);
        (result.requests, result.errors, result.elapsed)
    };
    let cpu = instance.cpu().saturating_sub(cpu_before);
    ReadFigures {
        per_second: requests as f64 / elapsed.as_secs_f64(),
        cpu_per_request: cpu / requests.max(1) as u32,
        errors,
    }
}

/// The same run through wrk: (requests, non-2xx or socket errors, duration).
fn wrk(
    instance: &Instance,
    path: &str,
    headers: &[(&str, &str)],
    connections: usize,
    run: Duration,
) -> (u64, u64, Duration) {
    let mut command = Command::new("wrk");
    command.args([
        "-t2",
        &format!("-c{connections}"),
        &format!("-d{}s", run.as_secs().max(1)),
    ]);
    for (name, value) in headers {
        command.args(["-H", &format!("{name}: {value}")]);
    }
    let out = command
        .arg(format!("{}{path}", instance.origin()))
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    let number_after = |marker: &str| -> Option<f64> {
        let line = text.lines().find(|l| l.contains(marker))?;
        let rest = line.split(marker).nth(1)?;
        rest.split_whitespace().next()?.parse().ok()
    };
    // "  123456 requests in 10.00s, 1.2GB read"
    let (requests, seconds) = text
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| {
            let mut parts = l.split_whitespace();
            let requests = parts.next()?.parse::<u64>().ok()?;
            let seconds = parts.nth(2)?.trim_end_matches(',').trim_end_matches('s');
            Some((requests, seconds.parse::<f64>().ok()?))
        })
        .unwrap_or_else(|| panic!("unreadable wrk output: {text}"));
    let errors = number_after("Non-2xx or 3xx responses:").unwrap_or(0.0) as u64;
    (requests, errors, Duration::from_secs_f64(seconds))
}

pub fn reads(instance: &Instance, sizes: &Sizes, note_id: i64, report: &mut Report) {
    let resource = format!(
        "/.well-known/webfinger?resource=acct:{USERNAME}@127.0.0.1:{}",
        instance.port
    );
    let note = format!("/users/{USERNAME}/statuses/{note_id}");
    let outbox = format!("/users/{USERNAME}/outbox?page=true");
    let profile = format!("/@{USERNAME}");
    let actor = format!("/users/{USERNAME}");
    // (name, path, Accept, requests/s target)
    let endpoints: [(&str, &str, &str, f64); 5] = [
        ("WebFinger", &resource, "application/jrd+json", 20_000.0),
        ("actor", &actor, AS_JSON, 20_000.0),
        ("Note", &note, AS_JSON, 20_000.0),
        ("outbox first page", &outbox, AS_JSON, 0.0),
        ("profile page, 20 posts", &profile, HTML, 4_000.0),
    ];
    for (name, path, accept, target) in endpoints {
        eprintln!("bench: reads: {name}");
        let figures = measure_get(
            instance,
            path,
            &[("Accept", accept)],
            sizes.connections,
            sizes.read_run,
            sizes.warmup,
            sizes.use_wrk,
        );
        let what = format!("{name}: requests/s ({} connections)", sizes.connections);
        report.fail_if(
            figures.errors > 0,
            format!("{name}: {} errors", figures.errors),
        );
        let rate = format!("{:.0}", figures.per_second) + &error_note(figures.errors);
        if target > 0.0 {
            report.target(
                "reads",
                what,
                rate,
                format!("≥ {target:.0}"),
                figures.per_second >= target && figures.errors == 0,
            );
        } else {
            report.add("reads", what, rate);
        }
        let cpu_us = figures.cpu_per_request.as_secs_f64() * 1e6;
        let what = format!("{name}: server CPU per request");
        if name == "WebFinger" || name == "actor" || name == "Note" {
            report.target(
                "reads",
                what,
                format!("{cpu_us:.0} µs"),
                "≤ 50 µs",
                cpu_us <= 50.0,
            );
        } else {
            report.add("reads", what, format!("{cpu_us:.0} µs"));
        }
    }
}
