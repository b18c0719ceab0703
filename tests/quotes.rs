//! Quote posts with consent (issue 15 item 2, FEP-044f as Mastodon 4.5 does it) between two real
//! Perch instances: B's owner quotes A's posts from B's web page; A answers each QuoteRequest by
//! the post's policy (Accept with a QuoteAuthorization A hosts, or Reject); B shows the quote as a
//! card once the authorization verifies, as a link when refused; A's owner revokes one, and B
//! shows it withdrawn.

use crate::harness::{eventually, follow_and_wait, Instance, AS_JSON};

const PASSWORD: &str = "correct horse battery";

fn instance() -> Instance {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    instance
}

/// A's post from A's web page with a quote policy; its object id.
fn post_with_policy(a: &Instance, text: &str, policy: &str) -> String {
    let mut page = a.logged_in(PASSWORD);
    let csrf = page.csrf("/");
    let posted = page.post_form(
        "/posts",
        &[
            ("csrf", &csrf),
            ("source", text),
            ("visibility", "public"),
            ("quote_policy", policy),
        ],
    );
    assert_eq!(posted.status, 303, "{}", posted.body);
    let location = posted
        .header("location")
        .expect("the post's page")
        .to_string();
    let id = location.rsplit('/').next().unwrap().to_string();
    a.url(&format!("/users/ana/statuses/{id}"))
}

/// B's owner quotes `quoted` from B's page; B's post's page path.
fn quote_from_page(b: &Instance, quoted: &str, text: &str) -> String {
    let mut page = b.logged_in(PASSWORD);
    let form = page.get(&format!(
        "/?quote={}",
        perch::urls::percent_encode_path(quoted)
    ));
    assert!(form.body.contains("name=\"quote\""), "{}", form.body);
    let csrf = crate::harness::csrf_from(&form.body);
    let posted = page.post_form(
        "/posts",
        &[
            ("csrf", &csrf),
            ("source", text),
            ("visibility", "public"),
            ("quote", quoted),
        ],
    );
    assert_eq!(posted.status, 303, "{}", posted.body);
    let location = posted.header("location").expect("the post's page");
    location
        .strip_prefix(&b.url(""))
        .unwrap_or(location)
        .to_string()
}

#[test]
fn quotes_allowed_refused_and_revoked_between_two_perches() {
    let (a, b) = (instance(), instance());
    follow_and_wait(&b, &a);
    let open = post_with_policy(&a, "quote me if you like", "public");
    let closed = post_with_policy(&a, "please do not quote this", "nobody");
    let document = crate::harness::get(&open, AS_JSON).json();
    assert_eq!(
        document["interactionPolicy"]["canQuote"]["automaticApproval"][0],
        "https://www.w3.org/ns/activitystreams#Public"
    );
    let mut b_page = b.logged_in(PASSWORD);
    eventually("B holds A's posts", || {
        let home = b_page.get("/").body;
        home.contains("quote me if you like") && home.contains("please do not quote this")
    });

    // Allowed: A accepts, B verifies A's authorization and shows the card.
    let allowed = quote_from_page(&b, &open, "so true");
    eventually("B's quote is approved", || {
        b_page.get(&allowed).body.contains("quote-card")
    });
    assert!(b_page.get(&allowed).body.contains("quote me if you like"));
    let mut a_page = a.logged_in(PASSWORD);
    let open_page = format!("/@ana/{}", open.rsplit('/').next().unwrap());
    eventually("A's post shows B's quote", || {
        a_page.get(&open_page).body.contains("so true")
    });
    let b_note = b.url(&format!(
        "/users/ana/statuses/{}",
        allowed.rsplit('/').next().unwrap()
    ));
    let b_document = crate::harness::get(&b_note, AS_JSON).json();
    assert_eq!(b_document["quote"], open.as_str());
    let authorization = b_document["quoteAuthorization"]
        .as_str()
        .expect("B's Note carries the authorization")
        .to_string();
    assert!(authorization.starts_with(&a.url("/users/ana/quote_authorizations/")));
    let granted = crate::harness::get(&authorization, AS_JSON).json();
    assert_eq!(granted["type"], "QuoteAuthorization");
    assert_eq!(granted["interactingObject"], b_note.as_str());
    assert_eq!(granted["interactionTarget"], open.as_str());

    // Refused by policy: B shows a plain link.
    let refused = quote_from_page(&b, &closed, "quoting anyway");
    eventually("B's quote is refused", || {
        b_page.get(&refused).body.contains("not approved")
    });
    assert!(!b_page.get(&refused).body.contains("quote-card"));

    // Revoked by A's owner: the authorization is gone and B shows the quote withdrawn.
    let csrf = a_page.csrf(&open_page);
    let revoked = a_page.post_form(
        "/actions/revoke_quote",
        &[("csrf", &csrf), ("uri", &b_note), ("back", &open_page)],
    );
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    assert_eq!(crate::harness::get(&authorization, AS_JSON).status, 404);
    eventually("B's quote is withdrawn", || {
        b_page.get(&allowed).body.contains("withdrawn")
    });
    assert!(!a_page.get(&open_page).body.contains("so true"));
}
