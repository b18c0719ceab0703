//! Text in and out of posts: the owner's Markdown rendered to the HTML we federate (with hashtags,
//! mentions and bare URLs turned into links), remote HTML reduced to Mastodon's allow-list, and HTML
//! flattened to plain text. Pure functions over strings: no I/O, no other Perch modules.
//!
//! Everything here must be safe on hostile input: no panics, no recursion that depth can blow up,
//! and no scan that goes quadratic (all three are tested at the bottom).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use url::Url;

/// `rel` on every link we write or let through, as Mastodon does.
const LINK_REL: &str = "nofollow noopener noreferrer";
/// Deepest nesting of blockquotes and lists we write, and of elements we hand the HTML parser:
/// html5ever's scope checks walk the stack of open elements, so 10,000 nested `<div>`s cost
/// seconds. Browsers stop at 512.
const MAX_NESTING: usize = 100;
/// Most HTML handed to the parser; callers cap remote strings well below this. Some shapes
/// (text foster-parented out of tables) cost the parser time quadratic in the input.
const MAX_HTML_BYTES: usize = 256 * 1024;

// Element and class lists, space-separated to stay readable.
/// Mastodon's allow-list for remote HTML.
const ALLOWED_TAGS: &str = "p br span a del pre code em strong b i u ul ol li blockquote";
/// Classes Mastodon puts on mention and hashtag links; remote HTML keeps these and no others.
const KEPT_CLASSES: &str = "mention hashtag h-card u-url invisible ellipsis";
/// Elements whose whole content goes, not just the tags: code, styling, embedded documents.
const DROPPED_WITH_CONTENT: &str = "script style template iframe frame frameset noscript noembed \
    noframes object embed applet textarea select svg math title";
/// Elements that end a line in plain text.
const BLOCKS: &str = "p br div li ul ol blockquote pre h1 h2 h3 h4 h5 h6 hr table tr dt dd \
    section article header footer aside nav figure figcaption address details summary main";
/// Elements that never deepen the tree: void ones, and ones the parser closes implicitly
/// (`<p><p>`, `<li><li>`).
const NEVER_NEST: &str = "area base br col embed hr img input link meta param source track wbr \
    p li dt dd tr td th option optgroup rb rt rp caption colgroup thead tbody tfoot html head body";
/// Elements whose content the parser reads as text, not tags.
const RAW_TEXT: &str = "script style textarea title xmp iframe noembed noframes noscript";

fn names(list: &'static str) -> HashSet<&'static str> {
    list.split_whitespace().collect()
}

/// A post's content, ready to federate, and what it refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The post's content HTML, as sent in a Note's `content` (paragraphs `<p>`, line breaks `<br>`).
    pub html: String,
    /// Distinct (case-insensitively), without '#', in first-seen order, original case kept.
    pub hashtags: Vec<String>,
    /// Distinct `@user@domain` found in the text (not inside code or links), first-seen order.
    pub mentions: Vec<Mention>,
}

/// `@user@domain`: `user` as written, `domain` lower-case ASCII (IDN in punycode), with `:port`
/// when one was given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mention {
    pub user: String,
    pub domain: String,
}

/// Renders the owner's Markdown, linking mentions to [`default_mention_url`].
/// `tag_url("rust")` gives the URL of our tag page for `#rust`.
pub fn render_markdown(source: &str, tag_url: &dyn Fn(&str) -> String) -> Rendered {
    render_markdown_with(source, tag_url, &default_mention_url)
}

/// Our guess at a remote profile, `https://{domain}/@{user}` (Mastodon's), until federation
/// resolves the real actor URL.
pub fn default_mention_url(mention: &Mention) -> Option<String> {
    let url = Url::parse(&format!("https://{}/", mention.domain)).ok()?;
    Some(url.join(&format!("@{}", mention.user)).ok()?.into())
}

/// Renders the owner's Markdown. `mention_url` gives the href of a mention; a mention it answers
/// `None` for (or a non-http(s) URL) is left as plain text but still listed in `mentions`.
pub fn render_markdown_with(
    source: &str,
    tag_url: &dyn Fn(&str) -> String,
    mention_url: &dyn Fn(&Mention) -> Option<String>,
) -> Rendered {
    // One line-ending form, so raw HTML blocks split into lines the same way everywhere.
    let source = source.replace("\r\n", "\n").replace('\r', "\n");
    let mut renderer = Renderer {
        tag_url,
        mention_url,
        out: String::with_capacity(source.len() + source.len() / 4),
        pending: String::new(),
        prev: None,
        links: Nesting::default(),
        containers: Nesting::default(),
        in_code_block: false,
        hashtags: Vec::new(),
        mentions: Vec::new(),
        seen: HashSet::new(),
    };
    let mut events = Parser::new_ext(&source, Options::ENABLE_STRIKETHROUGH).peekable();
    while let Some(event) = events.next() {
        let empty_image = matches!(events.peek(), Some(Event::End(TagEnd::Image)));
        renderer.event(event, empty_image);
    }
    renderer.flush();
    Rendered {
        html: renderer.out,
        hashtags: renderer.hashtags,
        mentions: renderer.mentions,
    }
}

/// Walks pulldown-cmark's flat event stream: no recursion, so nesting depth costs nothing.
struct Renderer<'a> {
    tag_url: &'a dyn Fn(&str) -> String,
    mention_url: &'a dyn Fn(&Mention) -> Option<String>,
    out: String,
    /// Text not yet written: pulldown splits text at characters like `_` or `[`, and a hashtag
    /// or URL may straddle the split.
    pending: String,
    /// The character before `pending`, for word boundaries (`None` at a block or line start).
    prev: Option<char>,
    /// Open links and images: an `<a>` is written only outside any other.
    links: Nesting,
    /// Open blockquotes and lists: past [`MAX_NESTING`] their tags (and their items') are not
    /// written, so no parser downstream meets `>` typed 10,000 times.
    containers: Nesting,
    in_code_block: bool,
    hashtags: Vec<String>,
    mentions: Vec<Mention>,
    /// Lower-cased `#tag`s and `@user@domain`s already listed.
    seen: HashSet<String>,
}

/// A stack of open elements, each written or not, and how many are written.
#[derive(Default)]
struct Nesting {
    written: Vec<bool>,
    open: usize,
}

impl Nesting {
    fn push(&mut self, written: bool) -> bool {
        self.written.push(written);
        self.open += usize::from(written);
        written
    }

