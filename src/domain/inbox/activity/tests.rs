use super::*;
use serde_json::json;

#[test]
fn the_envelope_needs_id_type_and_one_actor() {
    let ok = parse(
        json!({"id": "https://a/1", "type": "Like", "actor": {"id": "https://a/u"},
                          "object": "https://b/2"}),
    )
    .unwrap();
    assert_eq!(
        (ok.kind.as_str(), ok.actor.as_str()),
        ("Like", "https://a/u")
    );
    assert_eq!(ok.object_id().as_deref(), Some("https://b/2"));
    assert_eq!(ok.object_kind(), None);
    for bad in [
        json!({"type": "Like", "actor": "https://a/u"}),
        json!({"id": "urn:x", "type": "Like", "actor": "https://a/u"}),
        json!({"id": "https://a/1", "actor": "https://a/u"}),
        json!({"id": "https://a/1", "type": "Like"}),
        json!({"id": "https://a/1", "type": "Like", "actor": ["https://a/u", "https://a/v"]}),
        json!(["https://a/1"]),
        json!("https://a/1"),
    ] {
        assert!(parse(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn arrays_of_objects_are_read_as_no_object() {
    let many = parse(
        json!({"id": "https://a/1", "type": ["Undo", "Thing"], "actor": "https://a/u",
                            "object": ["https://a/2", "https://a/3"]}),
    )
    .unwrap();
    assert_eq!(many.kind, "Undo");
    assert!(many.object().is_none() && many.object_id().is_none());
    let one = parse(
        json!({"id": "https://a/1", "type": "Undo", "actor": "https://a/u",
                           "object": [{"id": "https://a/2", "type": "Follow"}]}),
    )
    .unwrap();
    assert_eq!(one.object_kind().as_deref(), Some("Follow"));
}
