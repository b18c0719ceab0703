//! Property tests of the Signature header parser and the structural check: hostile headers
//! never panic, anything accepted means one thing (it round-trips), and a repeated parameter is
//! always refused. `PROPTEST_CASES=100000 cargo test signatures::fuzz` runs them longer.

use std::time::UNIX_EPOCH;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use proptest::prelude::*;

use super::*;
use crate::domain::testkit::{fuzz_config, fuzz_for};

fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The parameters written back as one canonical header, each as `name=value`.
fn params_of(p: &SignatureParams) -> Vec<String> {
    let mut out = vec![format!("keyId={}", quote(&p.key_id))];
    if let Some(algorithm) = &p.algorithm {
        out.push(format!("algorithm={}", quote(algorithm)));
    }
    out.push(format!("headers={}", quote(&p.headers.join(" "))));
    out.push(format!(
        "signature={}",
        quote(&STANDARD.encode(&p.signature))
    ));
    if let Some(created) = p.created {
        out.push(format!("created={created}"));
    }
    if let Some(expires) = p.expires {
        out.push(format!("expires={expires}"));
    }
    out
}

fn serialize(p: &SignatureParams) -> String {
    params_of(p).join(",")
}

/// Text shaped like a Signature header: known and unknown names, quoted values with escapes
/// and stray quotes, bare tokens, odd separators, sometimes cut short.
fn header_like() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("keyId".to_string()),
        Just("algorithm".to_string()),
        Just("headers".to_string()),
        Just("signature".to_string()),
        Just("created".to_string()),
        Just("expires".to_string()),
        "[a-zA-Z(]{0,6}",
    ];
    let value = prop_oneof![
        "\"[a-zA-Z0-9+/=:#. ()\\-]{0,30}\"",
        "\"[^\"\\\\]{0,10}(\\\\.)?[^\"]{0,10}\"?",
        "[a-z0-9\\-]{0,12}",
        Just("\"(request-target) host date digest\"".to_string()),
        Just("\"AQID\"".to_string()),
        Just("1700000000".to_string()),
        "\\PC{0,8}",
    ];
    let separator = prop_oneof![
        Just(","),
        Just(", "),
        Just(" ,"),
        Just(";"),
        Just(" "),
        Just("")
    ];
    let param = (name, prop_oneof![Just("="), Just(" = "), Just("")], value)
        .prop_map(|(n, eq, v)| format!("{n}{eq}{v}"));
    (
        prop::bool::ANY,
        prop::collection::vec((param, separator), 0..10),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(prefixed, parts, cut)| {
            let mut text = if prefixed {
                "Signature ".to_string()
            } else {
                String::new()
            };
            for (param, separator) in parts {
                text.push_str(&param);
                text.push_str(separator);
            }
            // Cut at a random char boundary, leaving unbalanced quotes and half parameters.
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let at = bounds[cut.index(bounds.len())];
            if at.is_multiple_of(3) {
                text.truncate(at);
            }
            text
        })
}

/// A meant header written in one of the ways senders write it, then lightly damaged: a few
/// characters inserted (quotes, backslashes, separators, anything) or removed.
fn damaged_header() -> impl Strategy<Value = String> {
    let edit = (
        any::<prop::sample::Index>(),
        prop_oneof![
            Just(None),
            prop::sample::select(vec!['"', '\\', ',', '=', ' ', '\t', ';', 'a', '\n', 'é'])
                .prop_map(Some),
            any::<char>().prop_map(Some),
        ],
    );
    (
        valid_params(),
        prop::bool::ANY,
        prop::sample::select(vec![",", ", ", " , ", ",\t"]),
        prop::collection::vec(edit, 0..3),
    )
        .prop_map(|(params, prefixed, separator, edits)| {
            let mut text = params_of(&params).join(separator);
            if prefixed {
                text.insert_str(0, "Signature ");
            }
            for (at, insert) in edits {
                let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
                if bounds.is_empty() {
                    break;
                }
                let at = bounds[at.index(bounds.len())];
                match insert {
                    Some(c) => text.insert(at, c),
                    None => {
                        text.remove(at);
                    }
                }
            }
            text
        })
}

