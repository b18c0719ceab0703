use super::*;
use crate::store::testing;

#[test]
fn scopes_cover_their_granular_ones_and_follow_the_legacy_set() {
    let scopes = Scopes::parse("read write:statuses follow").unwrap();
    assert!(scopes.allows("read:notifications"));
    assert!(scopes.allows("write:statuses"));
    assert!(scopes.allows("write:blocks"));
    assert!(!scopes.allows("write:media"));
    assert!(!scopes.allows("write"));
    assert!(!scopes.allows("push"));
    assert!(Scopes::parse("profile").unwrap().allows("read:me"));
    assert!(!Scopes::parse("profile").unwrap().allows("read:statuses"));
}

#[test]
fn unknown_or_empty_scopes_are_refused() {
    assert_eq!(Scopes::parse("read admin").unwrap_err().status, 400);
    assert_eq!(Scopes::parse("  ").unwrap_err().status, 400);
    assert_eq!(
        Scopes::parse("read+write").unwrap().to_string(),
        "read write"
    );
}

fn registration<'a>(uris: &'a str, scopes: Option<&'a str>) -> Registration<'a> {
    Registration {
        name: "Tusky",
        website: Some("https://tusky.app"),
        redirect_uris: uris,
        scopes,
    }
}

#[test]
fn an_app_is_registered_with_its_secret_stored_hashed() {
    let (_dir, conn) = testing::temporary();
    let now = Timestamp(1_700_000_000_000);
    let app = register_app(&conn, &registration(OUT_OF_BAND, Some("read write")), now).unwrap();
    let stored = crate::store::oauth::app_by_client_id(&conn, &app.client_id)
        .unwrap()
        .unwrap();
    assert_ne!(stored.secret_hash, app.client_secret);
    assert!(client(&conn, &app.client_id, &app.client_secret).is_ok());
    assert_eq!(
        client(&conn, &app.client_id, "wrong").unwrap_err().status,
        401
    );
    assert_eq!(
        register_app(&conn, &registration("not a uri", None), now)
            .unwrap_err()
            .status,
        422
    );
}

#[test]
fn a_token_authenticates_until_revoked_and_grants_no_more_than_the_app_has() {
    let (_dir, conn) = testing::temporary();
    let now = Timestamp(1_700_000_000_000);
    let app = register_app(&conn, &registration(OUT_OF_BAND, Some("read write")), now).unwrap();
    let stored = crate::store::oauth::app(&conn, app.id).unwrap().unwrap();
    assert_eq!(granted(&stored, Some("read push")).unwrap_err().status, 400);
    let scopes = granted(&stored, Some("read:statuses")).unwrap();
    let issued = issue(&conn, app.id, &scopes, true, now).unwrap();
    let grant = authenticate(&conn, &issued.access_token, now)
        .unwrap()
        .unwrap();
    assert!(grant.scopes.allows("read:statuses"));
    assert!(!grant.scopes.allows("read:notifications"));
    assert!(authenticate(&conn, "not a token", now).unwrap().is_none());
    crate::store::oauth::revoke_token(&conn, grant.token_id, now).unwrap();
    assert!(authenticate(&conn, &issued.access_token, now)
        .unwrap()
        .is_none());
}
