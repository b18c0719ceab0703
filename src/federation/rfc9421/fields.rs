//! RFC 8941 structured fields, the part RFC 9421 and RFC 9530 need: dictionaries whose members
//! are items or inner lists, with parameters. Bounded: input length, members, list items and
//! parameters are capped, and a repeated key is refused (8941 says "last wins"; for signatures a
//! repeat is a smuggling attempt, not a mistake worth tolerating).

use std::fmt::Write;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::LENIENT_BASE64;

/// Longest field value parsed (all instances of the header, combined).
pub const MAX_FIELD_LEN: usize = 8 * 1024;
const MAX_MEMBERS: usize = 8;
const MAX_INNER_ITEMS: usize = 32;
const MAX_PARAMS: usize = 16;
const MAX_INTEGER_DIGITS: usize = 15;

#[derive(Clone, Debug, PartialEq)]
pub enum BareItem {
    Integer(i64),
    /// In thousandths: 8941 decimals have at most three fractional digits.
    Decimal(i64),
    String(String),
    Token(String),
    Bytes(Vec<u8>),
    Boolean(bool),
}

pub type Params = Vec<(String, BareItem)>;

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub bare: BareItem,
    pub params: Params,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Member {
    Item(Item),
    InnerList(Vec<Item>, Params),
}

pub type Dictionary = Vec<(String, Member)>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldError {
    TooLong,
    TooMany,
    Duplicate,
    Malformed(&'static str),
}

/// Looks a parameter up by name.
pub fn param<'a>(params: &'a Params, name: &str) -> Option<&'a BareItem> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

pub fn parse_dictionary(input: &str) -> Result<Dictionary, FieldError> {
    if input.len() > MAX_FIELD_LEN {
        return Err(FieldError::TooLong);
    }
    let mut p = Parser {
        s: input.as_bytes(),
        at: 0,
    };
    p.skip_sp();
    let mut dict: Dictionary = Vec::new();
    if p.at == p.s.len() {
        return Ok(dict);
    }
    loop {
        let key = p.key()?;
        let member = if p.eat(b'=') {
            p.member()?
        } else {
            Member::Item(Item {
                bare: BareItem::Boolean(true),
                params: p.params()?,
            })
        };
        if dict.iter().any(|(k, _)| *k == key) {
            return Err(FieldError::Duplicate);
        }
        if dict.len() == MAX_MEMBERS {
            return Err(FieldError::TooMany);
        }
        dict.push((key, member));
        p.skip_ows();
        if p.at == p.s.len() {
            return Ok(dict);
        }
        if !p.eat(b',') {
            return Err(FieldError::Malformed("expected a comma between members"));
        }
        p.skip_ows();
        if p.at == p.s.len() {
            return Err(FieldError::Malformed("trailing comma"));
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn skip_sp(&mut self) {
        while self.eat(b' ') {}
    }

    fn skip_ows(&mut self) {
        while self.eat(b' ') || self.eat(b'\t') {}
    }

    fn key(&mut self) -> Result<String, FieldError> {
        let start = self.at;
        match self.peek() {
            Some(b'a'..=b'z' | b'*') => self.at += 1,
            _ => return Err(FieldError::Malformed("a key must start with a-z or *")),
        }
        while let Some(b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*') = self.peek() {
            self.at += 1;
        }
        Ok(self.text(start))
    }

    /// The bytes since `start`, which the caller has checked are ASCII.
    fn text(&self, start: usize) -> String {
        String::from_utf8_lossy(&self.s[start..self.at]).into_owned()
    }

    fn member(&mut self) -> Result<Member, FieldError> {
        if !self.eat(b'(') {
            return Ok(Member::Item(self.item()?));
        }
        let mut items = Vec::new();
        loop {
            self.skip_sp();
            if self.eat(b')') {
                return Ok(Member::InnerList(items, self.params()?));
            }
            if items.len() == MAX_INNER_ITEMS {
                return Err(FieldError::TooMany);
            }
            items.push(self.item()?);
            match self.peek() {
                Some(b' ' | b')') => {}
                _ => {
                    return Err(FieldError::Malformed(
                        "inner list items need a space or ')'",
                    ))
                }
            }
        }
    }

    fn item(&mut self) -> Result<Item, FieldError> {
        let bare = self.bare_item()?;
        Ok(Item {
            bare,
            params: self.params()?,
        })
    }

    fn params(&mut self) -> Result<Params, FieldError> {
        let mut params: Params = Vec::new();
        while self.eat(b';') {
            self.skip_sp();
            let key = self.key()?;
            let value = if self.eat(b'=') {
                self.bare_item()?
            } else {
                BareItem::Boolean(true)
            };
            if params.iter().any(|(k, _)| *k == key) {
                return Err(FieldError::Duplicate);
            }
            if params.len() == MAX_PARAMS {
                return Err(FieldError::TooMany);
            }
            params.push((key, value));
        }
        Ok(params)
    }

    fn bare_item(&mut self) -> Result<BareItem, FieldError> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'"') => self.string(),
            Some(b':') => self.bytes(),
            Some(b'?') => self.boolean(),
            Some(b'A'..=b'Z' | b'a'..=b'z' | b'*') => Ok(self.token()),
            _ => Err(FieldError::Malformed("not an item")),
        }
    }

    fn number(&mut self) -> Result<BareItem, FieldError> {
        let negative = self.eat(b'-');
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        let whole = &self.s[start..self.at];
        if whole.is_empty() || whole.len() > MAX_INTEGER_DIGITS {
            return Err(FieldError::Malformed("bad number"));
        }
        let mut value: i64 = whole.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0'));
        if self.eat(b'.') {
            if whole.len() > 12 {
                return Err(FieldError::Malformed("bad decimal"));
            }
            let start = self.at;
            while let Some(b'0'..=b'9') = self.peek() {
                self.at += 1;
            }
            let fraction = &self.s[start..self.at];
            if fraction.is_empty() || fraction.len() > 3 {
                return Err(FieldError::Malformed("bad decimal"));
            }
            let mut thousandths = fraction.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0'));
            for _ in fraction.len()..3 {
                thousandths *= 10;
            }
            value = value * 1000 + thousandths;
            return Ok(BareItem::Decimal(if negative { -value } else { value }));
        }
        if negative {
            value = -value;
        }
        Ok(BareItem::Integer(value))
    }

    fn string(&mut self) -> Result<BareItem, FieldError> {
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(FieldError::Malformed("unterminated string")),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(BareItem::String(out));
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => out.push(char::from(c)),
                        _ => return Err(FieldError::Malformed("bad escape in a string")),
                    }
                }
                Some(c @ 0x20..=0x7e) => out.push(char::from(c)),
                Some(_) => return Err(FieldError::Malformed("a string must be printable ASCII")),
            }
            self.at += 1;
        }
    }

    fn token(&mut self) -> BareItem {
        let start = self.at;
        self.at += 1;
        while let Some(c) = self.peek() {
            if c == b':' || c == b'/' || is_tchar(c) {
                self.at += 1;
            } else {
                break;
            }
        }
        BareItem::Token(self.text(start))
    }

    fn bytes(&mut self) -> Result<BareItem, FieldError> {
        self.at += 1;
        let start = self.at;
        while let Some(b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=') = self.peek() {
            self.at += 1;
        }
        let encoded = &self.s[start..self.at];
        if !self.eat(b':') {
            return Err(FieldError::Malformed("unterminated byte sequence"));
        }
        LENIENT_BASE64
            .decode(encoded)
            .map(BareItem::Bytes)
            .map_err(|_| FieldError::Malformed("bad base64 in a byte sequence"))
    }

    fn boolean(&mut self) -> Result<BareItem, FieldError> {
        self.at += 1;
        let value = match self.peek() {
            Some(b'0') => false,
            Some(b'1') => true,
            _ => return Err(FieldError::Malformed("a boolean is ?0 or ?1")),
        };
        self.at += 1;
        Ok(BareItem::Boolean(value))
    }
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

