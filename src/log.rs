//! One line per event on stderr: `ts level target message key=value …`. The level comes from
//! `PERCH_LOG` (`debug`, `info`, `warn`, `off`; `info` when unset). Callers pass what happened and
//! short facts about it: never a secret, never a request or response body.

use std::io::Write;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warn,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
        }
    }
}

/// The least severe level written, or None for `off`; an unknown value means `info`.
pub fn parse_filter(value: Option<&str>) -> Option<Level> {
    match value.map(str::trim).map(str::to_ascii_lowercase).as_deref() {
        Some("off") | Some("none") => None,
        Some("debug") | Some("trace") => Some(Level::Debug),
        Some("warn") | Some("warning") | Some("error") => Some(Level::Warn),
        _ => Some(Level::Info),
    }
}

fn filter() -> Option<Level> {
    static FILTER: OnceLock<Option<Level>> = OnceLock::new();
    *FILTER.get_or_init(|| parse_filter(std::env::var("PERCH_LOG").ok().as_deref()))
}

pub fn enabled(level: Level) -> bool {
    filter().is_some_and(|least| level >= least)
}

/// The line for an event, without its newline. Values with spaces, quotes or `=` are quoted;
/// line breaks are escaped so that one event stays one line.
pub fn format(
    ts: &str,
    level: Level,
    target: &str,
    message: &str,
    fields: &[(&str, &dyn std::fmt::Display)],
) -> String {
    let mut line = format!("{ts} {} {target} {}", level.name(), one_line(message));
    for (key, value) in fields {
        let value = value.to_string();
        let plain = !value.is_empty()
            && !value
                .chars()
                .any(|c| c.is_whitespace() || c == '"' || c == '=' || c.is_control());
        if plain {
            line.push_str(&format!(" {key}={value}"));
        } else {
            line.push_str(&format!(" {key}={:?}", one_line(&value)));
        }
    }
    line
}

fn one_line(text: &str) -> String {
    // Bounded: a remote server's error text must not fill the log.
    let short: String = text.chars().take(500).collect();
    short.replace(['\n', '\r'], " ")
}

pub fn event(level: Level, target: &str, message: &str, fields: &[(&str, &dyn std::fmt::Display)]) {
    if !enabled(level) {
        return;
    }
    let ts = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let line = format(&ts, level, target, message, fields);
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

pub fn debug(target: &str, message: &str, fields: &[(&str, &dyn std::fmt::Display)]) {
    event(Level::Debug, target, message, fields);
}

pub fn info(target: &str, message: &str, fields: &[(&str, &dyn std::fmt::Display)]) {
    event(Level::Info, target, message, fields);
}

pub fn warn(target: &str, message: &str, fields: &[(&str, &dyn std::fmt::Display)]) {
    event(Level::Warn, target, message, fields);
}

#[cfg(test)]
mod tests;
