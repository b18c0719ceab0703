//! The owner's home with the compose form: writing (with images and a preview), editing and
//! deleting posts.

use std::collections::BTreeMap;

use rocket::form::{error::ErrorKind, Contextual, Form, FromForm};
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{get, post, State};

use crate::domain::attachments::{self, Upload};
use crate::domain::polls::NewPoll;
use crate::domain::posts::{self, Compose, MediaChange, PostChanges};
use crate::domain::{quotes, timeline};
use crate::error::{Error, Result};
use crate::media::MAX_UPLOAD_BYTES;
use crate::model::{QuotePolicy, Timestamp, Visibility};
use crate::render::{self, admin::Draft};
use crate::text;

use super::admin::CsrfOnly;
use super::guards::Owner;
use super::reply::Reply;
use super::App;

const PAGE_SIZE: usize = 20;

/// The home timeline with the compose form above it; `error` shows a refused draft again.
async fn home_page(
    app: &App,
    owner: &Owner,
    max_id: Option<i64>,
    draft: Draft,
    error: Option<Error>,
) -> Result<Reply> {
    let username = app.config.username.clone();
    let urls = app.urls.clone();
    let (profile, page) = app
        .run(move |conn| timeline::home_page(conn, &urls, &username, max_id, PAGE_SIZE))
        .await?;
    let viewer = owner.viewer();
    let compose = render::admin::compose(&viewer, &draft);
    let markup = render::timeline::timeline(
        &app.urls,
        &profile,
        &page,
        &viewer,
        compose,
        error.as_ref().map(|e| e.message.as_str()),
    );
    Ok(match error {
        Some(e) => Reply::HtmlStatus(
            Status::from_code(e.status).unwrap_or(Status::BadRequest),
            markup,
        ),
        None => Reply::Html(markup),
    })
}

/// The owner's home; everyone else is shown the profile. `reply_to` starts a reply with the
/// thread's mentions filled in.
#[get("/?<max_id>&<reply_to>&<quote>")]
pub async fn home(
    app: &State<App>,
    owner: Option<Owner>,
    max_id: Option<i64>,
    reply_to: Option<&str>,
    quote: Option<&str>,
) -> Result<Reply> {
    let Some(owner) = owner else {
        return Ok(Reply::Redirect(Redirect::to(app.urls.profile())));
    };
    let (urls, reply) = (app.urls.clone(), reply_to.map(str::to_string));
    let (source, quote_policy) = app
        .run(move |conn| {
            let source = match reply {
                Some(uri) => timeline::reply_mentions(conn, &urls, &uri)?,
                None => String::new(),
            };
            Ok((source, quotes::default_policy(conn)?))
        })
        .await?;
    let draft = Draft {
        in_reply_to: reply_to.map(str::to_string),
        quote: quote.map(str::to_string).filter(|q| !q.trim().is_empty()),
        quote_policy,
        source,
        ..Draft::default()
    };
    home_page(app, &owner, max_id, draft, None).await
}

/// One image field of the compose form; browsers send an empty file when none is chosen.
#[derive(FromForm)]
pub struct AttachmentField<'r> {
    file: &'r [u8],
    #[field(default = String::new())]
    description: String,
}

#[derive(FromForm)]
pub struct ComposeForm<'r> {
    csrf: &'r str,
    source: String,
    summary: Option<String>,
    visibility: &'r str,
    in_reply_to: Option<String>,
    /// The post quoted, by its id; and who may quote this one.
    quote: Option<String>,
    quote_policy: Option<&'r str>,
    /// By the index in `media[i].file`: a map, so that the fields may come in any order (a
    /// `Vec` starts a new item whenever the index changes).
    media: BTreeMap<usize, AttachmentField<'r>>,
    /// Set by the "Preview" button: show the rendered text instead of posting.
    preview: Option<&'r str>,
    /// A poll: its options (blank ones are left out; none is no poll), its length in seconds,
    /// and whether several choices may be made.
    #[field(default = Vec::new())]
    poll_options: Vec<String>,
    poll_expires_in: Option<i64>,
    poll_multiple: Option<&'r str>,
}

/// The poll the form asks for, if any option was filled in.
fn poll_of(form: &ComposeForm<'_>) -> Option<NewPoll> {
    let options: Vec<String> = form
        .poll_options
        .iter()
        .filter(|o| !o.trim().is_empty())
        .cloned()
        .collect();
    (!options.is_empty()).then(|| NewPoll {
        options,
        expires_in: form.poll_expires_in.unwrap_or(24 * 60 * 60),
        multiple: form.poll_multiple.is_some(),
        hide_totals: false,
    })
}

