//! Perch's benchmark suite (issue 6): starts real `perch serve` processes on temporary databases,
//! loads them over loopback and prints one table of figures against the targets.
//!
//! ```text
//! cargo run --release --example bench            # the full suite (about 5 minutes)
//! cargo run --example bench -- --quick           # small counts, for CI: it must keep working
//! ```
//! Options: `--perch PATH` (the binary to test; default: the `perch` cargo builds beside this
//! example), `--connections N` (keep-alive connections for reads, default 32), `--no-wrk` (use the
//! built-in load generator even when `wrk` is installed), `--only reads,inbox,fanout,growth,backfill`.

mod backfill;
mod fanout;
mod growth;
mod http;
mod inbox;
mod reads;
mod report;
mod seed;
mod server;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use perch::federation::keys::VerifyingKey;
use perch::store::follows::Direction;
use perch::urls::Urls;

use report::Report;
use server::Instance;

const AS_JSON: &str = "application/activity+json";
const HTML: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// How big each run is.
struct Sizes {
    quick: bool,
    read_run: Duration,
    warmup: Duration,
    connections: usize,
    inbox_actors: usize,
    inbox_activities: usize,
    inbox_senders: usize,
    followers: usize,
    servers: usize,
    growth: Vec<usize>,
    growth_run: Duration,
    growth_connections: usize,
    use_wrk: bool,
    /// `--only a,b`: run just these of reads, inbox, fanout, growth, backfill.
    only: Option<Vec<String>>,
}

impl Sizes {
    fn runs(&self, name: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|o| o == name))
    }

    fn from_args() -> (Sizes, Option<PathBuf>) {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let quick = args.iter().any(|a| a == "--quick");
        let value = |name: &str| {
            args.iter()
                .position(|a| a == name)
                .and_then(|i| args.get(i + 1))
                .cloned()
        };
        let connections = value("--connections")
            .map(|n| n.parse().expect("--connections takes a number"))
            .unwrap_or(32);
        let perch = value("--perch").map(PathBuf::from);
        let only = value("--only").map(|list| list.split(',').map(str::to_string).collect());
        let use_wrk = !args.iter().any(|a| a == "--no-wrk") && which("wrk");
        let sizes = if quick {
            Sizes {
                quick,
                read_run: Duration::from_secs(2),
                warmup: Duration::from_millis(200),
                connections,
                inbox_actors: 10,
                inbox_activities: 300,
                inbox_senders: 64,
                followers: 100,
                servers: 10,
                growth: vec![100, 1_000],
                growth_run: Duration::from_secs(1),
                growth_connections: 8,
                use_wrk,
                only,
            }
        } else {
            Sizes {
                quick,
                read_run: Duration::from_secs(10),
                warmup: Duration::from_secs(1),
                connections,
                inbox_actors: 100,
                inbox_activities: 10_000,
                inbox_senders: 64,
                followers: 10_000,
                servers: 1_000,
                growth: vec![100, 10_000, 100_000],
                growth_run: Duration::from_secs(5),
                growth_connections: 8,
                use_wrk,
                only,
            }
        };
        (sizes, perch)
    }
}

/// Other work on the machine skews every figure: the table says how busy it was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn main() {
    let (sizes, perch) = Sizes::from_args();
    let perch = perch.unwrap_or_else(built_perch);
    let started = Instant::now();
    eprintln!(
        "bench: {} run of {} ({} load generator)",
        if sizes.quick { "quick" } else { "full" },
        perch.display(),
        if sizes.use_wrk { "wrk" } else { "built-in" }
    );
    let mut report = Report {
        rows: Vec::new(),
        failures: Vec::new(),
    };
    let load_before = load_average();

    let bytes = std::fs::metadata(&perch).map(|m| m.len()).unwrap_or(0);
    let mib = bytes as f64 / (1024.0 * 1024.0);
    report.target(
        "footprint",
        "binary size (stripped in release)",
        format!("{mib:.1} MiB"),
        "≤ 12 MiB",
        mib <= 12.0,
    );

    if sizes.runs("reads") || sizes.runs("inbox") || sizes.runs("fanout") {
        federation_and_reads(&perch, &sizes, &mut report);
    }
    if sizes.runs("growth") {
        growth::growth(&perch, &sizes, &mut report);
    }
    if sizes.runs("backfill") {
        backfill::backfill(&perch, &sizes, &mut report);
    }

    report.add(
        "machine",
        "load average (1 min) before / after the run",
        format!("{load_before} / {}", load_average()),
    );
    println!();
    report.print();
    eprintln!("bench: done in {:.0} s", started.elapsed().as_secs_f64());
    if !report.failures.is_empty() {
        eprintln!("bench: FAILED: {}", report.failures.join("; "));
        std::process::exit(1);
    }
}

