use super::*;

#[test]
fn field_links_carry_rel_me_and_text_is_escaped() {
    let html = field_value_html("https://ana.example/");
    assert!(
        html.contains("rel=\"nofollow noopener noreferrer me\""),
        "{html}"
    );
    assert!(html.contains(">ana.example</a>"), "{html}");
    assert_eq!(field_value_html("<b>hi</b>"), "&lt;b&gt;hi&lt;/b&gt;");
    assert!(!field_value_html("javascript:alert(1)").contains("<a"));
}
