//! Parsing the `Signature` header, strictly: every parameter once, bounded.

use base64::Engine;

use super::{SignatureError, LENIENT_BASE64, MAX_HEADER_LEN, MAX_PARAMS, MAX_SIGNED_HEADERS};

/// The parameters of a `Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParams {
    pub key_id: String,
    pub algorithm: Option<String>,
    /// Lowercase names, in the order they are signed.
    pub headers: Vec<String>,
    pub signature: Vec<u8>,
    pub created: Option<i64>,
    pub expires: Option<i64>,
}

/// Parses `keyId="…",algorithm="…",headers="…",signature="…"` strictly, in one pass.
pub fn parse_signature_header(value: &str) -> Result<SignatureParams, SignatureError> {
    if value.len() > MAX_HEADER_LEN {
        return Err(SignatureError::TooLong);
    }
    // Old node-http-signature versions prefix the value with "Signature " (Mastodon accepts it).
    let value = value.strip_prefix("Signature ").unwrap_or(value);
    let mut params = ParamSlots::default();
    let mut rest = value.trim_matches([' ', '\t']);
    if rest.is_empty() {
        return Err(SignatureError::Malformed("no parameters"));
    }
    let mut count = 0;
    loop {
        count += 1;
        if count > MAX_PARAMS {
            return Err(SignatureError::Malformed("too many parameters"));
        }
        let (name, after_name) = take_token(rest);
        if name.is_empty() {
            return Err(SignatureError::Malformed("expected a parameter name"));
        }
        let after_eq = skip_ows(after_name)
            .strip_prefix('=')
            .ok_or(SignatureError::Malformed(
                "expected '=' after a parameter name",
            ))?;
        let after_eq = skip_ows(after_eq);
        let (value, after_value) = if after_eq.starts_with('"') {
            take_quoted(after_eq)?
        } else {
            let (token, after) = take_token(after_eq);
            if token.is_empty() {
                return Err(SignatureError::Malformed("expected a parameter value"));
            }
            (token.to_string(), after)
        };
        params.set(name, value)?;
        let after_value = skip_ows(after_value);
        if after_value.is_empty() {
            break;
        }
        rest = skip_ows(
            after_value
                .strip_prefix(',')
                .ok_or(SignatureError::Malformed("expected ',' between parameters"))?,
        );
    }
    params.finish()
}

#[derive(Default)]
pub(super) struct ParamSlots {
    key_id: Option<String>,
    algorithm: Option<String>,
    headers: Option<String>,
    signature: Option<String>,
    created: Option<String>,
    expires: Option<String>,
    others: Vec<String>,
}

impl ParamSlots {
    fn set(&mut self, name: &str, value: String) -> Result<(), SignatureError> {
        let slot = match name {
            "keyId" => &mut self.key_id,
            "algorithm" => &mut self.algorithm,
            "headers" => &mut self.headers,
            "signature" => &mut self.signature,
            "created" => &mut self.created,
            "expires" => &mut self.expires,
            // The draft says unknown parameters are ignored; a repeated one is still refused.
            _ => {
                if self.others.iter().any(|seen| seen == name) {
                    return Err(SignatureError::Malformed("a parameter is given twice"));
                }
                self.others.push(name.to_string());
                return Ok(());
            }
        };
        if slot.is_some() {
            return Err(SignatureError::Malformed("a parameter is given twice"));
        }
        *slot = Some(value);
        Ok(())
    }

    fn finish(self) -> Result<SignatureParams, SignatureError> {
        let key_id = self
            .key_id
            .filter(|k| !k.is_empty())
            .ok_or(SignatureError::Malformed("keyId is missing"))?;
        let signature = self
            .signature
            .filter(|s| !s.is_empty())
            .ok_or(SignatureError::Malformed("signature is missing"))?;
        let signature = LENIENT_BASE64
            .decode(signature.as_bytes())
            .map_err(|_| SignatureError::Malformed("signature is not base64"))?;
        // The draft's default when `headers` is absent.
        let headers = parse_header_list(self.headers.as_deref().unwrap_or("date"))?;
        Ok(SignatureParams {
            key_id,
            algorithm: self.algorithm,
            headers,
            signature,
            created: self.created.as_deref().map(parse_timestamp).transpose()?,
            expires: self.expires.as_deref().map(parse_timestamp).transpose()?,
        })
    }
}

pub(super) fn parse_header_list(list: &str) -> Result<Vec<String>, SignatureError> {
    let mut names: Vec<String> = Vec::new();
    for name in list.split_ascii_whitespace() {
        let name = name.to_ascii_lowercase();
        let pseudo = matches!(
            name.as_str(),
            "(request-target)" | "(created)" | "(expires)"
        );
        if !pseudo && !name.bytes().all(is_token_byte) {
            return Err(SignatureError::Malformed("headers lists an invalid name"));
        }
        if names.contains(&name) {
            return Err(SignatureError::Malformed("headers lists a name twice"));
        }
        if names.len() == MAX_SIGNED_HEADERS {
            return Err(SignatureError::Malformed("headers lists too many names"));
        }
        names.push(name);
    }
    if names.is_empty() {
        return Err(SignatureError::Malformed("headers is empty"));
    }
    Ok(names)
}

/// A Unix time in whole seconds (a fraction would have to be signed as sent: refused instead).
pub(super) fn parse_timestamp(value: &str) -> Result<i64, SignatureError> {
    if value.is_empty() || value.len() > 12 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Malformed(
            "created/expires is not a Unix time",
        ));
    }
    value
        .parse()
        .map_err(|_| SignatureError::Malformed("created/expires is not a Unix time"))
}

pub(super) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

pub(super) fn take_token(s: &str) -> (&str, &str) {
    let end = s.bytes().position(|b| !is_token_byte(b)).unwrap_or(s.len());
    s.split_at(end)
}

pub(super) fn skip_ows(s: &str) -> &str {
    s.trim_start_matches([' ', '\t'])
}

/// `"…"` with `\x` escapes; returns the unescaped text and what follows the closing quote.
pub(super) fn take_quoted(s: &str) -> Result<(String, &str), SignatureError> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &s[i + 1..])),
            '\\' => match chars.next() {
                Some((_, escaped)) if !escaped.is_control() => out.push(escaped),
                _ => return Err(SignatureError::Malformed("bad escape in a quoted value")),
            },
            c if c.is_control() && c != '\t' => {
                return Err(SignatureError::Malformed(
                    "control character in a quoted value",
                ))
            }
            c => out.push(c),
        }
    }
    Err(SignatureError::Malformed("unbalanced quotes"))
}
