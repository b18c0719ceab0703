//! The owner's server page (`/settings/server`): how the running server is doing.

use maud::{html, Markup};

use crate::model::{Profile, Timestamp};
use crate::ops::status::ServerStatus;

use super::{layout, PageMeta, Viewer};

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

fn uptime(status: &ServerStatus) -> String {
    match status.uptime {
        None => "unknown".into(),
        Some(elapsed) => {
            let minutes = elapsed.as_secs() / 60;
            let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
            match days {
                0 => format!("{hours} h {minutes} min"),
                _ => format!("{days} d {hours} h"),
            }
        }
    }
}

fn utc(at: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp(at.0.div_euclid(1000))
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

pub fn page(profile: &Profile, status: &ServerStatus, viewer: &Viewer) -> Markup {
    let queue = &status.queue;
    let body = html! {
        h1 { "Server" }
        section.panel {
            dl {
                dt { "Version" } dd { "Perch " (status.version) }
                dt { "Up for" } dd { (uptime(status)) }
                dt { "Database" } dd { (megabytes(status.database_bytes)) }
                dt { "Inbox queue" } dd { (status.inbound_pending) " waiting" }
                dt { "Delivery queue" } dd { (queue.pending) " waiting" }
            }
        }
        section.panel {
            h2 { "Failing hosts" }
            @if queue.failing_hosts.is_empty() {
                p.empty { "Every server we deliver to answers." }
            } @else {
                @if queue.failing_count > queue.failing_hosts.len() as u64 {
                    p.hint { (queue.failing_count) " in all; the five failing most:" }
                }
                ul.list {
                    @for host in &queue.failing_hosts {
                        li {
                            strong { (host.host) } " — " (host.failures) " failures"
                            @if let Some(at) = host.retry_at { "; next try " (utc(at)) }
                            @if let Some(error) = &host.last_error { br; span.muted { (error) } }
                        }
                    }
                }
            }
        }
        section.panel {
            h2 { "Inbox refusals since the start" }
            @if status.refusals.is_empty() {
                p.empty { "None." }
            } @else {
                ul.list {
                    @for (reason, count) in &status.refusals {
                        li { (count) " × " (reason) }
                    }
                }
            }
        }
    };
    let meta = PageMeta {
        title: "Server".into(),
        description: "Server".into(),
        ..PageMeta::default()
    };
    layout(&meta, viewer, &profile.display_name, body)
}