    fn pop(&mut self) -> bool {
        let written = self.written.pop() == Some(true);
        self.open -= usize::from(written);
        written
    }

    fn innermost_written(&self) -> bool {
        self.written.last() == Some(&true)
    }
}

impl Renderer<'_> {
    fn event(&mut self, event: Event, empty_image: bool) {
        match event {
            Event::Text(text) if self.in_code_block => self.out += &escape(&text),
            // Raw HTML is shown as the text the owner typed, never passed through.
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                self.pending.push_str(&text)
            }
            Event::Code(code) => {
                self.flush();
                self.out += &format!("<code>{}</code>", escape(&code));
                self.prev = code.chars().next_back();
            }
            Event::SoftBreak | Event::HardBreak => {
                self.flush();
                self.out.push_str("<br>");
                self.prev = None;
            }
            Event::Start(tag) => {
                self.flush();
                self.start(tag, empty_image);
            }
            Event::End(tag) => {
                if tag == TagEnd::HtmlBlock {
                    self.pending
                        .truncate(self.pending.trim_end_matches('\n').len());
                }
                self.flush();
                self.end(tag);
            }
            // Rules, and what our options never produce (math, footnotes, task lists).
            _ => self.flush(),
        }
    }

    fn start(&mut self, tag: Tag, empty_image: bool) {
        if !is_inline(&tag.to_end()) {
            self.prev = None;
        }
        let container = matches!(tag, Tag::BlockQuote(_) | Tag::List(_));
        if container && !self.containers.push(self.containers.open < MAX_NESTING) {
            return;
        }
        let html = match tag {
            Tag::Paragraph | Tag::HtmlBlock => "<p>",
            // Mastodon shows no headings.
            Tag::Heading { .. } => "<p><strong>",
            Tag::BlockQuote(_) => "<blockquote>",
            Tag::CodeBlock(_) => {
                self.in_code_block = true;
                "<pre><code>"
            }
            Tag::List(None) => "<ul>",
            Tag::List(Some(1)) => "<ol>",
            Tag::List(Some(start)) => {
                self.out += &format!("<ol start=\"{start}\">");
                return;
            }
            Tag::Item if self.containers.innermost_written() => "<li>",
            Tag::Emphasis => "<em>",
            Tag::Strong => "<strong>",
            Tag::Strikethrough => "<del>",
            Tag::Link {
                link_type: LinkType::Email,
                dest_url,
                ..
            } => return self.open_link(&format!("mailto:{dest_url}"), false),
            Tag::Link { dest_url, .. } => return self.open_link(&dest_url, false),
            // No <img> in post content (like Mastodon): a link to the image, its text the alt
            // text, or the URL when there is none.
            Tag::Image { dest_url, .. } => return self.open_link(&dest_url, empty_image),
            _ => "",
        };
        self.out.push_str(html);
    }

    fn end(&mut self, tag: TagEnd) {
        if !is_inline(&tag) {
            self.prev = None;
        }
        let container = matches!(tag, TagEnd::BlockQuote(_) | TagEnd::List(_));
        if container && !self.containers.pop() {
            return;
        }
        if matches!(tag, TagEnd::Link | TagEnd::Image) {
            if self.links.pop() {
                self.out.push_str("</a>");
            }
            return;
        }
        let html = match tag {
            TagEnd::Paragraph | TagEnd::HtmlBlock => "</p>",
            TagEnd::Heading(_) => "</strong></p>",
            TagEnd::BlockQuote(_) => "</blockquote>",
            TagEnd::CodeBlock => {
                self.in_code_block = false;
                "</code></pre>"
            }
            TagEnd::List(true) => "</ol>",
            TagEnd::List(false) => "</ul>",
            TagEnd::Item if self.containers.innermost_written() => "</li>",
            TagEnd::Emphasis => "</em>",
            TagEnd::Strong => "</strong>",
            TagEnd::Strikethrough => "</del>",
            _ => "",
        };
        self.out.push_str(html);
    }

    /// Writes `<a>` for a safe destination outside any other link; otherwise the link's
    /// content is shown without one.
    fn open_link(&mut self, dest: &str, url_as_text: bool) {
        let href = safe_href(dest).filter(|_| self.links.open == 0);
        if self.links.push(href.is_some()) {
            self.out += &anchor_open(&href.unwrap_or_default());
            if url_as_text {
                self.out += &escape(dest);
            }
        }
    }

    /// Writes the pending text, linking hashtags, mentions and URLs unless inside a link.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.pending);
        if self.links.open > 0 {
            self.out += &escape(&text);
        } else {
            self.linkify(&text);
        }
        self.prev = text.chars().next_back();
        // Keep the allocation for the next run of text.
        self.pending = text;
        self.pending.clear();
    }

    fn linkify(&mut self, text: &str) {
        let (mut written, mut i) = (0, 0); // text[..written] is in `out`; `i` is where we look
        while let Some(c) = text[i..].chars().next() {
            let rest = &text[i..];
            let prev = text[..i].chars().next_back().or(self.prev);
            let found = match c {
                '#' if hashtag_may_follow(prev) => {
                    scan_hashtag(&rest[1..]).map(|tag| (self.hashtag_html(tag), 1 + tag.len()))
                }
                '@' if mention_may_follow(prev) => scan_mention(rest)
                    .map(|(mention, len)| (self.mention_html(mention, &rest[..len]), len)),
                'h' | 'H' if url_may_follow(prev) => match scan_url(rest) {
                    Ok((url, len)) => {
                        let html = anchor_open(url.as_str()) + &escape(&rest[..len]) + "</a>";
                        Some((html, len))
                    }
                    Err(len) => {
                        i += len;
                        continue;
                    }
                },
                '\n' => Some(("<br>".to_owned(), 1)),
                _ => None,
            };
            match found {
                Some((html, len)) => {
                    self.out += &escape(&text[written..i]);
                    self.out.push_str(&html);
                    i += len;
                    written = i;
                }
                None => i += c.len_utf8(),
            }
        }
        self.out += &escape(&text[written..]);
    }

    fn hashtag_html(&mut self, tag: &str) -> String {
        if self.seen.insert(format!("#{}", tag.to_lowercase())) {
            self.hashtags.push(tag.to_owned());
        }
        let href = escape(&(self.tag_url)(tag));
        let tag = escape(tag);
        format!("<a href=\"{href}\" class=\"mention hashtag\" rel=\"tag\">#<span>{tag}</span></a>")
    }

    fn mention_html(&mut self, mention: Mention, written: &str) -> String {
        let href = (self.mention_url)(&mention).filter(|href| {
            Url::parse(href).is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
        });
        let html = match href {
            Some(href) => format!(
                "<span class=\"h-card\"><a href=\"{}\" class=\"u-url mention\">@<span>{}</span></a></span>",
                escape(&href),
                escape(&mention.user)
            ),
            None => escape(written),
        };
        let key = format!("@{}@{}", mention.user.to_lowercase(), mention.domain);
        if self.seen.insert(key) {
            self.mentions.push(mention);
        }
        html
    }
}

