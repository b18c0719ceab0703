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

fn authorize_request(client_id: &str, redirect_uri: &str) -> AuthorizeRequest {
    AuthorizeRequest {
        response_type: Some("code".into()),
        client_id: Some(client_id.into()),
        redirect_uri: Some(redirect_uri.into()),
        scope: Some("read".into()),
        state: Some("xyz".into()),
        ..AuthorizeRequest::default()
    }
}

fn code_of(answer: Answer) -> String {
    match answer {
        Answer::ShowCode(code) => code,
        Answer::Redirect(to) => url::Url::parse(&to)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned(),
    }
}

#[test]
fn a_code_expires_after_ten_minutes_and_works_once() {
    let (_dir, conn) = testing::temporary();
    let now = Timestamp(1_700_000_000_000);
    let app = register_app(&conn, &registration(OUT_OF_BAND, Some("read write")), now).unwrap();
    let stored = crate::store::oauth::app(&conn, app.id).unwrap().unwrap();
    let request = authorize_request(&app.client_id, OUT_OF_BAND);
    let late = code_of(approve(&conn, &request, now).unwrap());
    let expired = Timestamp(now.0 + CODE_LIFETIME_MS);
    let refused = exchange(&conn, &stored, &late, Some(OUT_OF_BAND), None, expired);
    assert_eq!(refused.unwrap_err().message, "invalid_grant");
    let code = code_of(approve(&conn, &request, now).unwrap());
    let just_in_time = Timestamp(now.0 + CODE_LIFETIME_MS - 1);
    let issued = exchange(&conn, &stored, &code, Some(OUT_OF_BAND), None, just_in_time).unwrap();
    assert_eq!(issued.scopes.to_string(), "read");
    assert!(issued.refresh_token.is_some());
    let again = exchange(&conn, &stored, &code, Some(OUT_OF_BAND), None, just_in_time);
    assert_eq!(again.unwrap_err().status, 400);
}

#[test]
fn a_redirect_carries_the_code_and_state_and_only_registered_uris_are_answered() {
    let (_dir, conn) = testing::temporary();
    let now = Timestamp(1_700_000_000_000);
    let uris = "https://app.example/callback tusky://oauth";
    let app = register_app(&conn, &registration(uris, Some("read")), now).unwrap();
    let to = approve(
        &conn,
        &authorize_request(&app.client_id, "tusky://oauth"),
        now,
    )
    .unwrap();
    let Answer::Redirect(to) = to else {
        panic!("a redirect")
    };
    assert!(to.starts_with("tusky://oauth?code="), "{to}");
    assert!(to.ends_with("&state=xyz"), "{to}");
    let elsewhere = authorize_request(&app.client_id, "https://evil.example/callback");
    assert_eq!(check(&conn, &elsewhere).unwrap_err().status, 400);
    let denied = deny(&conn, &authorize_request(&app.client_id, "tusky://oauth")).unwrap();
    assert!(denied.unwrap().contains("error=access_denied"));
    let mut too_much = authorize_request(&app.client_id, "tusky://oauth");
    too_much.scope = Some("read write".into());
    assert_eq!(check(&conn, &too_much).unwrap_err().status, 400);
}

#[test]
fn pkce_takes_only_s256_and_the_verifier_behind_the_challenge() {
    let (_dir, conn) = testing::temporary();
    let now = Timestamp(1_700_000_000_000);
    let app = register_app(&conn, &registration(OUT_OF_BAND, Some("read")), now).unwrap();
    let stored = crate::store::oauth::app(&conn, app.id).unwrap().unwrap();
    // The challenge computed independently (Python's hashlib and base64).
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk";
    let challenge = "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g";
    let mut request = authorize_request(&app.client_id, OUT_OF_BAND);
    request.code_challenge = Some(challenge.into());
    request.code_challenge_method = Some("plain".into());
    assert_eq!(check(&conn, &request).unwrap_err().status, 400);
    request.code_challenge_method = Some("S256".into());
    let code = code_of(approve(&conn, &request, now).unwrap());
    let wrong = "x".repeat(43);
    let refused = exchange(&conn, &stored, &code, Some(OUT_OF_BAND), Some(&wrong), now);
    assert_eq!(refused.unwrap_err().message, "invalid_grant");
    // The failed attempt spent the code.
    let spent = exchange(
        &conn,
        &stored,
        &code,
        Some(OUT_OF_BAND),
        Some(verifier),
        now,
    );
    assert!(spent.is_err());
    let code = code_of(approve(&conn, &request, now).unwrap());
    assert!(exchange(
        &conn,
        &stored,
        &code,
        Some(OUT_OF_BAND),
        Some(verifier),
        now
    )
    .is_ok());
}

#[test]
fn a_refresh_rotates_the_pair_and_the_owner_sees_and_revokes_the_app() {
    let (_dir, conn) = testing::temporary();
    let now = Timestamp(1_700_000_000_000);
    let app = register_app(&conn, &registration(OUT_OF_BAND, Some("read write")), now).unwrap();
    let stored = crate::store::oauth::app(&conn, app.id).unwrap().unwrap();
    let scopes = Scopes::parse("read write").unwrap();
    let first = issue(&conn, app.id, &scopes, true, now).unwrap();
    let refresh_token = first.refresh_token.clone().unwrap();
    let second = refresh(&conn, &stored, &refresh_token, Some("read"), now).unwrap();
    assert_eq!(second.scopes.to_string(), "read");
    assert!(authenticate(&conn, &first.access_token, now)
        .unwrap()
        .is_none());
    assert!(refresh(&conn, &stored, &refresh_token, None, now).is_err());
    let later = Timestamp(now.0 + 120_000);
    authenticate(&conn, &second.access_token, later)
        .unwrap()
        .unwrap();
    let apps = authorized_apps(&conn).unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].name, "Tusky");
    assert_eq!(apps[0].scopes, vec!["read".to_string()]);
    assert_eq!(apps[0].last_used_at, Some(later));
    revoke_app(&conn, app.id, later).unwrap();
    assert!(authenticate(&conn, &second.access_token, later)
        .unwrap()
        .is_none());
    assert!(authorized_apps(&conn).unwrap().is_empty());
}
