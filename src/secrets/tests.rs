use super::*;

fn key(byte: u8) -> SecretKey {
    SecretKey::from_bytes(&[byte; 32]).unwrap()
}

#[test]
fn seal_then_open_gives_the_value_back_and_each_seal_differs() {
    let key = key(7);
    let a = key.seal(b"p256dh bytes");
    let b = key.seal(b"p256dh bytes");
    assert_ne!(a, b, "a fresh nonce per value");
    assert!(!a.windows(12).any(|w| w == b"p256dh bytes"));
    assert_eq!(key.open(&a).unwrap(), b"p256dh bytes");
    assert_eq!(key.open(&b).unwrap(), b"p256dh bytes");
}

#[test]
fn another_key_or_an_altered_value_does_not_open() {
    let sealed = key(1).seal(b"token");
    assert!(key(2).open(&sealed).is_none());
    let mut altered = sealed.clone();
    *altered.last_mut().unwrap() ^= 1;
    assert!(key(1).open(&altered).is_none());
    assert!(key(1).open(&sealed[..10]).is_none());
    assert!(key(1).open(b"").is_none());
}

#[test]
fn the_key_file_is_made_once_with_mode_0600() {
    let dir = std::env::temp_dir().join(format!("perch-secret-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join("perch.db");
    let _ = std::fs::remove_file(key_path(&database));
    let (first, created) = SecretKey::load_or_create(&database).unwrap();
    assert!(created);
    let (second, created) = SecretKey::load_or_create(&database).unwrap();
    assert!(!created);
    assert_eq!(second.open(&first.seal(b"x")).unwrap(), b"x");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(key_path(&database))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