/// Inline tags continue the words around them; after any other tag a new word starts.
fn is_inline(tag: &TagEnd) -> bool {
    use TagEnd::*;
    matches!(tag, Emphasis | Strong | Strikethrough | Link | Image)
}

/// The href for a Markdown link: http(s) with a host, or mailto; anything else (relative,
/// javascript:, data:, …) gets no link. The url crate strips the tabs, newlines and leading
/// spaces that browsers ignore, so `java\tscript:` is seen for what it is.
fn safe_href(dest: &str) -> Option<String> {
    let url = Url::parse(dest).ok()?;
    let ok = match url.scheme() {
        "http" | "https" => url.host_str().is_some_and(|host| !host.is_empty()),
        "mailto" => !url.path().is_empty(),
        _ => false,
    };
    ok.then(|| url.into())
}

fn anchor_open(href: &str) -> String {
    let href = escape(href);
    format!("<a href=\"{href}\" rel=\"{LINK_REL}\" target=\"_blank\">")
}

/// Escapes text for HTML content and double- or single-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Combining marks (common blocks), so `#café` spelled with U+0301 stays one tag.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}' | '\u{200C}' | '\u{200D}')
}

/// `#` starts a tag at a line start or after anything but a word character or `&` (`&#35;`).
fn hashtag_may_follow(prev: Option<char>) -> bool {
    prev.is_none_or(|c| !is_word_char(c) && c != '&')
}

/// `@` starts a mention outside words, e-mail addresses and paths.
fn mention_may_follow(prev: Option<char>) -> bool {
    prev.is_none_or(|c| !is_word_char(c) && !matches!(c, '@' | '/' | '.' | '-'))
}

fn url_may_follow(prev: Option<char>) -> bool {
    prev.is_none_or(|c| !is_word_char(c))
}

/// The tag after a `#`: letters, digits, underscores (and marks after the first), not all digits.
fn scan_hashtag(text: &str) -> Option<&str> {
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
fn scan_mention(text: &str) -> Option<(Mention, usize)> {
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
    Some((Mention { user, domain }, 1 + user_len + 1 + written.len()))
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
fn scan_url(text: &str) -> Result<(Url, usize), usize> {
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

/// Remote HTML reduced to Mastodon's allow-list, safe to show as it is.
pub fn sanitize_remote(html: &str) -> String {
    remote_cleaner().clean(&shape_for_parser(html)).to_string()
}

fn remote_cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let tag_attributes = HashMap::from([
            ("a", HashSet::from(["href"])),
            // Mastodon keeps list numbering too.
            ("ol", HashSet::from(["start", "reversed"])),
            ("li", HashSet::from(["value"])),
        ]);
        let classes = names(KEPT_CLASSES);
        let mut builder = ammonia::Builder::empty();
        builder
            .tags(names(ALLOWED_TAGS))
            .clean_content_tags(names(DROPPED_WITH_CONTENT))
            .generic_attributes(HashSet::new())
            .tag_attributes(tag_attributes)
            .allowed_classes(HashMap::from([("a", classes.clone()), ("span", classes)]))
            .url_schemes(HashSet::from(["http", "https"]))
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some(LINK_REL))
            .set_tag_attribute_value("a", "target", "_blank")
            .strip_comments(true)
            .attribute_filter(|element, attribute, value| match (element, attribute) {
                ("ol", "start") | ("li", "value") => value
                    .trim()
                    .parse::<i32>()
                    .ok()
                    .map(|n| n.to_string().into()),
                // Ammonia leaves `class=""` when it removes every class: drop the attribute.
                ("a" | "span", "class") => value
                    .split_ascii_whitespace()
                    .any(|class| KEPT_CLASSES.split(' ').any(|kept| kept == class))
                    .then(|| value.into()),
                _ => Some(value.into()),
            });
        builder
    })
}

/// Input for the HTML parser: cut to [`MAX_HTML_BYTES`], start tags nested deeper than
/// [`MAX_NESTING`] dropped (with their end tags), and headings turned into `<p><strong>` as
/// Mastodon does. The tokenizer is rough on purpose: it only shapes what the HTML parser and
/// the allow-list then check, and other input comes back untouched.
fn shape_for_parser(html: &str) -> Cow<'_, str> {
    let mut cut = html.len().min(MAX_HTML_BYTES);
    while !html.is_char_boundary(cut) {
        cut -= 1;
    }
    let html = &html[..cut];
    // Same byte offsets as `html`, so names and raw-text ends can be matched in lower case.
    let lower = html.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut shaped: Option<String> = None;
    let mut copied = 0; // html[..copied] is in `shaped` already
    let mut depth = 0usize; // counting the dropped elements too
    let mut i = 0;
    while let Some(offset) = lower[i..].find('<') {
        let start = i + offset;
        if lower[start..].starts_with("<!--") {
            i = lower[start..]
                .find("-->")
                .map_or(lower.len(), |end| start + end + 3);
            continue;
        }
        let closing = lower[start..].starts_with("</");
        let name_start = start + 1 + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        let name = &lower[name_start..name_start + name_len];
        // An unterminated tag is dropped by the parser itself.
        let Some(end) = tag_end(bytes, name_start + name_len) else {
            break;
        };
        i = end;
        let too_deep = !never_nests(name)
            && if closing {
                depth = depth.saturating_sub(1);
                depth >= MAX_NESTING
            } else {
                depth += 1;
                depth > MAX_NESTING
            };
        let heading = matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
        let replacement = match (too_deep, heading, closing) {
            (true, _, _) => Some(""),
            (false, true, false) => Some("<p><strong>"),
            (false, true, true) => Some("</strong></p>"),
            (false, false, _) => None,
        };
        if let Some(replacement) = replacement {
            let shaped = shaped.get_or_insert_with(|| String::with_capacity(html.len()));
            shaped.push_str(&html[copied..start]);
            shaped.push_str(replacement);
            copied = end;
        }
        if !closing && is_raw_text(name) {
            let close = format!("</{name}");
            i = lower[i..].find(&close).map_or(lower.len(), |at| i + at);
        }
    }
    match shaped {
        None => Cow::Borrowed(html),
        Some(shaped) => Cow::Owned(shaped + &html[copied..]),
    }
}

