//! OAuth 2 as the Mastodon apps use it, over HTTP against a live `perch serve`: the
//! authorization-code flow through Perch's own login and approve pages (out of band and by
//! redirect, with PKCE), refresh and revoke, the settings page's authorized apps, the metadata
//! document, and every abuse refused with Mastodon's status. Code expiry is a unit test
//! (`domain::oauth::tests`), on a fixed clock.

use crate::harness::{
    csrf_from, form_encode, get, http_request, post_raw, Answer, Browser, Instance,
};

const PASSWORD: &str = "correct horse battery";
const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";
const CALLBACK: &str = "https://app.example/callback";

fn instance() -> Instance {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    instance
}

struct Client {
    id: String,
    secret: String,
}

fn register(instance: &Instance, name: &str, uris: &str, scopes: &str) -> Client {
    let body = form_encode(&[
        ("client_name", name),
        ("redirect_uris", uris),
        ("scopes", scopes),
        ("website", "https://app.example"),
    ]);
    let app = post_raw(
        &instance.url("/api/v1/apps"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(app.status, 200, "{}", app.body);
    let app = app.json();
    Client {
        id: app["client_id"].as_str().unwrap().to_string(),
        secret: app["client_secret"].as_str().unwrap().to_string(),
    }
}

fn authorize_query(
    client: &Client,
    redirect_uri: &str,
    scope: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut fields = vec![
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", redirect_uri),
        ("scope", scope),
    ];
    fields.extend_from_slice(extra);
    format!("/oauth/authorize?{}", form_encode(&fields))
}

/// A path of ours from a Location header (absolute or not).
fn path_of(location: &str) -> String {
    match url::Url::parse(location) {
        Ok(url) => format!("{}?{}", url.path(), url.query().unwrap_or("")),
        Err(_) => location.to_string(),
    }
}

fn query_value(location: &str, name: &str) -> Option<String> {
    url::Url::parse(location)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// What a browser does: open the authorize URL, log in on Perch's page if asked, land on the
/// approve page. Returns the approve page.
fn open_authorize(browser: &mut Browser, path: &str) -> Answer {
    let first = browser.get(path);
    if first.status != 303 {
        return first;
    }
    let login = first
        .header("location")
        .expect("a redirect to the login")
        .to_string();
    assert!(login.starts_with("/login?next="), "{login}");
    let next = query_value(&format!("http://x{login}"), "next").expect("next");
    assert_eq!(browser.get(&login).status, 200);
    let logged_in = browser.post_form("/login", &[("password", PASSWORD), ("next", &next)]);
    assert_eq!(logged_in.status, 303, "{}", logged_in.body);
    let back = logged_in.header("location").unwrap().to_string();
    browser.get(&path_of(&back))
}

/// Hidden fields of the approve form, as the page holds them.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for input in html.split("<input type=\"hidden\" ").skip(1) {
        let attr = |name: &str| {
            let marker = format!("{name}=\"");
            let start = input.find(&marker)? + marker.len();
            let end = input[start..].find('"')? + start;
            Some(
                input[start..end]
                    .replace("&amp;", "&")
                    .replace("&quot;", "\""),
            )
        };
        if let (Some(name), Some(value)) = (attr("name"), attr("value")) {
            fields.push((name, value));
        }
    }
    fields
}

fn decide(browser: &mut Browser, approve_page: &Answer, decision: &str) -> Answer {
    assert_eq!(approve_page.status, 200, "{}", approve_page.body);
    let mut fields = form_fields(&approve_page.body);
    fields.push(("decision".into(), decision.into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post_form("/oauth/authorize", &fields)
}

/// The code on the out-of-band page.
fn shown_code(page: &Answer) -> String {
    assert_eq!(page.status, 200, "{}", page.body);
    let marker = "id=\"code\" type=\"text\" readonly value=\"";
    let start = page.body.find(marker).expect("the code on the page") + marker.len();
    let end = page.body[start..].find('"').unwrap() + start;
    page.body[start..end].to_string()
}

fn token_request(instance: &Instance, client: &Client, fields: &[(&str, &str)]) -> Answer {
    let mut all = vec![
        ("client_id", client.id.as_str()),
        ("client_secret", client.secret.as_str()),
    ];
    all.extend_from_slice(fields);
    post_raw(
        &instance.url("/oauth/token"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form_encode(&all).as_bytes(),
    )
}

fn exchange(
    instance: &Instance,
    client: &Client,
    code: &str,
    redirect_uri: &str,
    verifier: Option<&str>,
) -> Answer {
    let mut fields = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    if let Some(verifier) = verifier {
        fields.push(("code_verifier", verifier));
    }
    token_request(instance, client, &fields)
}

fn bearer_get(instance: &Instance, path: &str, token: &str) -> Answer {
    crate::harness::http_request(
        "GET",
        &instance.url(path),
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Accept", "application/json"),
        ],
    )
}

fn invalid_grant(answer: &Answer) {
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.json()["error"], "invalid_grant");
    assert!(answer.json()["error_description"].is_string());
}

#[test]
fn an_app_logs_in_through_perchs_pages_out_of_band_then_refreshes_and_revokes() {
    let instance = instance();
    let client = register(&instance, "Tusky", OOB, "read write follow push");
    let mut browser = instance.browser();
    let approve = open_authorize(
        &mut browser,
        &authorize_query(&client, OOB, "read write", &[("lang", "en")]),
    );
    assert_eq!(approve.status, 200, "{}", approve.body);
    assert!(approve.body.contains("Tusky"), "the page names the app");
    assert!(
        approve.body.contains("https://app.example"),
        "and its website"
    );
    assert!(
        approve.body.contains("<code>write</code>"),
        "and the scopes"
    );
    assert_eq!(
        approve.header("access-control-allow-origin"),
        None,
        "a cookie page is not CORS-open"
    );
    assert!(!approve
        .header("content-security-policy")
        .unwrap_or("")
        .contains("form-action"));
    let code = shown_code(&decide(&mut browser, &approve, "approve"));
    let token = exchange(&instance, &client, &code, OOB, None);
    assert_eq!(token.status, 200, "{}", token.body);
    assert_eq!(token.json()["scope"], "read write");
    let access = token.json()["access_token"].as_str().unwrap().to_string();
    let refresh = token.json()["refresh_token"].as_str().unwrap().to_string();
    let me = bearer_get(&instance, "/api/v1/apps/verify_credentials", &access);
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["name"], "Tusky");

    // Reuse: the code worked once.
    invalid_grant(&exchange(&instance, &client, &code, OOB, None));

    // Refresh rotates: the old pair stops working.
    let rotated = token_request(
        &instance,
        &client,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    );
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let access2 = rotated.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        bearer_get(&instance, "/api/v1/apps/verify_credentials", &access).status,
        401
    );
    invalid_grant(&token_request(
        &instance,
        &client,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    ));

    // The settings page lists the app with its scopes; revoking there logs it out.
    let settings = browser.get("/settings");
    assert!(
        settings.body.contains("/settings/apps"),
        "settings links the apps page"
    );
    let apps = browser.get("/settings/apps");
    assert_eq!(apps.status, 200);
    assert!(
        apps.body.contains("Tusky") && apps.body.contains("read write"),
        "{}",
        apps.body
    );
    assert!(bearer_get(&instance, "/api/v1/apps/verify_credentials", &access2).status == 200);
    let csrf = csrf_from(&apps.body);
    let app_id = {
        let marker = "/settings/apps/";
        let start = apps.body.find(marker).unwrap() + marker.len();
        let end = apps.body[start..].find('/').unwrap() + start;
        apps.body[start..end].to_string()
    };
    let revoked = browser.post_form(
        &format!("/settings/apps/{app_id}/revoke"),
        &[("csrf", &csrf)],
    );
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    assert_eq!(
        bearer_get(&instance, "/api/v1/apps/verify_credentials", &access2).status,
        401
    );
    assert!(browser
        .get("/settings/apps")
        .body
        .contains("No app has access"));
}

