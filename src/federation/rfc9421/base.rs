//! The signature base (RFC 9421 §2.5): one `"name": value` line per covered component, then
//! the `@signature-params` line. Request components only; header parameters (`sf`, `bs`, `key`,
//! `req`, `tr`) are refused rather than half-supported.

use url::Url;

use super::fields::{self, BareItem, Item, Params};
use super::{Reason, Request};

/// The signature base for `components` (the inner list of a `Signature-Input` member) with
/// its `params`.
pub fn signature_base(
    request: &Request,
    components: &[Item],
    params: &Params,
) -> Result<String, Reason> {
    let url = Url::parse(request.target_uri).map_err(|_| Reason::BadTargetUri)?;
    let mut base = String::new();
    let mut seen: Vec<&Item> = Vec::new();
    for component in components {
        let BareItem::String(name) = &component.bare else {
            return Err(Reason::Malformed("a component identifier must be a string"));
        };
        if seen.contains(&component) {
            return Err(Reason::Malformed("a component is covered twice"));
        }
        seen.push(component);
        for value in component_values(request, &url, name, &component.params)? {
            if value.contains(['\r', '\n']) {
                return Err(Reason::Malformed("a component value spans lines"));
            }
            fields::serialize_item(&mut base, component);
            base.push_str(": ");
            base.push_str(&value);
            base.push('\n');
        }
    }
    base.push_str("\"@signature-params\": ");
    fields::serialize_inner_list(&mut base, components, params);
    Ok(base)
}

/// A component's value; `@query-param` may give several (one line per occurrence).
fn component_values(
    request: &Request,
    url: &Url,
    name: &str,
    params: &Params,
) -> Result<Vec<String>, Reason> {
    let unsupported = || Reason::UnsupportedComponent(name.to_string());
    if name == "@query-param" {
        let [(key, BareItem::String(wanted))] = params.as_slice() else {
            return Err(unsupported());
        };
        if key != "name" {
            return Err(unsupported());
        }
        let values: Vec<String> = url
            .query_pairs()
            .filter(|(k, _)| k == wanted)
            .map(|(_, v)| reencode(&v))
            .collect();
        if values.is_empty() {
            return Err(Reason::MissingComponent(format!("@query-param {wanted}")));
        }
        return Ok(values);
    }
    if !params.is_empty() {
        return Err(unsupported());
    }
    let value = match name {
        "@method" => request.method.to_string(),
        "@target-uri" => request.target_uri.to_string(),
        "@authority" => authority(url).ok_or(Reason::BadTargetUri)?,
        "@scheme" => url.scheme().to_ascii_lowercase(),
        "@path" => path(url),
        "@query" => format!("?{}", url.query().unwrap_or("")),
        "@request-target" => match url.query() {
            Some(query) => format!("{}?{query}", path(url)),
            None => path(url),
        },
        "@signature-params" => {
            return Err(Reason::Malformed("@signature-params cannot be covered"));
        }
        _ if name.starts_with('@') => return Err(unsupported()),
        _ if name.is_empty() || name.bytes().any(|b| b.is_ascii_uppercase()) => {
            return Err(Reason::Malformed("a header name must be lower-case"));
        }
        _ => header_value(request, name).ok_or_else(|| Reason::MissingComponent(name.into()))?,
    };
    Ok(vec![value])
}

/// Every instance of a header, each trimmed, joined by ", " (RFC 9421 §2.1).
fn header_value(request: &Request, name: &str) -> Option<String> {
    let values: Vec<&str> = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim_matches([' ', '\t']))
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// Host (lower-case) and the port when it is not the scheme's default.
fn authority(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// The path as `url` normalises it (dot segments resolved, odd characters percent-encoded):
/// a signer that signed a raw, unnormalised path will not verify, which errs on the safe side.
fn path(url: &Url) -> String {
    match url.path() {
        "" => "/".to_string(),
        p => p.to_string(),
    }
}

/// RFC 9421 §2.2.8: a decoded query value re-encoded with percent-encoding (spaces as %20).
fn reencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