/// The draft as the form sent it, to show again.
fn draft_of(form: &ComposeForm<'_>, visibility: Visibility) -> Draft {
    Draft {
        source: form.source.clone(),
        summary: form.summary.clone().unwrap_or_default(),
        visibility,
        in_reply_to: form.in_reply_to.clone().filter(|r| !r.trim().is_empty()),
        quote: form.quote.clone().filter(|q| !q.trim().is_empty()),
        quote_policy: form
            .quote_policy
            .and_then(QuotePolicy::parse)
            .unwrap_or_default(),
        preview_html: None,
    }
}

/// A form rocket could not read whole (most often an image over the size limit): the text is
/// shown again with the reason; `outcome` says what did not happen.
fn refused_form(
    owner: &Owner,
    context: &rocket::form::Context<'_>,
    outcome: &str,
) -> Result<(Draft, Error)> {
    let Some(csrf) = context.field_value("csrf") else {
        return Err(Error::new(422, "the form is incomplete or malformed"));
    };
    owner.check_csrf(csrf)?;
    let too_large = context
        .errors()
        .any(|e| matches!(e.kind, ErrorKind::InvalidLength { .. }));
    let message = if too_large {
        format!(
            "an image is larger than {} MB; {outcome}",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        )
    } else {
        "the form is incomplete or malformed".to_string()
    };
    let value = |name: &str| context.field_value(name).unwrap_or("").to_string();
    let draft = Draft {
        source: value("source"),
        summary: value("summary"),
        visibility: Visibility::parse(&value("visibility")).unwrap_or(Visibility::Public),
        in_reply_to: context
            .field_value("in_reply_to")
            .filter(|r| !r.trim().is_empty())
            .map(str::to_string),
        quote: context
            .field_value("quote")
            .filter(|q| !q.trim().is_empty())
            .map(str::to_string),
        quote_policy: QuotePolicy::parse(&value("quote_policy")).unwrap_or_default(),
        preview_html: None,
    };
    Ok((draft, Error::new(422, message)))
}

#[post("/posts", data = "<form>")]
pub async fn compose(
    app: &State<App>,
    owner: Owner,
    form: Form<Contextual<'_, ComposeForm<'_>>>,
) -> Result<Reply> {
    let Contextual { value, context } = form.into_inner();
    let Some(fields) = value else {
        let (draft, error) = refused_form(&owner, &context, "the post was not sent")?;
        drop(context);
        return home_page(app, &owner, None, draft, Some(error)).await;
    };
    drop(context);
    let fields = &fields;
    owner.check_csrf(fields.csrf)?;
    let visibility = Visibility::parse(fields.visibility)
        .ok_or_else(|| Error::bad_request("unknown visibility"))?;
    if fields.preview.is_some() {
        let urls = app.urls.clone();
        let rendered = text::render_markdown(&fields.source, &|tag| urls.hashtag(tag));
        let mut draft = draft_of(fields, visibility);
        draft.preview_html = Some(rendered.html);
        return home_page(app, &owner, None, draft, None).await;
    }
    let uploads = uploads(&fields.media);
    if let Err(error) = attachments::check_count(0, uploads.len()) {
        return home_page(app, &owner, None, draft_of(fields, visibility), Some(error)).await;
    }
    let compose = Compose {
        source: fields.source.clone(),
        summary: fields.summary.clone(),
        visibility,
        in_reply_to: fields.in_reply_to.clone().filter(|r| !r.trim().is_empty()),
    };
    let urls = app.urls.clone();
    let poll = poll_of(fields);
    let quote = fields.quote.clone().filter(|q| !q.trim().is_empty());
    let quote_policy = match fields.quote_policy {
        Some(text) => Some(
            QuotePolicy::parse(text).ok_or_else(|| Error::bad_request("unknown quote policy"))?,
        ),
        None => None,
    };
    let result = app
        .run_remote(move |conn, remote| {
            let extra = posts::Extra {
                uploads: &uploads,
                poll: poll.as_ref(),
                quote: quote.as_deref(),
                quote_policy,
                ..posts::Extra::default()
            };
            Ok(posts::publish_extra(
                conn,
                &urls,
                Some(remote),
                &compose,
                &extra,
                Timestamp::now(),
            ))
        })
        .await?;
    match result {
        Ok(post) => Ok(Reply::Redirect(Redirect::to(app.urls.post_page(post.id)))),
        Err(e) if e.status < 500 => {
            home_page(app, &owner, None, draft_of(fields, visibility), Some(e)).await
        }
        Err(e) => Err(e),
    }
}

