use std::sync::{Arc, Mutex};

use super::*;
use crate::model::Timestamp;
use crate::store::testing;

type Answers = Arc<Mutex<Vec<(String, Result<bool, NotStored>)>>>;

fn row(id: &str) -> NewInbound {
    NewInbound {
        activity_uri: id.into(),
        actor_uri: "https://a.example/users/alice".into(),
        body: format!("{{\"id\":\"{id}\"}}"),
        received_at: Timestamp(1),
    }
}

fn pending(id: &str, answers: &Answers) -> Pending {
    let (answers, id_owned) = (answers.clone(), id.to_string());
    Pending {
        row: row(id),
        reply: Box::new(move |result| answers.lock().unwrap().push((id_owned, result))),
    }
}

fn stored(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM inbound", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_batch_is_answered_after_its_commit_and_a_duplicate_in_it_is_stored_once() {
    let (_dir, mut conn) = testing::temporary();
    let answers = Answers::default();
    let (sender, receiver) = mpsc::channel();
    for id in [
        "https://a.example/1",
        "https://a.example/2",
        "https://a.example/1",
    ] {
        sender.send(pending(id, &answers)).unwrap();
    }
    let batch = next_batch(&receiver).expect("rows are queued");
    assert_eq!(batch.len(), 3, "everything queued is taken at once");
    assert!(answers.lock().unwrap().is_empty());
    commit(&mut conn, batch);
    let answered: Vec<_> = answers.lock().unwrap().iter().map(|a| a.1).collect();
    assert_eq!(answered, [Ok(true), Ok(true), Ok(false)]);
    assert_eq!(stored(&conn), 2);

    // Across batches too.
    sender
        .send(pending("https://a.example/2", &answers))
        .unwrap();
    commit(&mut conn, next_batch(&receiver).unwrap());
    assert_eq!(answers.lock().unwrap()[3].1, Ok(false));
    assert_eq!(stored(&conn), 2);
    drop(sender);
    assert!(
        next_batch(&receiver).is_none(),
        "no senders: the thread ends"
    );
}

#[test]
fn batches_keep_to_their_limits() {
    let answers = Answers::default();
    let (sender, receiver) = mpsc::channel();
    for i in 0..MAX_BATCH_ROWS + 3 {
        sender
            .send(pending(&format!("https://a.example/{i}"), &answers))
            .unwrap();
    }
    assert_eq!(next_batch(&receiver).unwrap().len(), MAX_BATCH_ROWS);
    assert_eq!(next_batch(&receiver).unwrap().len(), 3);
}

#[test]
fn a_failed_commit_answers_not_stored() {
    let (_dir, mut conn) = testing::temporary();
    conn.execute_batch("DROP TABLE inbound").unwrap();
    let answers = Answers::default();
    let batch = vec![
        pending("https://a.example/1", &answers),
        pending("https://a.example/2", &answers),
    ];
    commit(&mut conn, batch);
    let answered: Vec<_> = answers.lock().unwrap().iter().map(|a| a.1).collect();
    assert_eq!(answered, [Err(NotStored), Err(NotStored)]);
}

#[test]
fn the_thread_answers_every_sender_and_stops_when_they_are_gone() {
    let (dir, conn) = testing::temporary();
    let path = dir.path().join("test.db");
    let (writer, thread) = InboundWriter::spawn(conn).unwrap();
    let (done, answers) = mpsc::channel();
    let senders: Vec<_> = (0..8)
        .map(|t| {
            let (writer, done) = (writer.clone(), done.clone());
            std::thread::spawn(move || {
                for i in 0..50 {
                    let done = done.clone();
                    // Each id is sent twice, by two threads.
                    let id = format!("https://a.example/{}", (t / 2) * 50 + i);
                    writer.submit(row(&id), Box::new(move |r| done.send(r).unwrap()));
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
    drop((writer, done));
    let results: Vec<_> = answers.iter().collect();
    thread.join().unwrap();
    assert_eq!(results.len(), 400);
    assert_eq!(results.iter().filter(|r| **r == Ok(true)).count(), 200);
    assert_eq!(results.iter().filter(|r| **r == Ok(false)).count(), 200);
    let conn = crate::store::open(&path, false).unwrap();
    assert_eq!(stored(&conn), 200);
}
