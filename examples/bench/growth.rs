//! Growth: the same pages at growing post counts, whose time must stay flat; start-up time and
//! database size come from the same instance.

use std::path::Path;
use std::time::Instant;

use perch::urls::Urls;

use crate::reads::measure_get;
use crate::report::{error_note, Report};
use crate::server::{Instance, PASSWORD, USERNAME};
use crate::{seed, Sizes, AS_JSON, HTML};

fn api_answers(instance: &Instance, path: &str, headers: &[(&str, &str)]) -> bool {
    crate::http::Connection::open(instance.port)
        .and_then(|mut c| c.get(path, headers))
        .is_ok_and(|a| a.status == 200)
}

/// Profile, outbox and home timeline at growing post counts; start-up time and database size.
pub fn growth(perch: &Path, sizes: &Sizes, report: &mut Report) {
    let mut instance = Instance::init(perch);
    instance.cli_ok(&["passwd"], &format!("{PASSWORD}\n"));
    let urls = Urls::new(&instance.config());
    let database = instance.database();
    let mut inserted = 0;
    let mut cookie: Option<String> = None;
    let mut token: Option<String> = None;
    // Post count → (database bytes)
    let mut sizes_seen: Vec<(usize, u64)> = Vec::new();
    // Page → CPU µs per request at each count.
    let mut cpu: Vec<(&str, Vec<f64>)> = Vec::new();
    let startup_at = sizes.growth.get(1).copied().unwrap_or(0);
    for &count in &sizes.growth {
        eprintln!("bench: growth: {count} posts");
        let insert_started = Instant::now();
        let newest = seed::posts(&database, &urls, count - inserted, inserted);
        if inserted == 0 {
            seed::notifications(&database, &urls, newest, 40);
        }
        let insert_time = insert_started.elapsed();
        inserted = count;
        sizes_seen.push((count, instance.database_bytes()));
        let first_answer = instance.start();
        if count == startup_at {
            let ms = first_answer.as_secs_f64() * 1e3;
            report.target(
                "footprint",
                format!("start-up to first answer, {count} posts"),
                format!("{ms:.0} ms"),
                "≤ 50 ms",
                ms <= 50.0,
            );
            report.add(
                "footprint",
                format!(
                    "inserting {} posts through perch::store",
                    count - sizes.growth[0]
                ),
                format!("{:.2} s", insert_time.as_secs_f64()),
            );
        }
        // Sessions live in the database: one login serves every restart.
        let cookie = cookie.get_or_insert_with(|| instance.login()).clone();
        let token = token.get_or_insert_with(|| instance.api_token()).clone();
        let api = vec![
            ("Accept", "application/json"),
            ("Authorization", token.as_str()),
        ];
        let mut pages = vec![
            (
                "profile page",
                format!("/@{USERNAME}"),
                vec![("Accept", HTML)],
            ),
            (
                "outbox page",
                format!("/users/{USERNAME}/outbox?page=true"),
                vec![("Accept", AS_JSON)],
            ),
            (
                "home timeline",
                "/".to_string(),
                vec![("Accept", HTML), ("Cookie", &cookie)],
            ),
            (
                "API home timeline, 40",
                "/api/v1/timelines/home?limit=40".to_string(),
                api.clone(),
            ),
            (
                "API notifications",
                "/api/v1/notifications".to_string(),
                api.clone(),
            ),
        ];
        // Built by the accounts helper: measured once it answers.
        if api_answers(&instance, "/api/v1/accounts/verify_credentials", &api) {
            pages.push((
                "API verify_credentials",
                "/api/v1/accounts/verify_credentials".to_string(),
                api.clone(),
            ));
        }
        for (name, path, headers) in &pages {
            let figures = measure_get(
                &instance,
                path,
                headers,
                sizes.growth_connections,
                sizes.growth_run,
                sizes.warmup,
                sizes.use_wrk,
            );
            report.fail_if(
                figures.errors > 0,
                format!("{name} at {count} posts: {} errors", figures.errors),
            );
            let us = figures.cpu_per_request.as_secs_f64() * 1e6;
            report.add(
                "growth",
                format!("{name} at {count} posts"),
                format!(
                    "{:.0} req/s, {us:.0} µs CPU/req{}",
                    figures.per_second,
                    error_note(figures.errors)
                ),
            );
            match cpu.iter_mut().find(|(n, _)| n == name) {
                Some((_, list)) => list.push(us),
                None => cpu.push((name, vec![us])),
            }
        }
        instance.stop();
    }
    for (name, list) in &cpu {
        let (first, last) = (list[0], list[list.len() - 1]);
        let ratio = last / first.max(1.0);
        report.target(
            "growth",
            format!(
                "{name}: CPU/request at {} vs {} posts",
                sizes.growth[sizes.growth.len() - 1],
                sizes.growth[0]
            ),
            format!("× {ratio:.2}"),
            "flat (≤ × 1.5)",
            ratio <= 1.5,
        );
    }
    if let [.., (small_count, small), (big_count, big)] = sizes_seen[..] {
        let per_thousand = (big.saturating_sub(small)) as f64
            / ((big_count - small_count) as f64 / 1_000.0)
            / 1024.0;
        report.add(
            "footprint",
            "database size per 1,000 posts",
            format!(
                "{per_thousand:.0} KiB ({:.1} MiB at {big_count} posts)",
                big as f64 / 1048576.0
            ),
        );
    }
}
