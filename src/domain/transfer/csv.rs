//! The CSV Mastodon's import and export speak: RFC 4180 quoting, a BOM or CRLF line ends
//! accepted, an optional header row recognised by its first cell. Pure: no database.

/// A file larger than this is refused whole (Mastodon's own limit is 20 MB of upload; a
/// personal account's lists are far smaller).
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// Rows past this are refused whole rather than half-imported.
pub const MAX_ROWS: usize = 50_000;
/// A cell longer than this makes its row a bad line.
pub const MAX_CELL_CHARS: usize = 2_048;

/// One data row with its 1-based line number in the file (for "line 7: …" reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

/// A row that could not be read, by line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub reason: String,
}

/// Splits `text` into rows. Blank lines are skipped; a row with an unterminated quote or an
/// over-long cell is a bad line, and reading goes on with the next line.
pub fn parse(text: &str) -> Result<(Vec<Row>, Vec<BadLine>), String> {
    if text.len() > MAX_BYTES {
        return Err(format!(
            "the file is larger than {} MiB",
            MAX_BYTES / 1024 / 1024
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut broken = None;
        loop {
            let Some(c) = chars.next() else {
                if quoted {
                    broken = Some("a quoted field is not closed".to_string());
                }
                break;
            };
            if quoted {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        cell.push('"');
                    }
                    '"' => quoted = false,
                    '\n' => {
                        line += 1;
                        cell.push('\n');
                    }
                    _ => cell.push(c),
                }
            } else {
                match c {
                    '"' if cell.is_empty() => quoted = true,
                    ',' => cells.push(std::mem::take(&mut cell)),
                    '\r' if chars.peek() == Some(&'\n') => {}
                    '\n' => {
                        line += 1;
                        break;
                    }
                    _ => cell.push(c),
                }
            }
            if cell.chars().count() > MAX_CELL_CHARS && broken.is_none() {
                broken = Some(format!(
                    "a field is longer than {MAX_CELL_CHARS} characters"
                ));
                cell.clear();
            }
        }
        cells.push(cell);
        if let Some(reason) = broken {
            bad.push(BadLine {
                line: start,
                reason,
            });
            continue;
        }
        let cells: Vec<String> = cells.into_iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        rows.push(Row { line: start, cells });
        if rows.len() > MAX_ROWS {
            return Err(format!("the file has more than {MAX_ROWS} rows"));
        }
    }
    Ok((rows, bad))
}

/// Drops a first row that is a header (its first cell one of `headers`, as Mastodon writes
/// them, or a `#`-comment like Mastodon's `#domain`, `#uri`).
pub fn without_header(mut rows: Vec<Row>, headers: &[&str]) -> Vec<Row> {
    let is_header = rows.first().is_some_and(|row| {
        let first = row.cells[0].as_str();
        first.starts_with('#') || headers.iter().any(|h| h.eq_ignore_ascii_case(first))
    });
    if is_header {
        rows.remove(0);
    }
    rows
}

/// One cell as CSV: quoted when it holds a comma, a quote or a line end.
pub fn cell(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// One row with its line end (LF, as Mastodon's exports).
pub fn line(cells: &[&str]) -> String {
    let mut out = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    out.push('\n');
    out
}

/// Mastodon's booleans in CSV: `true`/`false`, with an empty cell taking the default.
pub fn boolean(value: Option<&String>, default: bool) -> Result<bool, String> {
    match value.map(|v| v.to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if v.is_empty() => Ok(default),
        Some(v) if v == "true" || v == "1" => Ok(true),
        Some(v) if v == "false" || v == "0" => Ok(false),
        Some(v) => Err(format!("\"{v}\" is not true or false")),
    }
}
