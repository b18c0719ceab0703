//! The owner's Markdown rendered to the HTML we federate, with hashtags, mentions and bare URLs
//! turned into links.

use std::collections::HashSet;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use url::Url;

use super::scan::{
    hashtag_may_follow, mention_may_follow, scan_hashtag, scan_mention, scan_url, url_may_follow,
};
use super::{escape, LINK_REL, MAX_NESTING};

/// A post's content, ready to federate, and what it refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The post's content HTML, as sent in a Note's `content` (paragraphs `<p>`, line breaks `<br>`).
    pub html: String,
    /// Distinct (case-insensitively), without '#', in first-seen order, original case kept.
    pub hashtags: Vec<String>,
    /// Distinct `@user@domain` found in the text (not inside code or links), first-seen order.
    pub mentions: Vec<FoundMention>,
}

/// `@user@domain`: `user` as written, `domain` lower-case ASCII (IDN in punycode), with `:port`
/// when one was given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FoundMention {
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
pub fn default_mention_url(mention: &FoundMention) -> Option<String> {
    let url = Url::parse(&format!("https://{}/", mention.domain)).ok()?;
    Some(url.join(&format!("@{}", mention.user)).ok()?.into())
}

/// Renders the owner's Markdown. `mention_url` gives the href of a mention; a mention it answers
/// `None` for (or a non-http(s) URL) is left as plain text but still listed in `mentions`.
pub fn render_markdown_with(
    source: &str,
    tag_url: &dyn Fn(&str) -> String,
    mention_url: &dyn Fn(&FoundMention) -> Option<String>,
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
    mention_url: &'a dyn Fn(&FoundMention) -> Option<String>,
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
    mentions: Vec<FoundMention>,
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

    fn mention_html(&mut self, mention: FoundMention, written: &str) -> String {
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
