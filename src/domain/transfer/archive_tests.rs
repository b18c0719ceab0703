use super::*;

#[test]
fn names_that_leave_the_folder_are_unsafe() {
    for name in [
        "../../x",
        "/etc/passwd",
        "a/../../b",
        "c:\\x",
        "a\\b",
        "C:/x",
    ] {
        assert!(unsafe_name(name), "{name}");
    }
    for name in ["outbox.json", "media_attachments/files/1/a.png", "a..b/c"] {
        assert!(!unsafe_name(name), "{name}");
    }
}

#[test]
fn attachment_urls_name_entries_in_media_attachments() {
    let names: HashSet<String> = ["media_attachments/files/1/original/a.png".to_string()].into();
    assert_eq!(
        media_entry("/system/media_attachments/files/1/original/a.png", &names),
        Ok("media_attachments/files/1/original/a.png".to_string())
    );
    assert!(media_entry("media_attachments/../outbox.json", &names).is_err());
    assert!(media_entry("media_attachments/files/2.png", &names).is_err());
    assert!(media_entry("actor.json", &names).is_err());
}

#[test]
fn visibility_follows_the_addressing() {
    let note = |to: Value, cc: Value| Note {
        kind: "Note".into(),
        id: "https://old.example/1".into(),
        published: "2020-01-01T00:00:00Z".into(),
        content: None,
        summary: None,
        sensitive: None,
        in_reply_to: None,
        to,
        cc,
        content_map: None,
        attachment: Value::Null,
        tag: Value::Null,
    };
    let followers = Some("https://old.example/users/a/followers");
    let public = json!([AS_PUBLIC]);
    let f = json!(["https://old.example/users/a/followers"]);
    assert_eq!(
        visibility(&note(public.clone(), f.clone()), followers),
        Visibility::Public
    );
    assert_eq!(
        visibility(&note(f.clone(), public), followers),
        Visibility::Unlisted
    );
    assert_eq!(
        visibility(&note(f, json!([])), followers),
        Visibility::Followers
    );
    assert_eq!(
        visibility(
            &note(json!(["https://x.example/users/b"]), json!([])),
            followers
        ),
        Visibility::Direct
    );
}
