//! The double knock against a loopback inbox that takes only one kind of signature.

use std::time::SystemTime;

use super::super::knock;
use super::sink::{Seen, Sink};
use super::worker::{key_pair, queue, worker};
use crate::federation::keys::VerifyingKey;
use crate::federation::signatures::{self, IncomingRequest, Scheme};
use crate::model::Timestamp;
use crate::store;

fn is_9421(seen: &Seen) -> bool {
    seen.headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("signature-input"))
}

/// Answers 202 only to a valid RFC 9421 signature (checked with our verifier), 401 otherwise.
fn rfc9421_only(sink: &Sink) {
    let origin = format!("http://{}", sink.host());
    sink.answer(move |seen| {
        let incoming = IncomingRequest {
            method: "POST",
            path_and_query: &seen.path,
            headers: &seen.headers,
            body: Some(&seen.body),
        };
        let public = VerifyingKey::from_pem(&key_pair().1).unwrap();
        let valid = is_9421(seen)
            && signatures::check_any(&incoming, &origin, SystemTime::now())
                .is_ok_and(|pending| pending.verify(&public).is_ok());
        (if valid { 202 } else { 401 }, String::new())
    });
}

#[test]
fn a_host_that_refuses_draft_cavage_gets_rfc9421_on_the_second_knock_and_from_then_on() {
    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(202);
    rfc9421_only(&sink);
    let now = Timestamp::now();
    queue(&conn, 1, &[sink.inbox("/inbox")], now);
    let mut worker = worker(&dir);
    assert_eq!(worker.run_once(now).unwrap().delivered, 1);
    {
        let seen = sink.seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "one knock of each kind");
        assert!(!is_9421(&seen[0]) && is_9421(&seen[1]));
    }
    let learned = knock::known(&conn, &sink.host(), now).unwrap();
    assert_eq!(learned.scheme, Scheme::Rfc9421);

    queue(&conn, 2, &[sink.inbox("/inbox")], now);
    assert_eq!(worker.run_once(now).unwrap().delivered, 1);
    let seen = sink.seen.lock().unwrap();
    assert_eq!(seen.len(), 3, "the learned scheme knocks first");
    assert!(is_9421(&seen[2]));
}

#[test]
fn what_was_learned_is_forgotten_after_a_week_and_a_refusal_of_both_is_retried() {
    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(401);
    let now = Timestamp::now();
    store::signature_schemes::set(&conn, &sink.host(), "rfc9421", now).unwrap();
    let week_later = Timestamp(now.0 + knock::REMEMBER.as_millis() as i64 + 1);
    assert_eq!(
        knock::known(&conn, &sink.host(), week_later)
            .unwrap()
            .scheme,
        Scheme::Cavage
    );
    queue(&conn, 1, &[sink.inbox("/inbox")], now);
    let report = worker(&dir).run_once(now).unwrap();
    assert_eq!(report.retried, 1, "a 401 to both is retried later");
    assert_eq!(sink.requests(), 2);
    // Nothing worked, so what was known stays.
    assert_eq!(
        knock::known(&conn, &sink.host(), now).unwrap().scheme,
        Scheme::Rfc9421
    );
}