fn any_header() -> impl Strategy<Value = String> {
    prop_oneof![
        damaged_header(),
        header_like(),
        any::<String>(),
        "[ -~]{0,300}"
    ]
}

/// Parameters a sender could legitimately mean.
fn valid_params() -> impl Strategy<Value = SignatureParams> {
    let names = prop::collection::btree_set(
        prop_oneof![
            Just("(request-target)".to_string()),
            Just("(created)".to_string()),
            Just("(expires)".to_string()),
            "[a-z0-9!#$%&'*+.^_`|~-]{1,12}",
        ],
        1..MAX_SIGNED_HEADERS,
    );
    (
        "[^\\p{C}]{1,40}",
        prop::option::of("[^\\p{C}]{0,12}"),
        names,
        prop::collection::vec(any::<u8>(), 1..300),
        prop::option::of(0i64..1_000_000_000_000),
        prop::option::of(0i64..1_000_000_000_000),
    )
        .prop_map(
            |(key_id, algorithm, headers, signature, created, expires)| SignatureParams {
                key_id,
                algorithm,
                headers: headers.into_iter().collect(),
                signature,
                created,
                expires,
            },
        )
}

#[test]
fn the_parser_never_panics_and_what_it_accepts_round_trips() {
    fuzz_for("Signature header", 2000, |_, config| {
        proptest!(config, |(header in any_header())| {
            if let Ok(params) = parse_signature_header(&header) {
                let again = parse_signature_header(&serialize(&params));
                prop_assert_eq!(again, Ok(params), "accepted {:?}", header);
            }
        })
    });
}

proptest! {
    #![proptest_config(fuzz_config(2000))]

    #[test]
    fn meant_parameters_are_read_back_exactly(params in valid_params()) {
        prop_assert_eq!(parse_signature_header(&serialize(&params)), Ok(params));
    }

    #[test]
    fn a_parameter_given_twice_is_refused_whatever_its_values(
        params in valid_params(),
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        other in valid_params(),
    ) {
        let mut list = params_of(&params);
        let repeated = list[which.index(list.len())].clone();
        let name = repeated.split('=').next().unwrap_or_default().to_string();
        // The second copy carries the other parameters' value where it has one.
        let copy = params_of(&other)
            .into_iter()
            .find(|p| p.starts_with(&format!("{name}=")))
            .unwrap_or(repeated);
        let position = at.index(list.len() + 1);
        list.insert(position, copy);
        prop_assert!(
            matches!(parse_signature_header(&list.join(",")), Err(SignatureError::Malformed(_))),
            "{:?}", list
        );
    }

    #[test]
    fn the_structural_check_never_panics(
        method in prop_oneof![Just("POST".to_string()), Just("GET".to_string()), "[A-Z]{0,7}"],
        path in prop_oneof![Just("/inbox".to_string()), "\\PC{0,40}"],
        headers in prop::collection::vec(
            (
                prop_oneof![
                    Just("Signature".to_string()), Just("Digest".to_string()),
                    Just("Date".to_string()), Just("Host".to_string()),
                    Just("content-type".to_string()), "[a-zA-Z-]{1,12}",
                ],
                prop_oneof![
                    any_header(),
                    Just("SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=".to_string()),
                    Just("Tue, 14 Nov 2023 22:13:20 GMT".to_string()),
                ],
            ),
            0..8,
        ),
        body in prop::option::of(prop::collection::vec(any::<u8>(), 0..64)),
        now in 0u64..4_000_000_000,
    ) {
        let request = IncomingRequest { method: &method, path_and_query: &path, headers: &headers, body: body.as_deref() };
        let _ = check(&request, UNIX_EPOCH + Duration::from_secs(now));
    }
}
