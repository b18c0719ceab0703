//! The delivery queue's tests: what answers mean and what is queued here; the worker against
//! real loopback inboxes in `worker` and `runs`, served by `sink`.

mod knock;
mod runs;
mod sink;
mod worker;

use super::*;
use crate::store::testing;
use serde_json::json;

fn ok(status: u16, retry_after: Option<u64>) -> Result<PostResponse, FetchError> {
    Ok(PostResponse {
        status,
        retry_after: retry_after.map(Duration::from_secs),
        date_skew: None,
    })
}

fn retry(secs: u64) -> DeliveryOutcome {
    DeliveryOutcome::Retry {
        after: Duration::from_secs(secs),
    }
}

#[test]
fn classify_every_status_class() {
    use DeliveryOutcome::*;
    for status in [200, 201, 202, 204, 299] {
        assert_eq!(classify(&ok(status, None), 1), Delivered, "{status}");
    }
    assert_eq!(classify(&ok(410, None), 1), Gone);
    for status in [400, 403, 404, 405, 413, 422, 451, 499] {
        assert_eq!(
            classify(&ok(status, None), 1),
            Dropped { status },
            "{status}"
        );
    }
    for status in [401, 408, 429, 500, 502, 503, 504, 599, 100, 301, 302] {
        assert_eq!(classify(&ok(status, None), 1), retry(60), "{status}");
    }
    let network = Err(FetchError::Network("connection refused".into()));
    assert_eq!(classify(&network, 1), retry(60));
    assert_eq!(classify(&Err(FetchError::Timeout), 3), retry(15 * 60));
    assert_eq!(
        classify(&Err(FetchError::BadUrl("no host")), 1),
        Dropped { status: 0 }
    );
    assert_eq!(
        classify(&Err(FetchError::Refused("10.0.0.1".into())), 1),
        Dropped { status: 0 }
    );
}

#[test]
fn backoff_grows_and_ends_after_a_dozen_tries_in_two_to_three_days() {
    let mut total = Duration::ZERO;
    let mut last = Duration::ZERO;
    for attempts in 1..MAX_ATTEMPTS {
        let DeliveryOutcome::Retry { after } = classify(&ok(500, None), attempts) else {
            panic!("try {attempts} is retried");
        };
        assert!(after >= last, "try {attempts}");
        last = after;
        total += after;
    }
    assert!(total > Duration::from_secs(48 * 3600) && total < Duration::from_secs(72 * 3600));
    assert_eq!(
        classify(&ok(503, None), MAX_ATTEMPTS),
        DeliveryOutcome::Dropped { status: 503 }
    );
    assert_eq!(
        classify(&Err(FetchError::Timeout), MAX_ATTEMPTS),
        DeliveryOutcome::Dropped { status: 0 }
    );
    // A success or a refusal on the last try is still that.
    assert_eq!(
        classify(&ok(202, None), MAX_ATTEMPTS),
        DeliveryOutcome::Delivered
    );
    assert_eq!(classify(&ok(410, None), 99), DeliveryOutcome::Gone);
}

#[test]
fn retry_after_is_honoured_within_reason() {
    assert_eq!(classify(&ok(429, Some(120)), 1), retry(120));
    assert_eq!(classify(&ok(503, Some(7200)), 2), retry(7200));
    // Never sooner than the backoff says.
    assert_eq!(classify(&ok(503, Some(1)), 5), retry(3600));
    assert_eq!(classify(&ok(429, Some(0)), 1), retry(60));
    // Capped.
    assert_eq!(
        classify(&ok(429, Some(30 * 24 * 3600)), 1),
        DeliveryOutcome::Retry {
            after: MAX_RETRY_AFTER
        }
    );
    // A 2xx with Retry-After is still delivered.
    assert_eq!(classify(&ok(202, Some(60)), 1), DeliveryOutcome::Delivered);
}

#[test]
fn host_failures_are_the_host_in_trouble() {
    for status in [500, 503, 408, 429] {
        assert!(is_host_failure(&ok(status, None)), "{status}");
    }
    for status in [202, 401, 404, 410] {
        assert!(!is_host_failure(&ok(status, None)), "{status}");
    }
    assert!(is_host_failure(&Err(FetchError::Timeout)));
    assert!(!is_host_failure(&Err(FetchError::BadUrl("no host"))));
}

