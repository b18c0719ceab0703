use super::*;
use crate::store::testing;

#[test]
fn profile_is_created_once_and_updates() {
    let (_dir, conn) = testing::temporary();
    assert!(create_if_missing(&conn, "Ana", Timestamp(1)).unwrap());
    assert!(!create_if_missing(&conn, "Other", Timestamp(2)).unwrap());
    let profile = get(&conn, "ana").unwrap().unwrap();
    assert_eq!(profile.display_name, "Ana");
    let fields = vec![Field {
        name: "Site".into(),
        value: "https://ana.example".into(),
    }];
    update(
        &conn,
        &ProfileUpdate {
            display_name: "Ana B",
            bio_source: "*hi*",
            bio_html: "<p><em>hi</em></p>",
            fields: &fields,
            manually_approves_followers: true,
            discoverable: false,
            bot: true,
        },
        Timestamp(5),
    )
    .unwrap();
    let profile = get(&conn, "ana").unwrap().unwrap();
    assert_eq!(profile.display_name, "Ana B");
    assert!(profile.bot);
    assert_eq!(profile.fields, fields);
    assert!(profile.manually_approves_followers);
    assert!(!profile.discoverable);
    assert_eq!(profile.updated_at, Timestamp(5));
    assert_eq!(profile.created_at, Timestamp(1));
}
