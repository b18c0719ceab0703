//! The RFC's component and structured-field shapes, read and written as the RFC spells them.

use super::fields::{self, BareItem, Item, Member};
use super::tests::only_member;
use super::*;

#[test]
fn derived_components_follow_the_rfc() {
    let headers = [("X-Multi", " one "), ("x-multi", "two\t"), ("Host", "h")];
    let request = Request {
        method: "GET",
        target_uri: "https://WWW.Example.com:8443/a%20b?x=1&q=a+b%2Fc&q=2",
        headers: &headers,
        body: b"",
    };
    let input = "s=(\"@method\" \"@authority\" \"@scheme\" \"@path\" \"@query\" \
                 \"@request-target\" \"x-multi\" \"@query-param\";name=\"q\");created=1";
    let Member::InnerList(items, params) = only_member(input) else {
        unreachable!()
    };
    let base = signature_base(&request, &items, &params).unwrap();
    assert_eq!(
        base,
        "\"@method\": GET\n\
         \"@authority\": www.example.com:8443\n\
         \"@scheme\": https\n\
         \"@path\": /a%20b\n\
         \"@query\": ?x=1&q=a+b%2Fc&q=2\n\
         \"@request-target\": /a%20b?x=1&q=a+b%2Fc&q=2\n\
         \"x-multi\": one, two\n\
         \"@query-param\";name=\"q\": a%20b%2Fc\n\
         \"@query-param\";name=\"q\": 2\n\
         \"@signature-params\": (\"@method\" \"@authority\" \"@scheme\" \"@path\" \"@query\" \
         \"@request-target\" \"x-multi\" \"@query-param\";name=\"q\");created=1"
    );
    let refused = |input: &str| {
        let Member::InnerList(items, params) = only_member(input) else {
            unreachable!()
        };
        signature_base(&request, &items, &params).unwrap_err()
    };
    assert_eq!(
        refused("s=(\"absent\")"),
        Reason::MissingComponent("absent".into())
    );
    assert_eq!(
        refused("s=(\"x-multi\";sf)"),
        Reason::UnsupportedComponent("x-multi".into())
    );
    assert_eq!(
        refused("s=(\"@status\")"),
        Reason::UnsupportedComponent("@status".into())
    );
    assert!(matches!(refused("s=(\"X-Multi\")"), Reason::Malformed(_)));
    assert!(matches!(
        refused("s=(\"@method\" \"@method\")"),
        Reason::Malformed(_)
    ));
    assert!(matches!(
        refused("s=(\"@signature-params\")"),
        Reason::Malformed(_)
    ));
    assert!(matches!(refused("s=(tok)"), Reason::Malformed(_)));
}

#[test]
fn fields_parse_and_serialise_the_rfc_8941_shapes() {
    let text = "a=1, b=-2.5;x, c=(\"s\\\\\" t:/1 ?0 :AQID:);p=*t, d;q=\"v\"";
    let dict = fields::parse_dictionary(text).unwrap();
    assert_eq!(dict.len(), 4);
    assert_eq!(
        dict[1].1,
        Member::Item(Item {
            bare: BareItem::Decimal(-2500),
            params: vec![("x".into(), BareItem::Boolean(true))],
        })
    );
    assert_eq!(
        fields::serialize_dictionary(&dict),
        "a=1, b=-2.5;x, c=(\"s\\\\\" t:/1 ?0 :AQID:);p=*t, d;q=\"v\""
    );
    for bad in [
        "a=",
        "a=1,",
        "a=(1",
        "a=\"x",
        "a=1 b=2",
        "a=1234567890123456",
        "a=?2",
        "a=1.2345",
    ] {
        assert!(fields::parse_dictionary(bad).is_err(), "{bad}");
    }
    assert_eq!(fields::parse_dictionary("  "), Ok(Vec::new()));
}
