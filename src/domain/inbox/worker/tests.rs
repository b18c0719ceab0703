use super::*;
use crate::domain::testkit;
use crate::federation::client::ClientConfig;
use crate::store::testing;

#[test]
fn an_idle_worker_forgets_handled_ids_past_their_time_at_most_hourly() {
    let (_dir, conn) = testing::temporary();
    let id = "https://a.example/activities/1";
    inbound::insert(&conn, id, "https://a.example/u", "{}", Timestamp(1)).unwrap();
    let row = inbound::due(&conn, Timestamp(1), 1).unwrap().remove(0);
    inbound::mark_processed(&conn, row.id, None, Timestamp(1)).unwrap();
    let key = SigningKey::from_pkcs8(&testkit::test_key_material().0).unwrap();
    let client = Client::new(ClientConfig::new(false, "Perch/test"));
    let urls = testkit::urls();
    let (client, key) = (Arc::new(client), Arc::new(key));
    let mut worker = InboxWorker::new(conn, client, key, urls.key_id(), urls);
    let known = |worker: &InboxWorker| inbound::status(&worker.conn, id).unwrap().is_some();

    let due = Timestamp(1 + KEEP_HANDLED_MS);
    worker.run_once(due).unwrap();
    assert!(known(&worker), "kept for its whole time");
    worker.run_once(Timestamp(due.0 + 1)).unwrap();
    assert!(known(&worker), "looked at no more than hourly");
    worker.run_once(Timestamp(due.0 + FORGET_EVERY_MS)).unwrap();
    assert!(!known(&worker), "forgotten an hour later");
}
