//! The Mastodon client API's foundation against a live `perch serve`: apps, the password
//! grant, bearer tokens and scopes, JSON errors, CORS.

use crate::harness::{post_raw, register_app, Api, Instance};

const PASSWORD: &str = "correct horse battery";

fn instance() -> Instance {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    instance
}

#[test]
fn an_app_logs_in_with_the_password_grant_and_its_token_names_it() {
    let instance = instance();
    let api = Api::login(&instance, PASSWORD, "read write");
    let app = api.get("/api/v1/apps/verify_credentials");
    assert_eq!(app.status, 200, "{}", app.body);
    assert_eq!(app.json()["name"], "perch tests");
    assert_eq!(app.json()["scopes"], serde_json::json!(["read", "write"]));
}

#[test]
fn a_wrong_password_a_foreign_scope_or_a_bad_secret_gets_no_token() {
    let instance = instance();
    let (client_id, client_secret) = register_app(&instance, "read");
    let token = |secret: &str, password: &str, scope: &str| {
        post_raw(
            &instance.url("/oauth/token"),
            &[("Content-Type", "application/json")],
            serde_json::json!({
                "grant_type": "password", "client_id": client_id, "client_secret": secret,
                "username": "x", "password": password, "scope": scope,
            })
            .to_string()
            .as_bytes(),
        )
    };
    assert_eq!(token(&client_secret, "wrong password", "read").status, 400);
    assert_eq!(token(&client_secret, PASSWORD, "read write").status, 400);
    assert_eq!(token("not the secret", PASSWORD, "read").status, 401);
    let granted = token(&client_secret, PASSWORD, "read");
    assert_eq!(granted.status, 200, "{}", granted.body);
    assert_eq!(granted.json()["scope"], "read");
    assert_eq!(granted.json()["token_type"], "Bearer");
}

#[test]
fn requests_without_a_live_token_are_refused_as_json() {
    let instance = instance();
    let mut api = Api::login(&instance, PASSWORD, "read");
    api.token = "forged".into();
    let answer = api.get("/api/v1/apps/verify_credentials");
    assert_eq!(answer.status, 401);
    assert_eq!(answer.json()["error"], "The access token is invalid");
    let missing = api.get("/api/v1/no/such/endpoint");
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"].is_string());
}

#[test]
fn browser_apps_get_cors_on_the_api_but_the_web_page_does_not() {
    let instance = instance();
    let preflight = crate::harness::http_request(
        "OPTIONS",
        &instance.url("/api/v1/timelines/home"),
        &[
            ("Origin", "https://elk.zone"),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "authorization"),
        ],
    );
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(preflight
        .header("access-control-allow-headers")
        .is_some_and(|h| h.contains("Authorization")));
    let api = crate::harness::get(&instance.url("/api/v1/apps/verify_credentials"), "*/*");
    assert_eq!(api.header("access-control-allow-origin"), Some("*"));
    let page = crate::harness::get(&instance.url("/login"), "text/html");
    assert_eq!(page.header("access-control-allow-origin"), None);
}
