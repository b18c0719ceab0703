use super::*;

#[test]
fn the_session_cookie_is_http_only_lax_and_secure_under_https() {
    let plain = session_cookie("v".into(), false);
    assert_eq!(plain.http_only(), Some(true));
    assert_eq!(plain.same_site(), Some(SameSite::Lax));
    assert_ne!(plain.secure(), Some(true));
    assert_eq!(session_cookie("v".into(), true).secure(), Some(true));
}
