//! The owner's pages: log in, first set-up, home with compose, editing a post, settings.

use maud::{html, Markup};

use crate::model::{
    Post, Profile, QuotePolicy, Visibility, MAX_ATTACHMENTS, MAX_DESCRIPTION_CHARS, MAX_POST_CHARS,
    MAX_PROFILE_FIELDS,
};
use crate::urls::Urls;

use super::{avatar_url, layout, media_url, posts, trusted, PageMeta, Viewer};

fn meta(title: &str) -> PageMeta {
    PageMeta {
        title: title.to_string(),
        description: title.to_string(),
        ..PageMeta::default()
    }
}

fn notice(message: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = message { p.notice role="alert" { (message) } }
    }
}

pub fn login(site_name: &str, next: &str, error: Option<&str>) -> Markup {
    let body = html! {
        section.panel.narrow {
            h1 { "Log in" }
            (notice(error))
            form method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required autofocus;
                button type="submit" { "Log in" }
            }
        }
    };
    layout(&meta("Log in"), &Viewer::default(), site_name, body)
}

pub fn setup(site_name: &str, token: &str, error: Option<&str>) -> Markup {
    let body = html! {
        section.panel.narrow {
            h1 { "Welcome to Perch" }
            p { "Choose the password you will log in with. This link works once." }
            (notice(error))
            form method="post" action="/setup" {
                input type="hidden" name="token" value=(token);
                label for="password" { "New password (at least 8 characters)" }
                input #password type="password" name="password" autocomplete="new-password" minlength="8" required autofocus;
                label for="confirm" { "The same password again" }
                input #confirm type="password" name="confirm" autocomplete="new-password" minlength="8" required;
                button type="submit" { "Set password and continue" }
            }
        }
    };
    layout(&meta("Set up Perch"), &Viewer::default(), site_name, body)
}

