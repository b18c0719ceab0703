use super::*;
use crate::store::testing;

#[test]
fn passwords_hash_with_salt_and_verify() {
    let a = hash_password("correct horse");
    let b = hash_password("correct horse");
    assert_ne!(a, b, "salted");
    assert!(verify_password("correct horse", &a));
    assert!(!verify_password("correct horsf", &a));
    assert!(!verify_password("x", "garbage"));
    assert!(!verify_password("x", "pbkdf2-sha256$0$AA$AA"));
    assert!(check_new_password("short").is_err());
}

#[test]
fn login_is_rate_limited_per_address() {
    let (_dir, mut conn) = testing::temporary();
    let now = Timestamp(10_000_000);
    assert_eq!(
        login(&conn, "a", "whatever1", now).unwrap(),
        Err(LoginRefusal::NoPasswordYet)
    );
    set_password(&mut conn, "right password").unwrap();
    for _ in 0..MAX_FAILURES_PER_ADDRESS {
        assert_eq!(
            login(&conn, "a", "wrong", now).unwrap(),
            Err(LoginRefusal::WrongPassword)
        );
    }
    assert_eq!(
        login(&conn, "a", "right password", now).unwrap(),
        Err(LoginRefusal::TooManyAttempts)
    );
    assert_eq!(
        login(&conn, "b", "right password", now).unwrap(),
        Ok(()),
        "another address still may"
    );
    let later = Timestamp(now.0 + LOGIN_WINDOW_MS + 1);
    assert_eq!(login(&conn, "a", "right password", later).unwrap(), Ok(()));
}

#[test]
fn password_change_ends_sessions_and_setup_token() {
    let (_dir, mut conn) = testing::temporary();
    settings::set(
        &conn,
        settings::SETUP_TOKEN_HASH,
        token_hash("tok").as_bytes(),
    )
    .unwrap();
    assert!(setup_token_valid(&conn, "tok").unwrap());
    assert!(!setup_token_valid(&conn, "other").unwrap());
    let (cookie, _) = start_session(&conn, "test", Timestamp(5)).unwrap();
    assert!(session(&conn, &cookie, Timestamp(6)).unwrap().is_some());
    set_password(&mut conn, "a new password").unwrap();
    assert!(session(&conn, &cookie, Timestamp(7)).unwrap().is_none());
    assert!(!setup_token_valid(&conn, "tok").unwrap());
}

#[test]
fn idle_sessions_end_and_their_rows_go_at_the_next_login() {
    let (_dir, conn) = testing::temporary();
    let (old, _) = start_session(&conn, "old", Timestamp(1)).unwrap();
    let later = Timestamp(1 + SESSION_IDLE_MS + 1);
    assert!(
        session(&conn, &old, later).unwrap().is_none(),
        "idle too long"
    );
    start_session(&conn, "new", later).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1, "only the new session is kept");
}
