use super::*;

#[test]
fn domains_are_normalised() {
    for input in [
        "Bad.Example",
        "https://bad.example/@x",
        "@x@bad.example",
        "bad.example:8443",
    ] {
        assert_eq!(normalise_domain(input).unwrap(), "bad.example", "{input}");
    }
    for input in ["", "localhost", "bad example.com", "a..b", "http://"] {
        assert!(normalise_domain(input).is_err(), "{input}");
    }
}

#[test]
fn muted_words_match_plain_text_case_insensitively() {
    let filter = Filter {
        words: vec!["spoiler".into(), "r&d".into()],
    };
    assert!(filter.hides("<p>Big <b>SPOILER</b> ahead</p>", None));
    assert!(filter.hides("<p>our R&amp;D team</p>", None));
    assert!(filter.hides("<p>fine</p>", Some("Spoilers for the film")));
    assert!(!filter.hides("<p><a href=\"https://spoiler.example\">link</a></p>", None));
    assert!(!Filter { words: vec![] }.hides("<p>spoiler</p>", None));
}