/// The index after the `>` closing a tag whose name ends at `from`, skipping quoted values.
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut after_equals = false;
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'>' => return Some(i + 1),
            b'"' | b'\'' if after_equals => {
                i += 1 + bytes.get(i + 1..)?.iter().position(|&c| c == b)?;
                after_equals = false;
            }
            b'=' => after_equals = true,
            b if b.is_ascii_whitespace() => {}
            _ => after_equals = false,
        }
        i += 1;
    }
    None
}

fn never_nests(name: &str) -> bool {
    static SET: OnceLock<HashSet<&str>> = OnceLock::new();
    SET.get_or_init(|| names(NEVER_NEST)).contains(name)
}

fn is_raw_text(name: &str) -> bool {
    static SET: OnceLock<HashSet<&str>> = OnceLock::new();
    SET.get_or_init(|| names(RAW_TEXT)).contains(name)
}

/// Plain text of an HTML fragment: tags removed, entities decoded, blocks on their own lines,
/// whitespace collapsed; cut to at most `max_chars` characters, ending in "…" when cut.
pub fn plain_text(html: &str, max_chars: usize) -> String {
    // The HTML5 parser does the hard part (entities, broken markup, script contents); what it
    // hands back holds only bare block tags and four entities, easy to scan.
    let cleaned = plain_cleaner().clean(&shape_for_parser(html)).to_string();
    let mut out = String::new();
    // Held back until more text follows, so none leads, trails or repeats.
    let (mut space, mut newlines) = (false, 0);
    let mut rest = cleaned.as_str();
    while let Some(c) = rest.chars().next() {
        let (c, len) = match c {
            // Every '<' left starts a tag without attributes.
            '<' => {
                let end = rest.find('>').unwrap_or(rest.len());
                newlines = match rest[..end].trim_start_matches(['<', '/']) {
                    "br" => newlines + 1,
                    "p" | "blockquote" | "pre" | "ul" | "ol" | "table" | "hr" => 2,
                    _ => newlines.max(1),
                };
                rest = rest.get(end + 1..).unwrap_or_default();
                continue;
            }
            '&' => decode_entity(rest),
            c => (c, c.len_utf8()),
        };
        rest = &rest[len..];
        if c.is_whitespace() || c.is_control() {
            space = true;
            continue;
        }
        if newlines > 0 && !out.is_empty() {
            out.extend(std::iter::repeat_n('\n', newlines.min(2)));
        } else if space && !out.is_empty() {
            out.push(' ');
        }
        (space, newlines) = (false, 0);
        out.push(c);
    }
    truncate_chars(out, max_chars)
}

/// The character an entity in serialised HTML stands for, and the entity's length.
fn decode_entity(text: &str) -> (char, usize) {
    let entity = text
        .bytes()
        .take(7)
        .position(|b| b == b';')
        .map(|end| &text[..=end]);
    let c = match entity.unwrap_or("&") {
        "&amp;" => '&',
        "&lt;" => '<',
        "&gt;" => '>',
        "&quot;" => '"',
        "&#39;" => '\'',
        "&nbsp;" => '\u{a0}',
        _ => return ('&', 1),
    };
    (c, entity.map_or(1, str::len))
}

fn truncate_chars(text: String, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text;
    }
    let Some(keep) = max_chars.checked_sub(1) else {
        return String::new();
    };
    let mut cut: String = text.chars().take(keep).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