#[test]
fn a_redirect_carries_code_and_state_and_pkce_needs_the_right_verifier() {
    let instance = instance();
    let client = register(
        &instance,
        "Ivory",
        &format!("{CALLBACK} {OOB}"),
        "read write",
    );
    let mut browser = instance.browser();
    // The challenge of this verifier, computed independently (Python's hashlib and base64).
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk";
    let challenge = "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g";
    let pkce = [
        ("state", "s-42"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    let path = authorize_query(&client, CALLBACK, "read", &pkce);
    let approve = open_authorize(&mut browser, &path);
    let answer = decide(&mut browser, &approve, "approve");
    assert_eq!(answer.status, 302, "{}", answer.body);
    let location = answer.header("location").unwrap().to_string();
    assert!(location.starts_with(CALLBACK), "{location}");
    assert_eq!(query_value(&location, "state").as_deref(), Some("s-42"));
    let code = query_value(&location, "code").unwrap();
    invalid_grant(&exchange(
        &instance,
        &client,
        &code,
        CALLBACK,
        Some(&"x".repeat(43)),
    ));

    let approve = open_authorize(&mut browser, &path);
    let code = query_value(
        decide(&mut browser, &approve, "approve")
            .header("location")
            .unwrap(),
        "code",
    )
    .unwrap();
    // Without the verifier (or to another redirect URI) the code is refused, and spent.
    invalid_grant(&exchange(&instance, &client, &code, OOB, Some(verifier)));
    invalid_grant(&exchange(
        &instance,
        &client,
        &code,
        CALLBACK,
        Some(verifier),
    ));

    let approve = open_authorize(&mut browser, &path);
    let code = query_value(
        decide(&mut browser, &approve, "approve")
            .header("location")
            .unwrap(),
        "code",
    )
    .unwrap();
    let token = exchange(&instance, &client, &code, CALLBACK, Some(verifier));
    assert_eq!(token.status, 200, "{}", token.body);
    assert_eq!(token.json()["scope"], "read");

    // `plain` is refused as Mastodon does, on a page: nothing goes to the app.
    let plain = browser.get(&authorize_query(
        &client,
        CALLBACK,
        "read",
        &[
            ("code_challenge", verifier),
            ("code_challenge_method", "plain"),
        ],
    ));
    assert_eq!(plain.status, 400);
    assert_eq!(plain.header("location"), None);

    // Denying tells the app so, with its state.
    let approve = open_authorize(
        &mut browser,
        &authorize_query(&client, CALLBACK, "read", &[("state", "s-43")]),
    );
    let denied = decide(&mut browser, &approve, "deny");
    assert_eq!(denied.status, 302);
    let location = denied.header("location").unwrap();
    assert_eq!(
        query_value(location, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_value(location, "state").as_deref(), Some("s-43"));
}

#[test]
fn stolen_codes_foreign_redirects_and_forged_approvals_are_refused() {
    let instance = instance();
    let client = register(&instance, "Elk", &format!("{CALLBACK} {OOB}"), "read write");
    let other = register(&instance, "Other", OOB, "read write");
    let mut browser = instance.browser();

    // An unregistered redirect URI: an error page, never a redirect.
    let elsewhere = open_authorize(
        &mut browser,
        &authorize_query(&client, "https://evil.example/", "read", &[]),
    );
    assert_eq!(elsewhere.status, 400);
    assert_eq!(elsewhere.header("location"), None);
    assert!(
        elsewhere.body.contains("did not register"),
        "{}",
        elsewhere.body
    );
    // Unknown app, scopes beyond the app's: pages too.
    let unknown = Client {
        id: "nobody".into(),
        secret: String::new(),
    };
    assert_eq!(
        browser
            .get(&authorize_query(&unknown, OOB, "read", &[]))
            .status,
        400
    );
    assert_eq!(
        browser
            .get(&authorize_query(&client, OOB, "read push", &[]))
            .status,
        400
    );

    // Another app's code.
    let approve = open_authorize(&mut browser, &authorize_query(&client, OOB, "read", &[]));
    let code = shown_code(&decide(&mut browser, &approve, "approve"));
    invalid_grant(&exchange(&instance, &other, &code, OOB, None));
    invalid_grant(&exchange(&instance, &client, &code, OOB, None));
    // A made-up code, a wrong client secret.
    invalid_grant(&exchange(&instance, &client, "made-up", OOB, None));
    let wrong_secret = Client {
        id: client.id.clone(),
        secret: "wrong".into(),
    };
    let refused = exchange(&instance, &wrong_secret, "made-up", OOB, None);
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["error"], "invalid_client");
    let grant = token_request(&instance, &client, &[("grant_type", "implicit")]);
    assert_eq!(grant.status, 400);
    assert_eq!(grant.json()["error"], "unsupported_grant_type");

    // An approval without the session's CSRF token, or from another site, mints nothing.
    let approve = open_authorize(
        &mut browser,
        &authorize_query(&client, CALLBACK, "read", &[]),
    );
    let mut fields = form_fields(&approve.body);
    fields.retain(|(k, _)| k != "csrf");
    fields.push(("csrf".into(), "forged".into()));
    fields.push(("decision".into(), "approve".into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let forged = browser.post_form("/oauth/authorize", &fields);
    assert_eq!(forged.status, 403);
    assert_eq!(forged.header("location"), None);
    let mut real: Vec<(String, String)> = form_fields(&approve.body);
    real.push(("decision".into(), "approve".into()));
    let real: Vec<(&str, &str)> = real.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let cross_site = browser.post_form_from("/oauth/authorize", &real, "https://evil.example");
    assert_eq!(cross_site.status, 403);
    // And without any session at all.
    let anonymous = instance.browser().post_form("/oauth/authorize", &real);
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.header("location"), None);
}

#[test]
fn force_login_asks_for_the_password_even_with_a_session() {
    let instance = instance();
    let client = register(&instance, "Phanpy", OOB, "read");
    let mut browser = instance.logged_in(PASSWORD);
    let plain = browser.get(&authorize_query(&client, OOB, "read", &[]));
    assert_eq!(
        plain.status, 200,
        "a session goes straight to the approve page"
    );
    let forced = browser.get(&authorize_query(
        &client,
        OOB,
        "read",
        &[("force_login", "true")],
    ));
    assert_eq!(forced.status, 303);
    let login = forced.header("location").unwrap();
    let next = query_value(&format!("http://x{login}"), "next").unwrap();
    assert!(
        !next.contains("force_login"),
        "no loop back to the login: {next}"
    );
    assert!(next.starts_with("/oauth/authorize?"));
}

#[test]
fn revoked_tokens_and_missing_scopes_are_refused_as_mastodon_does() {
    let instance = instance();
    let client = register(&instance, "toot", OOB, "read write");
    let token = token_request(
        &instance,
        &client,
        &[
            ("grant_type", "password"),
            ("username", "owner"),
            ("password", PASSWORD),
            ("scope", "read"),
        ],
    );
    assert_eq!(token.status, 200, "{}", token.body);
    let access = token.json()["access_token"].as_str().unwrap().to_string();

    // A read token cannot post: 403 (once the statuses endpoint exists on this branch).
    let post = post_raw(
        &instance.url("/api/v1/statuses"),
        &[
            ("Authorization", &format!("Bearer {access}")),
            ("Content-Type", "application/json"),
        ],
        br#"{"status":"not allowed"}"#,
    );
    if post.status == 404 {
        eprintln!("SKIPPED: the scope check on POST /api/v1/statuses (no statuses endpoint on this branch yet)");
    } else {
        assert_eq!(post.status, 403, "{}", post.body);
        assert_eq!(
            post.json()["error"],
            "This action is outside the authorized scopes"
        );
    }

    // Another app cannot revoke it; its own app can, and then it is dead: 401.
    let other = register(&instance, "Other", OOB, "read");
    let revoke = |by: &Client| {
        post_raw(
            &instance.url("/oauth/revoke"),
            &[("Content-Type", "application/json")],
            serde_json::json!({"token": access, "client_id": by.id, "client_secret": by.secret})
                .to_string()
                .as_bytes(),
        )
    };
    assert_eq!(revoke(&other).status, 403);
    // Twice: the second is answered from the grant kept in memory, which revoking must drop.
    for _ in 0..2 {
        assert_eq!(
            bearer_get(&instance, "/api/v1/apps/verify_credentials", &access).status,
            200
        );
    }
    let revoked = revoke(&client);
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(revoked.json(), serde_json::json!({}));
    let dead = bearer_get(&instance, "/api/v1/apps/verify_credentials", &access);
    assert_eq!(dead.status, 401);
    assert_eq!(dead.json()["error"], "The access token is invalid");
    // Revoking again (an unknown token) is still 200, as RFC 7009 says.
    assert_eq!(revoke(&client).status, 200);
}

#[test]
fn the_password_grant_is_rate_limited_with_mastodons_headers() {
    let instance = instance();
    let client = register(&instance, "script", OOB, "read");
    let attempt = |password: &str| {
        let mut fields = vec![
            ("client_id", client.id.as_str()),
            ("client_secret", client.secret.as_str()),
        ];
        fields.extend_from_slice(&[
            ("grant_type", "password"),
            ("username", "owner"),
            ("password", password),
        ]);
        post_raw(
            &instance.url("/oauth/token"),
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("X-Real-IP", "198.51.100.9"),
            ],
            form_encode(&fields).as_bytes(),
        )
    };
    for _ in 0..5 {
        invalid_grant(&attempt("wrong password"));
    }
    let limited = attempt(PASSWORD);
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert!(limited.header("x-ratelimit-limit").is_some());
    assert!(limited.header("x-ratelimit-reset").is_some());
    assert!(limited.json()["error"].is_string());
}

#[test]
fn the_metadata_document_and_cors_match_mastodons() {
    let instance = instance();
    let meta = get(
        &instance.url("/.well-known/oauth-authorization-server"),
        "application/json",
    );
    assert_eq!(meta.status, 200);
    assert_eq!(meta.header("access-control-allow-origin"), Some("*"));
    let meta = meta.json();
    assert_eq!(meta["issuer"], instance.url("/"));
    assert_eq!(
        meta["authorization_endpoint"],
        instance.url("/oauth/authorize")
    );
    assert_eq!(meta["token_endpoint"], instance.url("/oauth/token"));
    assert_eq!(meta["revocation_endpoint"], instance.url("/oauth/revoke"));
    assert_eq!(
        meta["app_registration_endpoint"],
        instance.url("/api/v1/apps")
    );
    assert_eq!(
        meta["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        meta["response_types_supported"],
        serde_json::json!(["code"])
    );
    for grant in [
        "authorization_code",
        "password",
        "client_credentials",
        "refresh_token",
    ] {
        assert!(
            meta["grant_types_supported"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g == grant),
            "{grant}"
        );
    }
    let scopes = meta["scopes_supported"].as_array().unwrap();
    assert!(scopes.iter().any(|s| s == "read:statuses") && scopes.iter().any(|s| s == "profile"));
    assert!(meta["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m == "client_secret_basic"));

    let preflight = http_request(
        "OPTIONS",
        &instance.url("/oauth/token"),
        &[
            ("Origin", "https://phanpy.social"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "content-type, x-custom-thing",
            ),
        ],
    );
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(preflight
        .header("access-control-allow-headers")
        .unwrap()
        .contains("x-custom-thing"));
    let webfinger = get(&instance.url("/.well-known/nodeinfo"), "application/json");
    assert_eq!(webfinger.header("access-control-allow-origin"), Some("*"));
    let authorize = http_request(
        "OPTIONS",
        &instance.url("/oauth/authorize"),
        &[
            ("Origin", "https://phanpy.social"),
            ("Access-Control-Request-Method", "POST"),
        ],
    );
    assert_eq!(authorize.header("access-control-allow-origin"), None);

    // client_secret_basic works for the token endpoint.
    let client = register(&instance, "basic", OOB, "read");
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{}:{}", client.id, client.secret),
    );
    let token = post_raw(
        &instance.url("/oauth/token"),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", &format!("Basic {basic}")),
        ],
        b"grant_type=client_credentials&scope=read",
    );
    assert_eq!(token.status, 200, "{}", token.body);
}
