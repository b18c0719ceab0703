//! Scanners for what we link in the owner's text: hashtags, `@user@domain` mentions, bare URLs.

use url::Url;

use super::FoundMention;

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Combining marks (common blocks), so `#café` spelled with U+0301 stays one tag.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}' | '\u{200C}' | '\u{200D}')
}

/// `#` starts a tag at a line start or after anything but a word character or `&` (`&#35;`).
pub(super) fn hashtag_may_follow(prev: Option<char>) -> bool {
    prev.is_none_or(|c| !is_word_char(c) && c != '&')
}

/// `@` starts a mention outside words, e-mail addresses and paths.
pub(super) fn mention_may_follow(prev: Option<char>) -> bool {
    prev.is_none_or(|c| !is_word_char(c) && !matches!(c, '@' | '/' | '.' | '-'))
}

pub(super) fn url_may_follow(prev: Option<char>) -> bool {
    prev.is_none_or(|c| !is_word_char(c))
}

/// The tag after a `#`: letters, digits, underscores (and marks after the first), not all digits.
pub(super) fn scan_hashtag(text: &str) -> Option<&str> {
    let mut len = 0;
    for c in text.chars() {
        if !(is_word_char(c) || (len > 0 && is_mark(c))) {
            break;
        }
        len += c.len_utf8();
    }
    let tag = &text[..len];
    (!tag.is_empty() && !tag.chars().all(char::is_numeric)).then_some(tag)
}

/// `@user@domain[:port]` at the start of `text`: the mention and the bytes it spans.
pub(super) fn scan_mention(text: &str) -> Option<(FoundMention, usize)> {
    let rest = text.strip_prefix('@')?;
    let user_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        .count();
    let user = &rest[..user_len];
    if user.is_empty() || user.starts_with('.') || user.ends_with('.') {
        return None;
    }
    let rest = rest[user_len..].strip_prefix('@')?;
    let scanned: usize = rest
        .chars()
        .take_while(|&c| c.is_alphanumeric() || c == '-' || c == '.')
        .map(char::len_utf8)
        .sum();
    // A sentence may end right after the domain: "ask @me@example.com."
    let host = rest[..scanned].trim_end_matches(['.', '-']);
    let labels_ok = host
        .split('.')
        .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    if !labels_ok || !(host.contains('.') || host.eq_ignore_ascii_case("localhost")) {
        return None;
    }
    let port = scan_port(&rest[host.len()..]);
    let written = &rest[..host.len() + port.map_or(0, |p| p.len() + 1)];
    // The url crate lower-cases and punycodes the host, and refuses what is no hostname.
    let url = Url::parse(&format!("https://{written}/")).ok()?;
    let domain = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str()?),
        None => url.host_str()?.to_owned(),
    };
    let user = user.to_owned();
    Some((
        FoundMention { user, domain },
        1 + user_len + 1 + written.len(),
    ))
}

/// `:1234` directly after a host, not followed by more of a word.
fn scan_port(text: &str) -> Option<&str> {
    let digits = text.strip_prefix(':')?;
    let len = digits.bytes().take_while(u8::is_ascii_digit).count();
    let ends = !digits[len..].starts_with(is_word_char);
    let port = &digits[..len];
    (ends && port.parse::<u16>().is_ok_and(|p| p > 0)).then_some(port)
}

/// A bare `http://` or `https://` URL at the start of `text`, without trailing punctuation, and
/// the bytes it spans; otherwise how many bytes are plain text.
pub(super) fn scan_url(text: &str) -> Result<(Url, usize), usize> {
    let head = text
        .chars()
        .take(8)
        .collect::<String>()
        .to_ascii_lowercase();
    if !head.starts_with("https://") && !head.starts_with("http://") {
        return Err(1);
    }
    let run: usize = text
        .chars()
        .take_while(|&c| !(c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"')))
        .map(char::len_utf8)
        .sum();
    let mut url = &text[..run];
    // Trailing punctuation ends the sentence, not the URL; a closing bracket belongs to the URL
    // only when it closes one opened inside it ("https://x.org/a_(b)").
    let (mut parens, mut brackets) = (balance(url, '(', ')'), balance(url, '[', ']'));
    while let Some(last) = url.chars().next_back() {
        match last {
            ')' if parens < 0 => parens += 1,
            ']' if brackets < 0 => brackets += 1,
            '.' | ',' | ':' | ';' | '!' | '?' | '\'' | '*' | '_' | '~' => {}
            _ => break,
        }
        url = &url[..url.len() - last.len_utf8()];
    }
    match Url::parse(url) {
        Ok(parsed) if parsed.host_str().is_some_and(|host| !host.is_empty()) => {
            Ok((parsed, url.len()))
        }
        // All of it is plain text, so a run of almost-URLs is scanned once, not once per "http".
        _ => Err(run),
    }
}

/// Opening minus closing brackets.
fn balance(text: &str, open: char, close: char) -> isize {
    text.chars()
        .map(|c| isize::from(c == open) - isize::from(c == close))
        .sum()
}