fn inboxes(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn enqueue_deduplicates_and_skips_our_own_origin() {
    let (_dir, conn) = testing::temporary();
    let now = Timestamp(1_700_000_000_000);
    let activity =
        json!({"id": "https://me.example/users/me/statuses/1/activity", "type": "Create"});
    let queued = enqueue(
        &conn,
        &activity,
        &inboxes(&[
            "https://a.example/inbox",
            "https://a.example/inbox",
            "https://a.example/inbox#x",
            "https://A.EXAMPLE/inbox",
            "https://b.example:8443/users/bob/inbox",
            "https://me.example/inbox",
            "https://me.example/users/me/inbox",
            "http://me.example/inbox", // another origin (scheme), kept
            "ftp://c.example/inbox",
            "not a url",
        ]),
        "https://me.example",
        now,
    )
    .unwrap();
    assert_eq!(queued, 3);
    let mut rows: Vec<(String, String)> = conn
        .prepare("SELECT inbox, host FROM deliveries ORDER BY inbox")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.sort();
    assert_eq!(
        rows,
        [
            ("http://me.example/inbox".into(), "me.example".into()),
            ("https://a.example/inbox".into(), "a.example".into()),
            (
                "https://b.example:8443/users/bob/inbox".to_string(),
                "b.example:8443".to_string()
            ),
        ]
    );

    // The same activity again: one body, only the new inbox.
    let again = enqueue(
        &conn,
        &activity,
        &inboxes(&["https://a.example/inbox", "https://d.example/inbox"]),
        "https://me.example/",
        now,
    )
    .unwrap();
    assert_eq!(again, 1);
    assert_eq!(store::deliveries::activity_count(&conn).unwrap(), 1);
    assert_eq!(store::deliveries::count(&conn).unwrap(), 4);

    // Nothing to send: nothing stored.
    let own_only = json!({"id": "https://me.example/activities/2"});
    let none = enqueue(
        &conn,
        &own_only,
        &inboxes(&["https://me.example/inbox"]),
        "https://me.example",
        now,
    );
    assert_eq!(none.unwrap(), 0);
    assert_eq!(store::deliveries::activity_count(&conn).unwrap(), 1);

    assert!(enqueue(
        &conn,
        &json!({"type": "Create"}),
        &inboxes(&["https://a.example/inbox"]),
        "https://me.example",
        now
    )
    .is_err());
}

#[test]
fn our_activities_are_stored_with_the_owners_proof_and_others_as_they_are() {
    let (_dir, conn) = testing::temporary();
    let now = Timestamp(1_700_000_000_000);
    let ours = json!({"@context": "https://www.w3.org/ns/activitystreams",
                      "id": "https://me.example/users/me/statuses/1/activity", "type": "Create",
                      "actor": "https://me.example/users/me", "object": {"content": "hi"}});
    let theirs = json!({"id": "https://a.example/1", "type": "Create",
                        "actor": "https://a.example/users/a"});
    for activity in [&ours, &theirs] {
        enqueue(
            &conn,
            activity,
            &inboxes(&["https://b.example/inbox"]),
            "https://me.example",
            now,
        )
        .unwrap();
    }
    let body = |id: &str| -> serde_json::Value {
        let text: String = conn
            .query_row(
                "SELECT body FROM outbound_activities WHERE uri = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let sent = body("https://me.example/users/me/statuses/1/activity");
    assert_eq!(
        sent["proof"]["verificationMethod"],
        "https://me.example/users/me#ed25519-key"
    );
    assert_eq!(sent["proof"]["created"], "2023-11-14T22:13:20Z");
    assert_eq!(
        sent["@context"],
        json!([
            "https://www.w3.org/ns/activitystreams",
            crate::federation::proofs::DATA_INTEGRITY_CONTEXT
        ])
    );
    let key = proof::owner_key(&conn).unwrap();
    let public = crate::federation::proofs::parse_ed25519_multibase(&key.public_multibase());
    crate::federation::proofs::verify(&sent, &public.unwrap()).unwrap();
    assert_eq!(body("https://a.example/1"), theirs);
    // The key is made once and kept.
    assert_eq!(
        proof::owner_key(&conn).unwrap().public_multibase(),
        key.public_multibase()
    );
}
