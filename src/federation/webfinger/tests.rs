use super::*;
use crate::config::Config;

fn urls() -> Urls {
    let config = Config::parse(
        "domain = \"social.example\"\nusername = \"ana\"\nhttps = true",
        std::path::Path::new("."),
    )
    .unwrap();
    Urls::new(&config)
}

#[test]
fn resources_that_name_the_owner() {
    let u = urls();
    for yes in [
        "acct:ana@social.example",
        "acct:ANA@Social.Example",
        "ana@social.example",
        "@ana@social.example",
        "https://social.example/users/ana",
        "https://social.example/@ana",
    ] {
        assert!(names_owner(yes, &u, "ana"), "{yes}");
    }
    for no in [
        "acct:bob@social.example",
        "acct:ana@other.example",
        "acct:ana",
        "acct:ana@social.example@evil.example",
        "https://social.example/users/bob",
        "",
    ] {
        assert!(!names_owner(no, &u, "ana"), "{no}");
    }
}

#[test]
fn jrd_has_self_profile_and_subscribe() {
    let doc = jrd(&urls());
    assert_eq!(doc["subject"], "acct:ana@social.example");
    let rels: Vec<&str> = doc["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    assert_eq!(
        rels,
        [
            "http://webfinger.net/rel/profile-page",
            "self",
            "http://ostatus.org/schema/1.0/subscribe"
        ]
    );
    assert!(host_meta(&urls())
        .contains("template=\"https://social.example/.well-known/webfinger?resource={uri}\""));
}
