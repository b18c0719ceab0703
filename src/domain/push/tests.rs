use super::*;
use crate::model::NotificationKind;

fn database() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = crate::store::open(&dir.path().join("perch.db"), true).unwrap();
    (dir, conn)
}

#[test]
fn the_vapid_key_is_made_once_and_kept() {
    let (_dir, conn) = database();
    let first = vapid_public_key(&conn).unwrap();
    assert_eq!(URL_SAFE_NO_PAD.decode(&first).unwrap().len(), 65);
    assert_eq!(vapid_public_key(&conn).unwrap(), first);
}

#[test]
fn keys_are_taken_in_either_base64_alphabet_with_or_without_padding() {
    let key = [4u8; 65];
    for text in [
        URL_SAFE_NO_PAD.encode(key),
        URL_SAFE.encode(key),
        base64::engine::general_purpose::STANDARD.encode(key),
    ] {
        assert_eq!(decode_key(&text).as_deref(), Some(&key[..]), "{text}");
    }
    assert!(valid_policy("none") && !valid_policy("nobody"));
}

#[test]
fn every_alert_switch_is_honoured_for_its_notification_kind() {
    let none = Alerts::default();
    let all = Alerts {
        mention: true,
        status: true,
        reblog: true,
        follow: true,
        follow_request: true,
        favourite: true,
        poll: true,
        ..Alerts::default()
    };
    // Every kind (a new one too): Mastodon has no push alert for a move, and Perch pushes no
    // reports; each other kind has its switch.
    for kind in NotificationKind::ALL {
        let name = notifications::mastodon_type(kind);
        if matches!(kind, NotificationKind::Move | NotificationKind::Report) {
            assert!(!all.wants(name), "{kind:?} is never pushed");
            continue;
        }
        assert!(all.wants(name), "{kind:?} is pushed when its switch is on");
        assert!(!none.wants(name), "{kind:?} is not pushed when it is off");
    }
}
