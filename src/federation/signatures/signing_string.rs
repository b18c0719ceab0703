//! The signing string both sides build: `name: value` lines for the signed names.

use super::check::{IncomingRequest, NO_CREATED, NO_EXPIRES};
use super::parse::SignatureParams;
use super::SignatureError;

/// `host[:port]` as an HTTP client sends it: the port only when the URL names a non-default one
/// (`url` already drops `:443` from https and `:80` from http URLs).
pub fn host_header(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// The path and query as they appear in the request line.
pub fn path_and_query(url: &url::Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    }
}

/// The draft's signing string: `name: value` lines for the signed names, in their order.
pub fn signing_string(
    request: &IncomingRequest,
    params: &SignatureParams,
) -> Result<String, SignatureError> {
    let mut lines = Vec::with_capacity(params.headers.len());
    for name in &params.headers {
        let value = match name.as_str() {
            "(request-target)" => {
                let target = request.path_and_query;
                if !target.starts_with('/')
                    || target.contains(|c: char| c.is_ascii_whitespace() || c.is_control())
                {
                    return Err(SignatureError::Malformed(
                        "the request target is not a path",
                    ));
                }
                format!("{} {target}", request.method.to_ascii_lowercase())
            }
            "(created)" => params.created.ok_or(NO_CREATED)?.to_string(),
            "(expires)" => params.expires.ok_or(NO_EXPIRES)?.to_string(),
            other => request
                .joined(other)?
                .ok_or_else(|| SignatureError::MissingHeader(other.to_string()))?,
        };
        lines.push(format!("{name}: {value}"));
    }
    Ok(lines.join("\n"))
}