/// The edit form; after a refused save, the reason and the text as the owner sent it.
async fn edit_page(
    app: &App,
    owner: &Owner,
    id: i64,
    refused: Option<(Error, Draft)>,
) -> Result<Reply> {
    let username = app.config.username.clone();
    let (profile, mut post) = app
        .run(move |conn| posts::editing(conn, &username, id))
        .await?;
    let Some((error, draft)) = refused else {
        let markup = render::admin::edit_post(&app.urls, &profile, &post, &owner.viewer(), None);
        return Ok(Reply::Html(markup));
    };
    post.source = draft.source;
    post.summary = Some(draft.summary).filter(|s| !s.trim().is_empty());
    let markup = render::admin::edit_post(
        &app.urls,
        &profile,
        &post,
        &owner.viewer(),
        Some(&error.message),
    );
    Ok(Reply::HtmlStatus(
        Status::from_code(error.status).unwrap_or(Status::BadRequest),
        markup,
    ))
}

#[get("/posts/<id>/edit")]
pub async fn edit_form(app: &State<App>, owner: Owner, id: i64) -> Result<Reply> {
    edit_page(app, &owner, id, None).await
}

/// An image already on the post, as the edit form sends it back.
#[derive(FromForm)]
pub struct ExistingField {
    id: i64,
    #[field(default = String::new())]
    description: String,
    /// The "Remove this image" checkbox; absent when not ticked.
    remove: bool,
}

/// The image fields that carry a file, as uploads, in the order of their indexes.
fn uploads(fields: &BTreeMap<usize, AttachmentField<'_>>) -> Vec<Upload> {
    fields
        .values()
        .filter(|m| !m.file.is_empty())
        .map(|m| Upload {
            data: m.file.to_vec(),
            description: m.description.clone(),
        })
        .collect()
}

#[derive(FromForm)]
pub struct EditForm<'r> {
    csrf: &'r str,
    source: String,
    summary: Option<String>,
    /// Both by index, in any order (see `ComposeForm::media`).
    existing: BTreeMap<usize, ExistingField>,
    media: BTreeMap<usize, AttachmentField<'r>>,
}

#[post("/posts/<id>/edit", data = "<form>")]
pub async fn edit(
    app: &State<App>,
    owner: Owner,
    id: i64,
    form: Form<Contextual<'_, EditForm<'_>>>,
) -> Result<Reply> {
    let Contextual { value, context } = form.into_inner();
    let Some(form) = value else {
        let refused = refused_form(&owner, &context, "the post was not changed")?;
        drop(context);
        return edit_page(app, &owner, id, Some((refused.1, refused.0))).await;
    };
    drop(context);
    owner.check_csrf(form.csrf)?;
    let changes = PostChanges {
        source: form.source.clone(),
        summary: form.summary.clone(),
        media: form
            .existing
            .values()
            .map(|m| MediaChange {
                id: m.id,
                description: m.description.clone(),
                remove: m.remove,
            })
            .collect(),
        added: uploads(&form.media),
    };
    let urls = app.urls.clone();
    let result = app
        .run(move |conn| Ok(posts::edit(conn, &urls, id, &changes, Timestamp::now())))
        .await?;
    match result {
        Ok(post) => Ok(Reply::Redirect(Redirect::to(app.urls.post_page(post.id)))),
        Err(e) if e.status < 500 && e.status != 404 => {
            let draft = Draft {
                source: form.source.clone(),
                summary: form.summary.clone().unwrap_or_default(),
                ..Draft::default()
            };
            edit_page(app, &owner, id, Some((e, draft))).await
        }
        Err(e) => Err(e),
    }
}

#[post("/posts/<id>/delete", data = "<form>")]
pub async fn delete(
    app: &State<App>,
    owner: Owner,
    id: i64,
    form: Form<CsrfOnly<'_>>,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let urls = app.urls.clone();
    app.run(move |conn| posts::delete(conn, &urls, id, Timestamp::now()))
        .await?;
    Ok(Reply::Redirect(Redirect::to("/")))
}

/// The newest timeline entry's id, polled by the page's script for its "new posts" notice.
#[get("/api/timeline/newest")]
pub async fn newest(app: &State<App>, _owner: Owner) -> Result<Reply> {
    let urls = app.urls.clone();
    let page = app
        .run(move |conn| timeline::home(conn, &urls, None, 1))
        .await?;
    // A string: the ids are 64-bit, more than a JavaScript number holds exactly.
    let newest = page.items.first().map(|e| e.id.to_string());
    Ok(Reply::Json(
        serde_json::json!({ "newest": newest }),
        rocket::http::ContentType::JSON,
    ))
}
