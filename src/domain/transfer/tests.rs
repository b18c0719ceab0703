use super::csv::{self, BadLine, Row};

#[test]
fn a_bom_crlf_and_quotes_are_read() {
    let text =
        "\u{feff}Account address,Show boosts\r\n\"a@b.example\",true\r\n\"x, \"\"y\"\"\",false\r\n";
    let (rows, bad) = csv::parse(text).unwrap();
    assert!(bad.is_empty());
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].cells, ["Account address", "Show boosts"]);
    assert_eq!(rows[1].cells, ["a@b.example", "true"]);
    assert_eq!(rows[2].cells, ["x, \"y\"", "false"]);
    let rows = csv::without_header(rows, &["Account address"]);
    assert_eq!(rows[0].line, 2);
}

#[test]
fn an_unclosed_quote_is_a_bad_line_and_line_numbers_stay_true() {
    let text = "one.example\n\n\"two\nthree.example";
    let (rows, bad) = csv::parse(text).unwrap();
    assert_eq!(
        rows,
        vec![Row {
            line: 1,
            cells: vec!["one.example".into()]
        }]
    );
    assert_eq!(
        bad,
        vec![BadLine {
            line: 3,
            reason: "a quoted field is not closed".into()
        }]
    );
}

#[test]
fn written_cells_read_back() {
    let written = csv::line(&["a,b", "say \"hi\"", "plain"]);
    let (rows, _) = csv::parse(&written).unwrap();
    assert_eq!(rows[0].cells, ["a,b", "say \"hi\"", "plain"]);
}

#[test]
fn too_large_a_file_is_refused_whole() {
    let text = "a.example\n".repeat(csv::MAX_BYTES / 10 + 1);
    assert!(csv::parse(&text).is_err());
}

#[test]
fn booleans_as_mastodon_writes_them() {
    assert_eq!(csv::boolean(None, true), Ok(true));
    assert_eq!(csv::boolean(Some(&"".into()), false), Ok(false));
    assert_eq!(csv::boolean(Some(&"TRUE".into()), false), Ok(true));
    assert!(csv::boolean(Some(&"maybe".into()), false).is_err());
}