/// The compose form; `draft` refills it after an error or a preview. Multipart, for the images.
pub fn compose(viewer: &Viewer, draft: &Draft) -> Markup {
    html! {
        form.compose #compose method="post" action="/posts" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(viewer.csrf.as_deref().unwrap_or(""));
            @if let Some(reply) = &draft.in_reply_to { input type="hidden" name="in_reply_to" value=(reply); p.reply-to { "Replying to " (reply) } }
            @if let Some(quote) = &draft.quote { input type="hidden" name="quote" value=(quote); p.quote-link { "Quoting " (quote) } }
            label for="summary" { "Content warning (optional)" }
            input #summary type="text" name="summary" maxlength="500" value=(draft.summary);
            label for="source" { "What's on your mind? (Markdown)" }
            textarea #source name="source" rows="5" maxlength=(MAX_POST_CHARS) required aria-describedby="counter" { (draft.source) }
            p.hint #counter aria-live="polite" data-max=(MAX_POST_CHARS) { "Up to " (MAX_POST_CHARS) " characters." }
            @if let Some(preview) = &draft.preview_html {
                section.preview aria-label="Preview" {
                    h3 { "Preview" }
                    @if !draft.summary.trim().is_empty() { p.cw-label { "Content warning: " (draft.summary.trim()) } }
                    div.content { (trusted(preview)) }
                    p.hint { "Images are not kept by a preview: choose them again before posting." }
                }
            }
            details.attach {
                summary { "Images (up to " (MAX_ATTACHMENTS) ")" }
                (new_image_fields(MAX_ATTACHMENTS, "Image"))
            }
            details.poll-compose {
                summary { "Poll (instead of images)" }
                @for i in 0..4usize {
                    label for=(format!("poll-option-{i}")) { "Option " (i + 1) @if i >= 2 { " (optional)" } }
                    input id=(format!("poll-option-{i}")) type="text" name="poll_options" maxlength="50";
                }
                label for="poll-expires-in" { "Runs for" }
                select #poll-expires-in name="poll_expires_in" {
                    option value="300" { "5 minutes" }
                    option value="1800" { "30 minutes" }
                    option value="3600" { "1 hour" }
                    option value="21600" { "6 hours" }
                    option value="86400" selected { "1 day" }
                    option value="259200" { "3 days" }
                    option value="604800" { "7 days" }
                }
                label { input type="checkbox" name="poll_multiple" value="on"; " Allow several choices" }
            }
            div.row {
                label for="visibility" { "Visibility" }
                select #visibility name="visibility" { (posts::visibility_options(draft.visibility)) }
                label for="quote-policy" { "Quotes" }
                select #quote-policy name="quote_policy" {
                    @for policy in QuotePolicy::ALL {
                        option value=(policy.as_str()) selected[policy == draft.quote_policy] { (policy.label()) }
                    }
                }
                button type="submit" name="preview" value="1" formnovalidate { "Preview" }
                button type="submit" { "Post" }
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct Draft {
    pub source: String,
    pub summary: String,
    pub visibility: Visibility,
    pub in_reply_to: Option<String>,
    /// The post this one quotes (its id).
    pub quote: Option<String>,
    /// Who may quote this post.
    pub quote_policy: QuotePolicy,
    /// The rendered text, when the owner asked for a preview.
    pub preview_html: Option<String>,
}

impl Default for Draft {
    fn default() -> Draft {
        Draft {
            source: String::new(),
            summary: String::new(),
            visibility: Visibility::Public,
            in_reply_to: None,
            quote: None,
            quote_policy: QuotePolicy::default(),
            preview_html: None,
        }
    }
}

/// The edit form: text, content warning and the images (alt text, removal, additions).
/// Multipart, for the added images.
pub fn edit_post(
    urls: &Urls,
    profile: &Profile,
    post: &Post,
    viewer: &Viewer,
    error: Option<&str>,
) -> Markup {
    let free = MAX_ATTACHMENTS.saturating_sub(post.media.len());
    let body = html! {
        section.panel {
            h1 { "Edit post" }
            (notice(error))
            form.compose method="post" action=(format!("/posts/{}/edit", post.id)) enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(viewer.csrf.as_deref().unwrap_or(""));
                label for="summary" { "Content warning (optional)" }
                input #summary type="text" name="summary" maxlength="500" value=(post.summary.as_deref().unwrap_or(""));
                label for="source" { "Text (Markdown)" }
                textarea #source name="source" rows="8" maxlength=(MAX_POST_CHARS) required { (post.source) }
                @for (i, media) in post.media.iter().enumerate() {
                    fieldset.attachment {
                        legend { "Image " (i + 1) }
                        input type="hidden" name=(format!("existing[{i}].id")) value=(media.id);
                        img.thumb src=(if media.has_preview { urls.media_preview(media.id, &media.file_name()) } else { media_url(urls, media) })
                            alt="" width=(media.width) height=(media.height);
                        label for=(format!("existing-{i}-alt")) { "Description (alt text)" }
                        textarea id=(format!("existing-{i}-alt")) name=(format!("existing[{i}].description")) rows="2" maxlength=(MAX_DESCRIPTION_CHARS) { (media.description) }
                        label.check {
                            input id=(format!("existing-{i}-remove")) type="checkbox" name=(format!("existing[{i}].remove")) value="true";
                            " Remove this image"
                        }
                    }
                }
                @if free > 0 {
                    details.attach {
                        summary { "Add images (up to " (MAX_ATTACHMENTS) " in all)" }
                        (new_image_fields(free, "New image"))
                    }
                }
                p.hint { "The visibility (" (post.visibility.label().to_lowercase()) ") cannot be changed after posting, as on Mastodon: those who already received the post keep it." }
                button type="submit" { "Save" }
            }
        }
    };
    layout(&meta("Edit post"), viewer, &profile.display_name, body)
}

