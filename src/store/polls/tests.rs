use serde_json::json;

use super::*;

#[test]
fn a_mastodon_question_reads_its_options_counts_and_end() {
    let object = json!({
        "type": "Question", "endTime": "2019-05-11T09:03:36Z", "votersCount": 3,
        "oneOf": [
            {"type": "Note", "name": "Dunno", "replies": {"type": "Collection", "totalItems": 2}},
            {"type": "Note", "name": "Yes\u{7}", "replies": {"type": "Collection", "totalItems": 1}},
            {"type": "Note"}
        ]
    });
    let poll = question_of(&object, 7, vec![1, 9]).unwrap();
    assert_eq!(poll.id, 7);
    assert!(!poll.multiple && !poll.closed);
    assert_eq!(
        poll.options.len(),
        2,
        "an option without a name is left out"
    );
    assert_eq!(
        poll.options[1].title, "Yes",
        "control characters are dropped"
    );
    assert_eq!((poll.options[0].votes, poll.voters_count), (2, Some(3)));
    assert_eq!(
        poll.own_votes,
        vec![1],
        "a choice past the options is dropped"
    );
    assert_eq!(
        poll.expires_at,
        Timestamp::parse_rfc3339("2019-05-11T09:03:36Z")
    );
}

#[test]
fn any_of_is_multiple_choice_closed_is_ended_and_notes_are_no_polls() {
    let object = json!({"type": "Question", "closed": "2020-01-01T00:00:00Z",
        "anyOf": [{"name": "a"}, {"name": "b"}]});
    let poll = question_of(&object, 1, Vec::new()).unwrap();
    assert!(poll.multiple && poll.closed);
    assert!(poll.expired(Timestamp(0)));
    let many: Vec<_> = (0..50).map(|i| json!({"name": format!("o{i}")})).collect();
    let big = question_of(&json!({"type": "Question", "oneOf": many}), 1, Vec::new()).unwrap();
    assert_eq!(big.options.len(), MAX_REMOTE_OPTIONS);
    assert!(question_of(
        &json!({"type": "Note", "oneOf": [{"name": "a"}]}),
        1,
        vec![]
    )
    .is_none());
    assert!(question_of(&json!({"type": "Question"}), 1, vec![]).is_none());
}
