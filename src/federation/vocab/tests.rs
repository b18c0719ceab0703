use super::*;
use serde_json::json;

#[test]
fn ids_come_from_strings_objects_and_single_arrays() {
    assert_eq!(id_of(&json!("https://a/x")).as_deref(), Some("https://a/x"));
    assert_eq!(
        id_of(&json!({"id": "https://a/x"})).as_deref(),
        Some("https://a/x")
    );
    assert_eq!(id_of(&json!("javascript:alert(1)")), None);
    assert_eq!(id_of(&json!("https://user:pw@a/x")), None);
    assert_eq!(id_of(&json!(["https://a/x"])), None);
    assert_eq!(
        single_id(Some(&json!(["https://a/x"]))).as_deref(),
        Some("https://a/x")
    );
    assert_eq!(
        single_id(Some(&json!(["https://a/x", "https://a/y"]))),
        None
    );
    let long = format!("https://a/{}", "x".repeat(MAX_URI_BYTES));
    assert_eq!(id_of(&json!(long)), None);
}

#[test]
fn types_and_lists_tolerate_any_shape() {
    assert_eq!(kind(&json!({"type": "Note"})).as_deref(), Some("Note"));
    assert_eq!(
        kind(&json!({"type": [1, "Note", "Page"]})).as_deref(),
        Some("Note")
    );
    assert_eq!(kind(&json!({"type": {"x": 1}})), None);
    assert_eq!(kind(&json!({"type": "x".repeat(65)})), None);
    let many: Vec<String> = (0..500).map(|i| format!("https://a/{i}")).collect();
    assert_eq!(ids(Some(&json!(many)), 10).len(), 10);
    assert_eq!(
        addressees(&json!({"to": "https://a/1", "cc": [{"id": "https://a/2"}, 5]})),
        ["https://a/1", "https://a/2"]
    );
}

#[test]
fn authorities_compare_host_and_port() {
    assert!(same_authority("https://A.example/x", "http://a.example/y"));
    assert!(same_authority(
        "https://a.example:443/x",
        "https://a.example/y"
    ));
    assert!(!same_authority(
        "http://a.example:8001/x",
        "http://a.example:8002/y"
    ));
    assert!(!same_authority(
        "https://a.example/x",
        "https://b.a.example/x"
    ));
    assert!(!same_authority("not a url", "not a url"));
}

#[test]
fn text_and_links_are_capped() {
    assert_eq!(text(Some(&json!("a\u{0}b\ncé")), 3).as_deref(), Some("ab "));
    assert_eq!(prefix_chars("héllo", 2), "hé");
    assert_eq!(
        link(Some(&json!([{"type": "Image", "url": "https://a/i.png"}]))).as_deref(),
        Some("https://a/i.png")
    );
    assert_eq!(link(Some(&json!({"href": "data:x"}))), None);
}

#[test]
fn raw_documents_are_capped() {
    let tags: Vec<Value> = (0..1000).map(|i| json!({"name": i})).collect();
    let raw = capped_raw(&json!({"id": "https://a/1", "tag": tags}));
    let back: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(back["tag"].as_array().unwrap().len(), MAX_TAGS);
    let huge = capped_raw(&json!({"id": "https://a/1", "type": "Note",
                                  "content": "x".repeat(MAX_RAW_BYTES)}));
    assert_eq!(huge, r#"{"id":"https://a/1","type":"Note"}"#);
}

#[test]
fn quotes_are_read_from_every_spelling_fep_044f_first() {
    let quoted = "https://b.example/n/1";
    for field in QUOTE_FIELDS {
        let mut note = json!({"id": "https://a.example/n/2", "type": "Note"});
        note[field] = json!(quoted);
        assert_eq!(quote_of(&note).as_deref(), Some(quoted), "{field}");
    }
    let both = json!({"quote": quoted, "quoteUrl": "https://c.example/n/3",
                      "quoteAuthorization": "https://b.example/auth/1",
                      "id": "https://a.example/n/2", "type": "Note"});
    assert_eq!(quote_of(&both).as_deref(), Some(quoted));
    let note = parse_note(&both).unwrap();
    assert_eq!(
        note.quote_authorization.as_deref(),
        Some("https://b.example/auth/1")
    );
    // Not a URL, or several: no quote.
    assert_eq!(quote_of(&json!({"quote": "javascript:alert(1)"})), None);
    assert_eq!(quote_of(&json!({"quote": [quoted, quoted]})), None);
}