pub fn settings(urls: &Urls, profile: &Profile, viewer: &Viewer, message: Option<&str>) -> Markup {
    let csrf = viewer.csrf.as_deref().unwrap_or("");
    let mut fields = profile.fields.clone();
    fields.resize(
        MAX_PROFILE_FIELDS,
        crate::model::Field {
            name: String::new(),
            value: String::new(),
        },
    );
    let body = html! {
        section.panel {
            h1 { "Profile" }
            (notice(message))
            form method="post" action="/settings/profile" {
                input type="hidden" name="csrf" value=(csrf);
                label for="display_name" { "Display name" }
                input #display_name type="text" name="display_name" maxlength="100" value=(profile.display_name);
                label for="bio" { "Bio (Markdown)" }
                textarea #bio name="bio" rows="4" maxlength="2000" { (profile.bio_source) }
                fieldset {
                    legend { "Profile fields (links get rel=\"me\")" }
                    @for (i, field) in fields.iter().enumerate() {
                        div.row {
                            label.sr for=(format!("field_name_{i}")) { "Label " (i + 1) }
                            input id=(format!("field_name_{i}")) type="text" name=(format!("fields[{i}].name")) placeholder="Label" maxlength="255" value=(field.name);
                            label.sr for=(format!("field_value_{i}")) { "Content " (i + 1) }
                            input id=(format!("field_value_{i}")) type="text" name=(format!("fields[{i}].value")) placeholder="Content" maxlength="255" value=(field.value);
                        }
                    }
                }
                label.check {
                    input type="checkbox" name="manually_approves_followers" value="true" checked[profile.manually_approves_followers];
                    " Approve followers by hand"
                }
                label.check {
                    input type="checkbox" name="discoverable" value="true" checked[profile.discoverable];
                    " Suggest my account to others"
                }
                button type="submit" { "Save profile" }
            }
        }
        section.panel {
            h2 { "Pictures" }
            div.pictures {
                img.avatar.big src=(avatar_url(urls, profile)) alt="Current avatar" width="96" height="96";
                @if let Some(header) = &profile.header {
                    img.header src=(media_url(urls, header)) alt="Current header" width=(header.width) height=(header.height);
                }
            }
            form method="post" action="/settings/avatar" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(csrf);
                label for="avatar" { "Avatar (JPEG, PNG, WebP or GIF; cropped to a square)" }
                input #avatar type="file" name="file" accept="image/jpeg,image/png,image/webp,image/gif" required;
                button type="submit" { "Upload avatar" }
            }
            @if profile.avatar.is_some() {
                form.remove method="post" action="/settings/avatar/remove" {
                    input type="hidden" name="csrf" value=(csrf);
                    button.secondary type="submit" { "Remove avatar" }
                }
            }
            form method="post" action="/settings/header" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(csrf);
                label for="header" { "Header (cropped to 3:1)" }
                input #header type="file" name="file" accept="image/jpeg,image/png,image/webp,image/gif" required;
                button type="submit" { "Upload header" }
            }
            @if profile.header.is_some() {
                form.remove method="post" action="/settings/header/remove" {
                    input type="hidden" name="csrf" value=(csrf);
                    button.secondary type="submit" { "Remove header" }
                }
            }
        }
        section.panel {
            h2 { "Moderation" }
            p { a href="/settings/moderation" { "Blocked and muted accounts, blocked domains, muted words" } }
        }
        section.panel { h2 { "Apps" } p { a href="/settings/apps" { "Authorized apps: phone and desktop apps that can act for you" } } }
        section.panel {
            h2 { "Moving" }
            p { a href="/settings/moving" { "Aliases of other accounts, moving in and out" } }
        }
        section.panel {
            h2 { "Followers and following" }
            p { a href="/settings/network" { "Who may see the accounts in them" } }
            h2 { "Backfill" }
            p { a href="/settings/backfill" { "Fetching recent posts and whole threads from other servers" } }
            h2 { "Archive" }
            p { a href="/settings/archive" { "Import a Mastodon archive, or download this account as one" } }
            h2 { "Import and export" }
            p { a href="/settings/import" { "Follows, blocks, mutes, blocked domains, bookmarks and lists as CSV files" } }
        }
        section.panel {
            h2 { "Server" }
            p { a href="/settings/server" { "Version, uptime, queues, failing servers, inbox refusals" } }
        }
        section.panel {
            h2 { "Password" }
            form method="post" action="/settings/password" {
                input type="hidden" name="csrf" value=(csrf);
                label for="current" { "Current password" }
                input #current type="password" name="current" autocomplete="current-password" required;
                label for="password" { "New password" }
                input #password type="password" name="password" autocomplete="new-password" minlength="8" required;
                button type="submit" { "Change password (logs out other browsers)" }
            }
        }
    };
    layout(&meta("Settings"), viewer, &profile.display_name, body)
}

/// `count` empty image slots (file and alt text), numbered from 1 under `legend`.
fn new_image_fields(count: usize, legend: &str) -> Markup {
    html! {
        @for i in 0..count {
            fieldset.attachment {
                legend { (legend) " " (i + 1) }
                label for=(format!("media-{i}")) { "File (JPEG, PNG, WebP or GIF, up to 16 MB)" }
                input id=(format!("media-{i}")) type="file" name=(format!("media[{i}].file")) accept="image/jpeg,image/png,image/webp,image/gif";
                label for=(format!("media-{i}-alt")) { "Description for people who cannot see it (alt text)" }
                textarea id=(format!("media-{i}-alt")) name=(format!("media[{i}].description")) rows="2" maxlength=(MAX_DESCRIPTION_CHARS) {}
            }
        }
    }
}
