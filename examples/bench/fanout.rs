//! The fan-out run's receiving side: one loopback listener per remote "server", each verifying
//! every signature it receives against the owner's public key, as a real server would.

use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use perch::federation::keys::VerifyingKey;
use perch::federation::signatures::{self, IncomingRequest};

use crate::http;
use crate::report::{memory_row, Report};
use crate::server::Instance;
use crate::Sizes;

/// What the sinks saw.
#[derive(Default)]
pub struct Tally {
    /// Servers that received a correctly signed Create of the post.
    pub servers_done: AtomicUsize,
    pub refused: AtomicUsize,
    pub first_refusal: Mutex<Option<String>>,
    /// When the last server got its Create.
    pub last: Mutex<Option<Instant>>,
}

pub struct Sinks {
    pub ports: Vec<u16>,
    pub tally: Arc<Tally>,
}

/// What a sink checks: the signer's key and key id, and the activity to expect.
#[derive(Clone)]
pub struct Expect {
    pub key: VerifyingKey,
    pub key_id: String,
    pub actor: String,
}

/// Starts `servers` listeners, each on its own thread with a small stack.
pub fn start(servers: usize, expect: Expect) -> Sinks {
    let tally = Arc::new(Tally::default());
    let expect = Arc::new(expect);
    let mut ports = Vec::with_capacity(servers);
    for _ in 0..servers {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port for a sink");
        ports.push(listener.local_addr().expect("its address").port());
        let (tally, expect) = (tally.clone(), expect.clone());
        std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(move || {
                let mut done = false;
                for stream in listener.incoming().map_while(Result::ok) {
                    sink(stream, &expect, &tally, &mut done);
                }
            })
            .expect("a sink thread");
    }
    Sinks { ports, tally }
}

/// Answers one connection's requests: 202 for a valid signed Create, 401 otherwise.
fn sink(stream: TcpStream, expect: &Expect, tally: &Tally, done: &mut bool) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    // One request per connection (answered with Connection: close), as many small servers do.
    if let Ok(Some(request)) = http::read_request(&mut reader) {
        let verdict = verify(&request, expect);
        let status = match &verdict {
            Ok(()) => {
                if !*done {
                    *done = true;
                    *tally.last.lock().expect("tally") = Some(Instant::now());
                    tally.servers_done.fetch_add(1, Ordering::SeqCst);
                }
                202
            }
            Err(why) => {
                tally.refused.fetch_add(1, Ordering::SeqCst);
                tally
                    .first_refusal
                    .lock()
                    .expect("tally")
                    .get_or_insert_with(|| why.clone());
                401
            }
        };
        let _ = http::write_response(&mut writer, status, "text/plain", b"", true);
    }
}

/// The checks a receiving server makes: coverage, Digest, Date, the signature with the owner's
/// key, and that the body is a Create by the owner.
fn verify(request: &http::Request, expect: &Expect) -> Result<(), String> {
    if request.method != "POST" || request.target != "/inbox" {
        return Err(format!("{} {}", request.method, request.target));
    }
    let incoming = IncomingRequest {
        method: &request.method,
        path_and_query: &request.target,
        headers: &request.headers,
        body: Some(&request.body),
    };
    let pending =
        signatures::check(&incoming, SystemTime::now()).map_err(|e| format!("check: {e}"))?;
    if pending.key_id != expect.key_id {
        return Err(format!("key id {}", pending.key_id));
    }
    pending
        .verify(&expect.key)
        .map_err(|e| format!("verify: {e}"))?;
    let activity: serde_json::Value =
        serde_json::from_slice(&request.body).map_err(|e| format!("body: {e}"))?;
    if activity["type"] != "Create" || activity["actor"] != expect.actor.as_str() {
        return Err(format!("not our Create: {}", activity["type"]));
    }
    Ok(())
}

pub fn run(instance: &Instance, sizes: &Sizes, sinks: &Sinks, report: &mut Report) {
    eprintln!(
        "bench: fan-out: one post to {} followers on {} servers",
        sizes.followers, sizes.servers
    );
    let peak_reset = instance.reset_peak();
    let started = Instant::now();
    instance.cli_ok(&["post"], "A post for every follower. #bench");
    let posted = started.elapsed();
    let deadline = started + Duration::from_secs(120);
    let tally = &sinks.tally;
    while tally.servers_done.load(std::sync::atomic::Ordering::SeqCst) < sizes.servers
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    let done = tally.servers_done.load(std::sync::atomic::Ordering::SeqCst);
    let last = tally
        .last
        .lock()
        .expect("tally")
        .unwrap_or_else(Instant::now);
    let seconds = last.saturating_duration_since(started).as_secs_f64();
    let (_, peak) = instance.memory();
    let refused = tally.refused.load(std::sync::atomic::Ordering::SeqCst);
    let refusal = tally.first_refusal.lock().expect("tally").clone();
    report.fail_if(
        done < sizes.servers || refused > 0,
        format!(
            "fan-out: {done}/{} servers reached, {refused} refused",
            sizes.servers
        ),
    );
    report.target(
        "fan-out",
        format!(
            "`perch post` until every shared inbox has a verified Create ({} servers)",
            sizes.servers
        ),
        format!("{seconds:.2} s ({done}/{} servers", sizes.servers)
            + &match refusal {
                Some(why) => format!(", {refused} refused, first: {why})"),
                None => ")".into(),
            },
        "≤ 5 s",
        done == sizes.servers && refused == 0 && seconds <= 5.0,
    );
    report.add(
        "fan-out",
        "of which the CLI command (publish and queue)",
        format!("{:.2} s", posted.as_secs_f64()),
    );
    memory_row(report, "fan-out", peak, peak_reset);
}
