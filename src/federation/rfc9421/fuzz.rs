//! Property tests of the structured-field parser and of `verify_request`: hostile headers
//! never panic, and whatever the parser accepts means one thing (it round-trips).
//! `PERCH_FUZZ_SECONDS=60 cargo test rfc9421::fuzz` runs them longer.

use std::time::{Duration, UNIX_EPOCH};

use proptest::prelude::*;

use super::fields::{parse_dictionary, serialize_dictionary, BareItem, Item, Member};
use super::{verify_request, PublicKey, Request, Window};
use crate::domain::testkit::{fuzz_config, fuzz_for};

fn bare_item() -> impl Strategy<Value = BareItem> {
    prop_oneof![
        (-999_999_999_999_999i64..=999_999_999_999_999).prop_map(BareItem::Integer),
        (-999_999_999_999_999i64..=999_999_999_999_999).prop_map(BareItem::Decimal),
        "[ -~]{0,12}".prop_map(BareItem::String),
        "[a-zA-Z*][a-zA-Z0-9:/!#$%&'*+.^_`|~-]{0,8}".prop_map(BareItem::Token),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(BareItem::Bytes),
        any::<bool>().prop_map(BareItem::Boolean),
    ]
}

fn params() -> impl Strategy<Value = Vec<(String, BareItem)>> {
    prop::collection::btree_map("[a-z*][a-z0-9_.*-]{0,6}", bare_item(), 0..4)
        .prop_map(|m| m.into_iter().collect())
}

fn item() -> impl Strategy<Value = Item> {
    (bare_item(), params()).prop_map(|(bare, params)| Item { bare, params })
}

/// Dictionaries a sender could mean, shaped like Signature-Input and Signature.
fn dictionary() -> impl Strategy<Value = Vec<(String, Member)>> {
    let member = prop_oneof![
        item().prop_map(Member::Item),
        (prop::collection::vec(item(), 0..6), params())
            .prop_map(|(items, params)| Member::InnerList(items, params)),
    ];
    prop::collection::btree_map("[a-z*][a-z0-9_.*-]{0,6}", member, 0..5)
        .prop_map(|m| m.into_iter().collect())
}

/// Text near the grammar: real pieces, stray separators and quotes, sometimes cut short.
fn header_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("sig1=".to_string()),
        Just("(\"@method\" \"@target-uri\" \"content-digest\")".to_string()),
        Just(";created=1800000000".to_string()),
        Just(";keyid=\"k\"".to_string()),
        Just(";alg=\"ed25519\"".to_string()),
        Just(":AQID:".to_string()),
        Just("\"@query-param\";name=\"q\"".to_string()),
        prop::sample::select(vec![
            "(", ")", ";", ",", " ", "\t", "=", "\"", "\\", ":", "?1", "-", "."
        ])
        .prop_map(str::to_string),
        "[ -~]{0,6}",
        "\\PC{0,3}",
    ];
    prop::collection::vec(piece, 0..16).prop_map(|parts| parts.concat())
}

fn any_header() -> impl Strategy<Value = String> {
    prop_oneof![
        header_like(),
        dictionary().prop_map(|d| serialize_dictionary(&d)),
        any::<String>(),
        "[ -~]{0,200}",
    ]
}

#[test]
fn the_parser_never_panics_and_what_it_accepts_round_trips() {
    fuzz_for("structured fields", 2000, |_, config| {
        proptest!(config, |(text in any_header())| {
            if let Ok(dict) = parse_dictionary(&text) {
                let again = parse_dictionary(&serialize_dictionary(&dict));
                prop_assert_eq!(again, Ok(dict), "accepted {:?}", text);
            }
        })
    });
}

#[test]
fn hostile_signature_headers_are_refused_without_panicking() {
    let window = Window {
        max_age: Duration::from_secs(3600),
        max_future: Duration::from_secs(300),
    };
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    fuzz_for("rfc9421 verify", 500, |_, config| {
        proptest!(config, |(input in any_header(), signature in any_header(), post in any::<bool>())| {
            let headers = [
                ("Signature-Input", input.as_str()),
                ("Signature", signature.as_str()),
                ("Content-Digest", "sha-256=:AQID:"),
            ];
            let request = Request {
                method: if post { "POST" } else { "GET" },
                target_uri: "https://perch.example/users/me/inbox?q=1",
                headers: &headers,
                body: if post { b"{}" } else { b"" },
            };
            let key = PublicKey::Ed25519(vec![7; 32]);
            prop_assert!(verify_request(&request, now, window, |_| Some(key.clone())).is_err());
        })
    });
}

proptest! {
    #![proptest_config(fuzz_config(1000))]

    #[test]
    fn meant_dictionaries_are_read_back_exactly(dict in dictionary()) {
        prop_assert_eq!(parse_dictionary(&serialize_dictionary(&dict)), Ok(dict));
    }
}