/// The perch binary of the same profile as this example, built first: examples do not make
/// cargo build the package's binaries.
fn built_perch() -> PathBuf {
    let release = !cfg!(debug_assertions);
    if let Some(cargo) = std::env::var_os("CARGO") {
        let mut build = Command::new(cargo);
        build
            .args(["build", "--quiet", "--bin", "perch"])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if release {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build");
        assert!(status.success(), "cargo build --bin perch failed");
    }
    let exe = std::env::current_exe().expect("the bench's own path");
    // target/<profile>/examples/bench -> target/<profile>/perch
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the example sits in target/<profile>/examples");
    let perch = profile_dir.join("perch");
    assert!(
        perch.is_file(),
        "{} is missing: build it with cargo build --bin perch, or pass --perch PATH",
        perch.display()
    );
    perch
}

/// Reads, inbox and fan-out share one instance: 100 posts, the followers of the fan-out, and the
/// accounts whose posts arrive in the inbox (followed by the owner, so their posts are kept).
fn federation_and_reads(perch: &Path, sizes: &Sizes, report: &mut Report) {
    let mut instance = Instance::init(perch);
    let config = instance.config();
    let urls = Urls::new(&config);
    let database = instance.database();

    // The fan-out's sinks need the owner's key; they start before the followers are inserted.
    let key_pem = {
        let conn = seed::open(&database);
        perch::domain::instance::public_key_pem(&conn).expect("the owner's public key")
    };
    let sinks = fanout::start(
        sizes.servers,
        fanout::Expect {
            key: VerifyingKey::from_pem(&key_pem).expect("the owner's key reads"),
            key_id: urls.key_id(),
            actor: urls.actor(),
        },
    );
    let followers: Vec<_> = (0..sizes.followers)
        .map(|i| {
            let port = sinks.ports[i % sinks.ports.len()];
            seed::actor(&format!("http://127.0.0.1:{port}"), &format!("f{i}"), None)
        })
        .collect();
    seed::follows(&database, &followers, Direction::In);

    let remote_listener = TcpListener::bind("127.0.0.1:0").expect("a port for remote actors");
    let remote_origin = format!(
        "http://127.0.0.1:{}",
        remote_listener.local_addr().expect("its address").port()
    );
    eprintln!("bench: generating {} RSA keys", sizes.inbox_actors);
    let actors = inbox::actors(&remote_origin, sizes.inbox_actors);
    // Followed, but with no key stored: Perch must fetch each key once.
    let followed: Vec<_> = actors
        .iter()
        .map(|a| {
            let name = a.uri.rsplit('/').next().unwrap_or("a");
            seed::actor(&remote_origin, name, None)
        })
        .collect();
    seed::follows(&database, &followed, Direction::Out);
    let fetched = inbox::serve_actors(remote_listener, remote_origin, &actors);
    let newest = seed::posts(&database, &urls, 100, 0);

    instance.start();
    std::thread::sleep(Duration::from_secs(1));
    let (idle, _) = instance.memory();
    let idle_mib = idle as f64 / 1024.0;
    report.target(
        "footprint",
        "RSS idle after start",
        format!("{idle_mib:.1} MiB"),
        "≤ 12 MiB",
        idle_mib <= 12.0,
    );

    // Each run gets a fresh process, so that its peak RSS is its own.
    if sizes.runs("reads") {
        reads::reads(&instance, sizes, newest, report);
    }
    if sizes.runs("inbox") {
        instance.stop();
        instance.start();
        inbox::run(&instance, sizes, &actors, &fetched, report);
    }
    if sizes.runs("fanout") {
        instance.stop();
        instance.start();
        fanout::run(&instance, sizes, &sinks, report);
    }
    instance.stop();
}