// ---- serialisation (RFC 8941 §4.1), used for `@signature-params` and outgoing headers ----

pub fn serialize_bare(out: &mut String, bare: &BareItem) {
    match bare {
        BareItem::Integer(n) => {
            let _ = write!(out, "{n}");
        }
        BareItem::Decimal(thousandths) => {
            let sign = if *thousandths < 0 { "-" } else { "" };
            let abs = thousandths.unsigned_abs();
            let fraction = format!("{:03}", abs % 1000);
            let fraction = fraction.trim_end_matches('0');
            let fraction = if fraction.is_empty() { "0" } else { fraction };
            let _ = write!(out, "{sign}{}.{fraction}", abs / 1000);
        }
        BareItem::String(s) => {
            out.push('"');
            for c in s.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        BareItem::Token(t) => out.push_str(t),
        BareItem::Bytes(b) => {
            out.push(':');
            out.push_str(&STANDARD.encode(b));
            out.push(':');
        }
        BareItem::Boolean(b) => out.push_str(if *b { "?1" } else { "?0" }),
    }
}

pub fn serialize_params(out: &mut String, params: &Params) {
    for (key, value) in params {
        out.push(';');
        out.push_str(key);
        if *value != BareItem::Boolean(true) {
            out.push('=');
            serialize_bare(out, value);
        }
    }
}

pub fn serialize_item(out: &mut String, item: &Item) {
    serialize_bare(out, &item.bare);
    serialize_params(out, &item.params);
}

pub fn serialize_inner_list(out: &mut String, items: &[Item], params: &Params) {
    out.push('(');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        serialize_item(out, item);
    }
    out.push(')');
    serialize_params(out, params);
}

pub fn serialize_dictionary(dict: &Dictionary) -> String {
    let mut out = String::new();
    for (i, (key, member)) in dict.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(key);
        match member {
            Member::Item(item) if item.bare == BareItem::Boolean(true) => {
                serialize_params(&mut out, &item.params);
            }
            Member::Item(item) => {
                out.push('=');
                serialize_item(&mut out, item);
            }
            Member::InnerList(items, params) => {
                out.push('=');
                serialize_inner_list(&mut out, items, params);
            }
        }
    }
    out
}
