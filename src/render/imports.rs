//! `/settings/import`: CSV files in Mastodon's formats, uploaded and downloaded, with the
//! progress of each import the worker is working through.

use maud::{html, Markup};

use crate::model::{ImportJob, Profile, Timestamp};

use super::timeline::meta;
use super::{layout, time, Viewer};

/// The kinds a file can be imported as, with their labels (followers cannot: each chooses).
const IMPORTABLE: [(&str, &str); 6] = [
    ("following", "Accounts you follow"),
    ("blocks", "Blocked accounts"),
    ("mutes", "Muted accounts"),
    ("domain_blocks", "Blocked domains"),
    ("bookmarks", "Bookmarks"),
    ("lists", "Lists"),
];
const EXPORTABLE: [(&str, &str); 7] = [
    ("following", "Accounts you follow"),
    ("followers", "Followers"),
    ("blocks", "Blocked accounts"),
    ("mutes", "Muted accounts"),
    ("domain_blocks", "Blocked domains"),
    ("bookmarks", "Bookmarks"),
    ("lists", "Lists"),
];

pub fn settings(
    profile: &Profile,
    jobs: &[(ImportJob, Vec<(usize, String)>)],
    error: Option<&str>,
    viewer: &Viewer,
) -> Markup {
    let csrf = viewer.csrf.as_deref().unwrap_or("");
    let body = html! {
        section.panel {
            h1 { "Import and export" }
            @if let Some(message) = error {
                p.error #import-result role="alert" { "The file was refused: " (message) }
            }
            h2 { "Import a CSV file" }
            p {
                "The files of Mastodon's Import and export page. Perch works through them in the "
                "background, asking other servers at most once a second, so a long list of follows "
                "takes a while; the progress shows below. A line it cannot use is skipped and named."
            }
            form method="post" action="/settings/import" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(csrf);
                label for="import-kind" { "What the file holds" }
                select #import-kind name="kind" {
                    @for (name, label) in IMPORTABLE { option value=(name) { (label) } }
                }
                label { input type="radio" name="mode" value="merge" checked; " Merge: add to what is there" }
                label { input type="radio" name="mode" value="overwrite"; " Overwrite: undo what the file does not name" }
                input type="file" name="file" accept=".csv,text/csv" required;
                button type="submit" { "Import" }
            }
            @if !jobs.is_empty() {
                h2 { "Imports" }
                ul #imports {
                    @for (job, skipped) in jobs { li.import data-state=(state(job)) { (job_line(job)) (skipped_lines(skipped)) } }
                }
            }
            h2 { "Export as CSV" }
            ul {
                @for (name, label) in EXPORTABLE {
                    li { a href={ "/settings/export/" (name) ".csv" } download={ (name) ".csv" } { (label) } }
                }
            }
            p { a href="/settings/archive" { "Posts: import or download a whole archive" } }
            p { a href="/settings" { "Back to settings" } }
        }
    };
    layout(
        &meta("Import and export"),
        viewer,
        &profile.display_name,
        body,
    )
}

fn state(job: &ImportJob) -> &'static str {
    if job.finished_at.is_some() {
        "done"
    } else {
        "working"
    }
}

fn job_line(job: &ImportJob) -> Markup {
    let handled = job.done + job.skipped;
    html! {
        strong { (job.kind.replace('_', " ")) }
        @if job.overwrite { " (overwrite)" }
        " · " (time(Timestamp(job.created_at))) " · "
        span.progress { (handled) " of " (job.total) " lines" }
        " · " (job.done) " imported, " (job.skipped) " skipped"
        @if job.removed > 0 { ", " (job.removed) " removed" }
        @match job.finished_at {
            Some(at) => { " · done " (time(Timestamp(at))) }
            None => { " · " progress value=(handled) max=(job.total.max(1)) {} " working…" }
        }
    }
}

fn skipped_lines(skipped: &[(usize, String)]) -> Markup {
    html! {
        @if !skipped.is_empty() {
            ul.skipped {
                @for (line, reason) in skipped { li { "line " (line) ": " (reason) } }
            }
        }
    }
}
