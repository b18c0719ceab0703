//! Hostile input: pathological nesting and odd strings must stay fast, flat and panic-free.

use std::time::{Duration, Instant};

use super::*;

// ---- render_markdown: output and limits ----

#[test]
fn output_survives_sanitizing() {
    let source = "# Head\n\nHi @a@x.org #tag https://x.org/p_(q)\n\n> *q* **s** ~~d~~ `c`\n\n\
                  3. one\n4. two\n\n- [l](https://l.org) ![i](https://i.org/i.png)\n\n```\ncode <x>\n```\n\n<b>raw</b>";
    let out = html(source);
    assert_allow_listed(&out);
    let clean = sanitize_remote(&out);
    let strip = |html: &str| {
        html.replace(" target=\"_blank\"", "")
            .replace(" rel=\"nofollow noopener noreferrer\"", "")
            .replace(" rel=\"tag\"", "")
    };
    assert_eq!(strip(&clean), strip(&out));
    assert_eq!(plain_text(&clean, 1000), plain_text(&out, 1000));
}

/// Runs `f` on a small stack, so any recursion over nesting depth shows up as a crash.
fn quickly_on_small_stack(what: &str, f: impl FnOnce() + Send + 'static) {
    let started = Instant::now();
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .unwrap_or_else(|_| panic!("{what} panicked"));
    // A guard against quadratic blow-ups, not a speed target (those are the benchmarks'):
    // generous enough for a loaded CI machine, far below what a blow-up costs.
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "{what} took {took:?}");
}

#[test]
fn pathological_markdown_is_fast_and_flat() {
    let n = 100_000;
    let sources = [
        ">".repeat(n),
        "> ".repeat(n / 2) + "#x",
        "[".repeat(n),
        "[a](".repeat(n / 4),
        "![".repeat(n / 2),
        "*".repeat(n),
        "*a ".repeat(n / 3),
        "**_".repeat(n / 3),
        "~".repeat(n),
        "`".repeat(n),
        "- ".repeat(n / 2),
        "1. ".repeat(n / 3),
        "  - x\n".repeat(n / 6),
        "<".repeat(n),
        "<a>".repeat(n / 3),
        "#".repeat(n),
        "#a".repeat(n / 2),
        "@a".repeat(n / 2),
        "@a@b.".repeat(n / 5),
        "@a@b.c ".repeat(n / 7),
        "https://[".repeat(n / 9),
        "http://".repeat(n / 7),
        "https://x.org/(".repeat(n / 15) + &")".repeat(n / 15),
        "https://x.org/".to_owned() + &")".repeat(n),
        "&#35;x ".repeat(n / 7),
        "a\n".repeat(n / 2),
    ];
    for source in sources {
        let what = format!("render {:?}…", &source[..20.min(source.len())]);
        quickly_on_small_stack(&what, move || assert_balanced(&render(&source).html));
    }
}

#[test]
fn pathological_html_is_fast_and_flat() {
    let shapes = [
        "<blockquote>",
        "<b>",
        "<span>",
        "<div>",
        "<a href=\"https://x\">",
        "<table>",
        "<svg>",
        "<p><script>",
        "<!--",
        "<ul>x<li>",
        "<ol><li>",
        "<dl><dd>",
        "<p><table>",
        "<i><p></i>",
        "</p>",
        "<div title=\"<div>\">",
        "&amp;",
        "<",
        "<b><div></b>",
        "<a><div>",
        "<table><td>",
        "<select><option>",
        "<em><em><em><p>",
    ];
    for shape in shapes {
        let source = shape.repeat(100_000 / shape.len());
        let what = format!("html {:?}…", &source[..12.min(source.len())]);
        quickly_on_small_stack(&what, move || {
            sanitize_remote(&source);
            plain_text(&source, 500);
        });
    }
    let nested = "> ".repeat(10_000) + "deep";
    quickly_on_small_stack("sanitize rendered nesting", move || {
        let out = render(&nested).html;
        assert_eq!(out.matches("<blockquote>").count(), MAX_NESTING);
        assert!(sanitize_remote(&out).contains("deep"));
    });
}

/// A tiny deterministic generator: enough to shake out panics without a dependency.
fn odd_strings() -> Vec<String> {
    let pieces = [
        "\u{301}",
        "\u{202E}",
        "\u{200F}",
        "\u{200D}",
        "\u{FEFF}",
        "\0",
        "🦀",
        "👩‍👩‍👧",
        "é",
        "ي",
        "#",
        "@",
        ".",
        ":",
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "&",
        ";",
        "*",
        "_",
        "~",
        "`",
        "\n",
        "\r",
        "\t",
        " ",
        "h",
        "http://",
        "https://",
        "x.org",
        "a",
        "1",
        "\\",
        "!",
        "-",
        "&#",
        "&#x",
        "<p>",
        "</a>",
        "<a href=",
        "\u{10FFFF}",
        "\u{FFFD}",
        "ß",
        "İ",
    ];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut out = vec![
        String::new(),
        "\u{301}".into(),
        "#\u{301}".into(),
        "@\u{301}@x.org".into(),
        "\u{202E}#rtl @a@b.co".into(),
        "#🦀 @👍@x.org https://🦀.rs/🦀".into(),
        "\0#\0@a@b.c\0".into(),
        "https://x.org:99999999/".into(),
        "@a@b.com:".into(),
        "#İstanbul #ß".into(),
    ];
    for _ in 0..3000 {
        let mut s = String::new();
        for _ in 0..(seed % 24) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        out.push(s);
    }
    out
}

#[test]
fn odd_input_never_panics() {
    for s in odd_strings() {
        let r = render(&s);
        assert_allow_listed(&r.html);
        assert_balanced(&r.html);
        assert_allow_listed(&sanitize_remote(&s));
        for max in [0, 1, 2, 5, 1000] {
            let text = plain_text(&s, max);
            assert!(text.chars().count() <= max, "{s:?}");
        }
    }
}