fn plain_cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::empty();
        builder
            .tags(names(BLOCKS))
            .clean_content_tags(names(DROPPED_WITH_CONTENT))
            .generic_attributes(HashSet::new())
            .tag_attributes(HashMap::new())
            .link_rel(None)
            .strip_comments(true);
        builder
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    mod fuzz;
    use std::time::{Duration, Instant};

    fn tag_url(tag: &str) -> String {
        format!("http://localhost:8080/tags/{tag}")
    }

    fn render(source: &str) -> Rendered {
        render_markdown(source, &tag_url)
    }

    fn html(source: &str) -> String {
        render(source).html
    }

    fn hashtag(tag: &str) -> String {
        format!(
            "<a href=\"http://localhost:8080/tags/{tag}\" class=\"mention hashtag\" rel=\"tag\">#<span>{tag}</span></a>"
        )
    }

    fn mention_html(user: &str, domain: &str) -> String {
        format!(
            "<span class=\"h-card\"><a href=\"https://{domain}/@{user}\" class=\"u-url mention\">@<span>{user}</span></a></span>"
        )
    }

    fn link(href: &str, text: &str) -> String {
        format!(
            "<a href=\"{href}\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">{text}</a>"
        )
    }

    fn mention(user: &str, domain: &str) -> Mention {
        Mention {
            user: user.into(),
            domain: domain.into(),
        }
    }

    /// Tags and attribute names in serialised HTML (ours and ammonia's are both well-formed:
    /// every '<' in text is escaped, attribute values are double-quoted).
    fn tags_and_attributes(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            rest = &rest[start + 1..];
            let end = rest.find('>').expect("tags are closed");
            let inside = rest[..end].trim_start_matches('/');
            let (name, mut attrs) = inside.split_once(' ').unwrap_or((inside, ""));
            let mut pairs = Vec::new();
            while let Some((key, value)) = attrs.trim_start().split_once("=\"") {
                let (value, after) = value.split_once('"').expect("quoted attribute");
                pairs.push((key.to_owned(), value.to_owned()));
                attrs = after;
            }
            assert!(attrs.trim().is_empty() || !attrs.contains('='), "{html}");
            found.push((name.to_ascii_lowercase(), pairs));
            rest = &rest[end + 1..];
        }
        found
    }

    fn assert_allow_listed(html: &str) {
        for (tag, attrs) in tags_and_attributes(html) {
            assert!(
                names(ALLOWED_TAGS).contains(tag.as_str()),
                "<{tag}> in {html}"
            );
            for (name, value) in attrs {
                let ok = match (tag.as_str(), name.as_str()) {
                    ("a", "href") => value.starts_with("http://") || value.starts_with("https://"),
                    ("a", "rel" | "target") => true,
                    ("a" | "span", "class") => {
                        value.split(' ').all(|c| names(KEPT_CLASSES).contains(c))
                    }
                    ("ol", "start" | "reversed") | ("li", "value") => true,
                    _ => false,
                };
                assert!(ok, "{tag}[{name}={value:?}] in {html}");
            }
        }
    }

    /// Every element we open is closed, in order, even past the nesting limit.
    fn assert_balanced(html: &str) {
        let mut open = Vec::new();
        for piece in html.split('<').skip(1) {
            let tag = &piece[..piece.find('>').expect("tags are closed")];
            let name = |t: &str| t.split(' ').next().unwrap_or_default().to_owned();
            match tag.strip_prefix('/') {
                Some(end) => assert_eq!(open.pop(), Some(name(end)), "{html}"),
                None if tag != "br" => open.push(name(tag)),
                None => {}
            }
        }
        assert!(open.is_empty(), "unclosed {open:?}");
    }

    // ---- render_markdown: blocks ----

    #[test]
    fn paragraphs_and_line_breaks() {
        assert_eq!(html("hello"), "<p>hello</p>");
        assert_eq!(html("a\nb"), "<p>a<br>b</p>");
        assert_eq!(html("a\r\nb"), "<p>a<br>b</p>");
        assert_eq!(html("a  \nb"), "<p>a<br>b</p>");
        assert_eq!(html("a\n\nb"), "<p>a</p><p>b</p>");
        assert_eq!(html(""), "");
        assert_eq!(html("   \n\n  "), "");
    }

    #[test]
    fn headings_are_strong_paragraphs_not_hashtags() {
        for level in 1..=6 {
            let source = format!("{} Title", "#".repeat(level));
            assert_eq!(html(&source), "<p><strong>Title</strong></p>");
            assert!(render(&source).hashtags.is_empty());
        }
        assert_eq!(html("Title\n==="), "<p><strong>Title</strong></p>");
        assert_eq!(
            html("# Title #rust"),
            format!("<p><strong>Title {}</strong></p>", hashtag("rust"))
        );
    }

    #[test]
    fn lists_quotes_code_and_inline_styles() {
        assert_eq!(html("- a\n- b"), "<ul><li>a</li><li>b</li></ul>");
        assert_eq!(html("1. a\n2. b"), "<ol><li>a</li><li>b</li></ol>");
        assert_eq!(
            html("3. a\n4. b"),
            "<ol start=\"3\"><li>a</li><li>b</li></ol>"
        );
        assert_eq!(
            html("- a\n\n- b"),
            "<ul><li><p>a</p></li><li><p>b</p></li></ul>"
        );
        assert_eq!(html("> a\n> b"), "<blockquote><p>a<br>b</p></blockquote>");
        assert_eq!(
            html("```rust\nlet a = 1 < 2;\n```"),
            "<pre><code>let a = 1 &lt; 2;\n</code></pre>"
        );
        assert_eq!(html("    indented"), "<pre><code>indented</code></pre>");
        assert_eq!(
            html("*a* **b** ~~c~~ `d<e>`"),
            "<p><em>a</em> <strong>b</strong> <del>c</del> <code>d&lt;e&gt;</code></p>"
        );
        // Rules are dropped; tables and footnotes stay text.
        assert_eq!(html("a\n\n---\n\nb"), "<p>a</p><p>b</p>");
        assert_eq!(
            html("| a | b |\n|---|---|\n| 1 | 2 |"),
            "<p>| a | b |<br>|---|---|<br>| 1 | 2 |</p>"
        );
        assert_eq!(html("a[^1]"), "<p>a[^1]</p>");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        assert_eq!(
            html("<script>alert(1)</script>"),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
        );
        assert_eq!(
            html("<div>\n<b>x</b>\n</div>"),
            "<p>&lt;div&gt;<br>&lt;b&gt;x&lt;/b&gt;<br>&lt;/div&gt;</p>"
        );
        assert_eq!(
            html("a <img src=x onerror=alert(1)> b"),
            "<p>a &lt;img src=x onerror=alert(1)&gt; b</p>"
        );
        assert_eq!(html("<!-- hidden -->"), "<p>&lt;!-- hidden --&gt;</p>");
        assert_eq!(html("x <!-- c --> y"), "<p>x &lt;!-- c --&gt; y</p>");
        assert_eq!(
            html("a & b \"c\" 'd'"),
            "<p>a &amp; b &quot;c&quot; &#39;d&#39;</p>"
        );
        assert_allow_listed(&html("<iframe src=x></iframe>\n\n<svg onload=x>"));
    }

    // ---- render_markdown: links ----

    #[test]
    fn links_keep_only_http_https_and_mailto() {
        assert_eq!(
            html("[a](https://x.org/p)"),
            format!("<p>{}</p>", link("https://x.org/p", "a"))
        );
        assert_eq!(
            html("[a](http://x.org \"title\")"),
            format!("<p>{}</p>", link("http://x.org/", "a"))
        );
        assert_eq!(
            html("[a](mailto:me@x.org)"),
            format!("<p>{}</p>", link("mailto:me@x.org", "a"))
        );
        assert_eq!(
            html("<me@x.org>"),
            format!("<p>{}</p>", link("mailto:me@x.org", "me@x.org"))
        );
        assert_eq!(
            html("<https://x.org>"),
            format!("<p>{}</p>", link("https://x.org/", "https://x.org"))
        );
        for dest in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "jav&#x09;ascript:alert(1)",
            "java%0ascript:alert(1)",
            "&#106;avascript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "/relative",
            "//evil.example/x",
            "page.html",
            "ftp://x.org/f",
            "https://",
        ] {
            let out = html(&format!("[click *me*]({dest})"));
            assert_eq!(out, "<p>click <em>me</em></p>", "{dest}");
        }
        assert_eq!(html("[a](<javascript:x>)"), "<p>a</p>");
        assert_eq!(html("<javascript:alert(1)>"), "<p>javascript:alert(1)</p>");
        assert_eq!(html("[ref][r]\n\n[r]: javascript:x"), "<p>ref</p>");
    }

    #[test]
    fn images_become_links_to_the_image() {
        assert_eq!(
            html("![a cat](https://x.org/cat.png)"),
            format!("<p>{}</p>", link("https://x.org/cat.png", "a cat"))
        );
        assert_eq!(
            html("![](https://x.org/cat.png)"),
            format!(
                "<p>{}</p>",
                link("https://x.org/cat.png", "https://x.org/cat.png")
            )
        );
        assert_eq!(html("![alt](javascript:x)"), "<p>alt</p>");
        assert_eq!(html("![alt](data:image/png;base64,AAAA)"), "<p>alt</p>");
        // No link inside a link.
        assert_eq!(
            html("[![alt](https://x.org/i.png)](https://x.org/)"),
            format!("<p>{}</p>", link("https://x.org/", "alt"))
        );
        assert!(!html("![a](https://x.org/i.png)").contains("<img"));
    }

    #[test]
    fn every_link_has_rel() {
        let out = html("[a](https://x.org) [b](mailto:a@b.c) https://y.org ![c](http://z.org/i)");
        assert_eq!(out.matches("<a ").count(), 4);
        assert_eq!(
            out.matches("rel=\"nofollow noopener noreferrer\"").count(),
            4
        );
    }

    #[test]
    fn bare_urls_become_links() {
        let cases = [
            (
                "see https://x.org",
                "see ",
                "https://x.org/",
                "https://x.org",
                "",
            ),
            (
                "see https://x.org.",
                "see ",
                "https://x.org/",
                "https://x.org",
                ".",
            ),
            (
                "https://x.org/a?b=c#d, yes",
                "",
                "https://x.org/a?b=c#d",
                "https://x.org/a?b=c#d",
                ", yes",
            ),
            (
                "(https://x.org/a)",
                "(",
                "https://x.org/a",
                "https://x.org/a",
                ")",
            ),
            (
                "(https://x.org/a_(b))",
                "(",
                "https://x.org/a_(b)",
                "https://x.org/a_(b)",
                ")",
            ),
            ("https://x.org!", "", "https://x.org/", "https://x.org", "!"),
            ("https://x.org?", "", "https://x.org/", "https://x.org", "?"),
            (
                "https://x.org/a;",
                "",
                "https://x.org/a",
                "https://x.org/a",
                ";",
            ),
            ("HTTP://X.org/A", "", "http://x.org/A", "HTTP://X.org/A", ""),
            (
                "http://localhost:8080/x",
                "",
                "http://localhost:8080/x",
                "http://localhost:8080/x",
                "",
            ),
            (
                "a https://例え.jp/パス b",
                "a ",
                "https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9",
                "https://例え.jp/パス",
                " b",
            ),
            (
                "https://x.org/\"><b>",
                "",
                "https://x.org/",
                "https://x.org/",
                "&quot;&gt;&lt;b&gt;",
            ),
        ];
        for (source, before, href, text, after) in cases {
            let expected = format!("<p>{before}{}{after}</p>", link(href, text));
            assert_eq!(html(source), expected, "{source}");
        }
        for plain in [
            "xhttps://x.org",
            "https://",
            "https://.",
            "http:/x.org",
            "https:// x",
            "https://[",
            "ftp://x.org",
        ] {
            assert!(!html(plain).contains("<a"), "{plain}");
        }
        // Not inside code or links, and never twice.
        assert_eq!(html("`https://x.org`"), "<p><code>https://x.org</code></p>");
        assert_eq!(
            html("```\nhttps://x.org\n```"),
            "<pre><code>https://x.org\n</code></pre>"
        );
        assert_eq!(
            html("[https://x.org](https://y.org)"),
            format!("<p>{}</p>", link("https://y.org/", "https://x.org"))
        );
        assert_eq!(html("<https://x.org/>").matches("<a").count(), 1);
        // Underscores make pulldown split text events; the URL must survive the split.
        assert_eq!(
            html("https://x.org/a_b_c"),
            format!(
                "<p>{}</p>",
                link("https://x.org/a_b_c", "https://x.org/a_b_c")
            )
        );
    }

    // ---- render_markdown: hashtags ----

    #[test]
    fn hashtags_are_linked_and_collected() {
        let r = render("#Rust is fun. #rust (#Web_Dev) #日本語 #café #1a #2024");
        assert_eq!(r.hashtags, ["Rust", "Web_Dev", "日本語", "café", "1a"]);
        assert_eq!(
            r.html,
            format!(
                "<p>{} is fun. {} ({}) {} {} {} #2024</p>",
                hashtag("Rust"),
                hashtag("rust"),
                hashtag("Web_Dev"),
                hashtag("日本語"),
                hashtag("café"),
                hashtag("1a"),
            )
        );
        // A combining accent stays in the tag.
        assert_eq!(render("#cafe\u{301}!").hashtags, ["cafe\u{301}"]);
    }

    #[test]
    fn hashtags_need_a_boundary_and_a_letter() {
        for source in [
            "a#b", "a_#b", "AT&#T", "&amp;#b", "#", "# ", "#123", "#_", "##",
        ] {
            let r = render(source);
            let expected: &[&str] = if source == "#_" { &["_"] } else { &[] };
            assert_eq!(r.hashtags, expected, "{source}");
        }
        assert_eq!(render("##x").hashtags, ["x"]);
        assert_eq!(render("x,#y").hashtags, ["y"]);
        // Word boundaries carry across inline markup.
        assert_eq!(render("*foo*#bar").hashtags, Vec::<String>::new());
        assert_eq!(render("**#bar**").hashtags, ["bar"]);
        assert_eq!(render("a\n#b").hashtags, ["b"]);
    }

    #[test]
    fn no_hashtags_in_code_or_links() {
        let r = render("`#a` [#b](https://x.org) https://x.org/#c\n\n```\n#d\n```\n\n    #e");
        assert!(r.hashtags.is_empty(), "{:?}", r.hashtags);
        assert!(!r.html.contains("hashtag"));
    }

    #[test]
    fn tag_url_is_called_with_the_tag_and_escaped() {
        let r = render_markdown("#Tag", &|t| format!("https://h/t?q={t}&\"x\""));
        assert_eq!(
            r.html,
            "<p><a href=\"https://h/t?q=Tag&amp;&quot;x&quot;\" class=\"mention hashtag\" rel=\"tag\">#<span>Tag</span></a></p>"
        );
    }

    // ---- render_markdown: mentions ----

    #[test]
    fn mentions_are_linked_and_collected() {
        let r = render("hi @alice@example.com and @Bob_1.x-y@sub.example.org, @ALICE@Example.com!");
        assert_eq!(
            r.mentions,
            [
                mention("alice", "example.com"),
                mention("Bob_1.x-y", "sub.example.org")
            ]
        );
        assert_eq!(
            r.html,
            format!(
                "<p>hi {} and {}, {}!</p>",
                mention_html("alice", "example.com"),
                mention_html("Bob_1.x-y", "sub.example.org"),
                mention_html("ALICE", "example.com"),
            )
        );
    }

    #[test]
    fn mention_domains() {
        let r = render("@a@localhost:8080 @b@example.com. @c@x.org:443 @d@münchen.de @e@host-.org");
        assert_eq!(
            r.mentions,
            [
                mention("a", "localhost:8080"),
                mention("b", "example.com"),
                mention("c", "x.org"),
                mention("d", "xn--mnchen-3ya.de"),
            ]
        );
        assert!(html("@a@localhost:8080").contains("href=\"https://localhost:8080/@a\""));
        assert!(html("(@b@example.com.)").ends_with("</span>.)</p>"));
        assert_eq!(render("@a@x.org:99999").mentions, [mention("a", "x.org")]);
    }

    #[test]
    fn not_mentions() {
        for source in [
            "bob@example.com",
            "@bob",
            "@bob@nodot",
            "@.bob@x.org",
            "@bob.@x.org",
            "@bob@",
            "@bob@.org",
            "@@bob@x.org",
            "a/@bob@x.org",
            "@b!b@x.org",
            "`@bob@x.org`",
            "[@bob@x.org](https://x.org)",
            "```\n@bob@x.org\n```",
        ] {
            let r = render(source);
            assert!(r.mentions.is_empty(), "{source}: {:?}", r.mentions);
            assert!(!r.html.contains("h-card"), "{source}");
        }
    }

    #[test]
    fn mention_urls_come_from_the_caller() {
        let resolve = |m: &Mention| match m.user.as_str() {
            "known" => Some(format!("https://{}/users/known", m.domain)),
            "evil" => Some("javascript:alert(1)".to_owned()),
            _ => None,
        };
        let r = render_markdown_with(
            "@known@x.org @unknown@y.org @evil@z.org",
            &tag_url,
            &resolve,
        );
        assert_eq!(
            r.html,
            "<p><span class=\"h-card\"><a href=\"https://x.org/users/known\" class=\"u-url mention\">@<span>known</span></a></span> @unknown@y.org @evil@z.org</p>"
        );
        assert_eq!(r.mentions.len(), 3);
        assert_eq!(
            default_mention_url(&mention("a", "x.org:8443")).as_deref(),
            Some("https://x.org:8443/@a")
        );
    }

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

    // ---- sanitize_remote ----

    const XSS: &[&str] = &[
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=\"javascript:alert('XSS');\">",
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<body onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<a href=\"jav\tascript:alert(1)\">x</a>",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
        "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
        "<a href=\" javascript:alert(1)\">x</a>",
        "<a href=\"\u{1}javascript:alert(1)\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<a href=\"https://ok.example/\" onclick=\"alert(1)\" onmouseover=alert(1)>x</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<form action=\"https://evil.example\"><input name=p><button formaction=javascript:alert(1)>go</button></form>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<p style=\"background:url(javascript:alert(1))\">styled</p>",
        "<span style=\"color:red\" class=\"invisible evil\">x</span>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<math href=\"javascript:alert(1)\">x</math>",
        "<template><script>alert(1)</script></template>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<!--<script>alert(1)</script>-->",
        "<!--><script>alert(1)</script>-->",
        "<a href=\"https://ok.example/\"<script>alert(1)</script>",
        "<img src=x onerror=alert(1)",
        "<<script>script>alert(1)<</script>/script>",
        "<object data=\"javascript:alert(1)\"></object><embed src=\"javascript:alert(1)\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<base href=\"javascript:alert(1)//\"><link rel=stylesheet href=x>",
        "<details open ontoggle=alert(1)>",
        "<video><source onerror=\"alert(1)\"></video>",
        "<textarea><script>alert(1)</script></textarea>",
        "<title><script>alert(1)</script></title>",
        "<xmp><script>alert(1)</script></xmp>",
        "<select><style></select><img src=x onerror=alert(1)>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
        "<a href=\"https://ok.example/\" target=\"_self\" rel=\"opener\">ok</a>",
        "<div><a href=x style=\"x:expression(alert(1))\">x</a></div>",
        "<p onmouseover=\"alert(1)\" id=\"x\" data-x=\"y\">p</p>",
    ];

    const FORBIDDEN: &[&str] = &[
        "<script",
        "onerror",
        "onload",
        "onclick",
        "onmouseover",
        "ontoggle",
        "javascript:",
        "vbscript:",
        "data:",
        "<iframe",
        "<svg",
        "<math",
        "<img",
        "style=",
        "<style",
        "<form",
        "<input",
        "<button",
        "formaction",
        "<template",
        "<noscript",
        "<object",
        "<embed",
        "<meta",
        "<base",
        "<link",
        "<body",
        "<title",
        "srcdoc",
        "xlink",
        "<textarea",
        "<select",
        "<video",
        "_self",
        "opener\"",
    ];

    #[test]
    fn xss_corpus_is_defused() {
        for vector in XSS {
            let out = sanitize_remote(vector);
            let lower = out.to_lowercase();
            for bad in FORBIDDEN {
                assert!(!lower.contains(bad), "{vector:?} gave {out:?}");
            }
            assert_allow_listed(&out);
            // Cleaning is stable: a second pass changes nothing.
            assert_eq!(sanitize_remote(&out), out, "{vector:?}");
        }
    }

    #[test]
    fn sanitize_keeps_the_allow_list() {
        assert_eq!(
            sanitize_remote(
                "<section><div><p class=\"x\" id=\"y\" lang=\"en\">a<br>b</p></div></section>"
            ),
            "<p>a<br>b</p>"
        );
        assert_eq!(
            sanitize_remote("<a href=\"https://x.org/\" class=\"mention evil u-url\" title=\"t\">x</a>"),
            "<a href=\"https://x.org/\" class=\"mention u-url\" target=\"_blank\" rel=\"nofollow noopener noreferrer\">x</a>"
        );
        assert_eq!(
            sanitize_remote("<a href=\"/relative\">r</a>"),
            "<a target=\"_blank\" rel=\"nofollow noopener noreferrer\">r</a>"
        );
        assert_eq!(
            sanitize_remote("<ol start=\"3\" reversed><li value=\"7\">a</li></ol><ol start=\"x\"><li value=\"1;\">b</li></ol>"),
            "<ol start=\"3\" reversed=\"\"><li value=\"7\">a</li></ol><ol><li>b</li></ol>"
        );
        assert_eq!(
            sanitize_remote("<b>b</b><i>i</i><u>u</u><em>e</em><strong>s</strong><del>d</del><pre><code>c</code></pre><blockquote>q</blockquote><ul><li>l</li></ul>"),
            "<b>b</b><i>i</i><u>u</u><em>e</em><strong>s</strong><del>d</del><pre><code>c</code></pre><blockquote>q</blockquote><ul><li>l</li></ul>"
        );
        assert_eq!(
            sanitize_remote("<script>gone</script>kept<style>gone</style>"),
            "kept"
        );
        assert_eq!(
            sanitize_remote("<img src=https://x.org/i.png alt=pic>text"),
            "text"
        );
        assert_eq!(
            sanitize_remote("<p>unclosed <b>bold"),
            "<p>unclosed <b>bold</b></p>"
        );
    }

    fn fixture_content(name: &str) -> String {
        let dir = std::env::var("PERCH_FIXTURES")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures").into());
        let json = std::fs::read_to_string(format!("{dir}/{name}"))
            .unwrap_or_else(|e| panic!("fixture {dir}/{name}: {e}"));
        // The first "content" string, decoded by hand: the module must not need serde_json.
        let start = json.find("\"content\": \"").expect("content") + "\"content\": \"".len();
        let mut out = String::new();
        let mut chars = json[start..].chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return out,
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('u') => {
                        let hex: String = chars.by_ref().take(4).collect();
                        let code = u32::from_str_radix(&hex, 16).expect("hex");
                        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                    }
                    Some(other) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        panic!("unterminated content in {name}")
    }

    #[test]
    fn mastodon_notes_survive() {
        let content = fixture_content("mastodon/create-note-hashtag.json");
        let out = sanitize_remote(&content);
        assert_eq!(
            out,
            "<p><span class=\"h-card\"><a href=\"http://localtesting.pleroma.lol/users/lain\" class=\"u-url mention\" target=\"_blank\" rel=\"nofollow noopener noreferrer\">@<span>lain</span></a></span> #moo</p>"
        );
        assert_eq!(plain_text(&out, 100), "@lain #moo");

        let content = fixture_content("mastodon/note-with-image-attachment.json");
        let out = sanitize_remote(&content);
        assert!(out.contains("<a href=\"https://lemmy.kde.social/c/kde\" class=\"u-url mention\""));
        assert!(out.contains("<span class=\"invisible\">https://</span>"));
        assert!(out.contains("<a href=\"https://kde.org/donate/\" target=\"_blank\" rel=\"nofollow noopener noreferrer\">"));
        assert!(out.contains("💶"));
        assert!(!out.contains("translate"));

        let tags = "<p>x <a href=\"https://m.social/tags/reddit\" class=\"mention hashtag\" rel=\"tag\">#<span>reddit</span></a></p>";
        assert_eq!(
            sanitize_remote(tags),
            "<p>x <a href=\"https://m.social/tags/reddit\" class=\"mention hashtag\" target=\"_blank\" rel=\"nofollow noopener noreferrer\">#<span>reddit</span></a></p>"
        );
    }

    #[test]
    fn huge_html_is_cut() {
        let huge = "é".repeat(MAX_HTML_BYTES); // twice the limit in bytes
        let out = sanitize_remote(&huge);
        assert_eq!(out.len(), MAX_HTML_BYTES);
        assert_eq!(plain_text(&huge, usize::MAX).len(), MAX_HTML_BYTES);
    }

    #[test]
    fn nesting_limit() {
        let fine = "<div><p a=\"<div>\" b='>'>x</p><script><div><div></script></div>";
        assert!(matches!(shape_for_parser(fine), Cow::Borrowed(_)));
        let deep =
            "<div>".repeat(MAX_NESTING + 5) + "x" + &"</div>".repeat(MAX_NESTING + 5) + "<b>y</b>";
        let cut = shape_for_parser(&deep);
        let expected =
            "<div>".repeat(MAX_NESTING) + "x" + &"</div>".repeat(MAX_NESTING) + "<b>y</b>";
        assert_eq!(cut, expected);
        let deep = "<blockquote title=\"a>b\">".repeat(MAX_NESTING + 1) + "<br><p>z";
        let cut = shape_for_parser(&deep);
        assert_eq!(cut.matches("<blockquote").count(), MAX_NESTING);
        assert!(cut.ends_with("\"><br><p>z"));
        assert_eq!(shape_for_parser("<div").as_ref(), "<div");
        assert_eq!(
            shape_for_parser("a < b <3 <!x> <?y>").as_ref(),
            "a < b <3 <!x> <?y>"
        );
    }

    // ---- plain_text ----

    #[test]
    fn plain_text_flattens_html() {
        assert_eq!(
            plain_text("<p>Hello <b>world</b></p><p>again</p>", 100),
            "Hello world\n\nagain"
        );
        assert_eq!(plain_text("a<br>b<br/><br>c", 100), "a\nb\n\nc");
        assert_eq!(
            plain_text("<ul><li>one</li><li>two</li></ul>", 100),
            "one\ntwo"
        );
        assert_eq!(plain_text("<div>a</div><div>b</div>", 100), "a\nb");
        assert_eq!(
            plain_text("  lots \n\t of   space&nbsp; here ", 100),
            "lots of space here"
        );
        assert_eq!(
            plain_text(
                "&amp; &lt;b&gt; &quot;q&quot; &#39;s&#39; &eacute; &#x1F980; &hellip; &bogus;",
                100
            ),
            "& <b> \"q\" 's' é 🦀 … &bogus;"
        );
        assert_eq!(
            plain_text(
                "a<script>alert(1)</script><style>x{}</style>b<!-- c -->d",
                100
            ),
            "abd"
        );
        assert_eq!(
            plain_text("<p>a <span class=\"invisible\">x</span></p>", 100),
            "a x"
        );
        assert_eq!(plain_text("1 < 2 > 0", 100), "1 < 2 > 0");
        assert_eq!(plain_text("a\0b\u{7}c", 100), "ab c");
        assert_eq!(plain_text("", 10), "");
    }

    #[test]
    fn plain_text_cuts_on_char_boundaries() {
        assert_eq!(plain_text("hello", 5), "hello");
        assert_eq!(plain_text("hello world", 8), "hello w…");
        assert_eq!(plain_text("hello world", 7), "hello…");
        assert_eq!(plain_text("hello", 1), "…");
        assert_eq!(plain_text("hello", 0), "");
        assert_eq!(plain_text("🦀🦀🦀🦀", 3), "🦀🦀…");
        assert_eq!(plain_text("日本語のテキスト", 4), "日本語…");
        assert_eq!(plain_text("<p>a</p><p>b</p>", 3), "a…");
    }
}
