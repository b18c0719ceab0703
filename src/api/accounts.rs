//! `/api/v1/accounts/…` and what hangs off accounts: credentials, lookup and search (v1 and
//! `/api/v2/search`), statuses, followers, relationships, follow/block/mute/note, follow
//! requests, blocks, mutes, domain blocks, and the empty featured tags and suggestions. Over
//! `domain::accounts`, which uses the web page's own follows, moderation and profile.

use rocket::form::{Form, FromForm};
use rocket::http::ContentType;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::serde::json::Json;
use rocket::{delete, get, patch, post, State};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::domain::accounts::{self, Changes, StatusFilter, Who};
use crate::domain::statuses;
use crate::domain::timeline::Entry;
use crate::model::{Actor, Field, PeopleTab, Range, Timestamp};
use crate::urls::Urls;

use super::auth::{MaybeToken, Token};
use super::body::{flex, form_to_json, Body};
use super::entities::account::{self, Account};
use super::entities::relationship::relationship;
use super::entities::{datetime, list as tags, OWNER_ACCOUNT_ID};
use super::error::{ApiError, ApiResult};
use super::paging::{PageQuery, Paged, DEFAULT_LIMIT, MAX_LIMIT};

/// The query string as JSON (`id[]=1&id[]=2` as a list), for the parameters rocket's query
/// parser does not take as Mastodon's apps send them.
pub struct Query(Value);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Query {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        let value = request
            .uri()
            .query()
            .and_then(|q| form_to_json(q.as_str().as_bytes()).ok())
            .unwrap_or_else(|| Value::Object(Map::new()));
        Outcome::Success(Query(value))
    }
}

impl Query {
    fn text(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Array(items) => items.first()?.as_str().map(str::to_string),
            _ => None,
        }
    }

    fn flag(&self, key: &str) -> bool {
        matches!(
            self.text(key)
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("true" | "1" | "on" | "yes")
        )
    }

    fn list(&self, key: &str) -> Vec<String> {
        let value = self.0.get(key).or_else(|| self.0.get(format!("{key}[]")));
        match value {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(Value::Object(map)) => map
                .values()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn limit(&self, default: usize, max: usize) -> usize {
        self.text("limit")
            .and_then(|l| l.trim().parse::<usize>().ok())
            .unwrap_or(default)
            .clamp(1, max)
    }
}

use super::statuses::owner_account;

/// Who an account id names: "0" the owner, a row id a remote account we hold.
fn who(conn: &rusqlite::Connection, id: &str) -> crate::error::Result<Who> {
    if id.trim() == OWNER_ACCOUNT_ID {
        return Ok(Who::Owner);
    }
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| crate::error::Error::new(404, "Record not found"))?;
    Ok(Who::Remote(Box::new(accounts::actor(conn, id)?)))
}

/// A remote account by id; the owner's own id is refused as Mastodon refuses acting on
/// oneself.
fn remote_only(conn: &rusqlite::Connection, id: &str) -> crate::error::Result<Actor> {
    match who(conn, id)? {
        Who::Remote(actor) => Ok(*actor),
        Who::Owner => Err(crate::error::Error::new(
            422,
            "Validation failed: this is your own account",
        )),
    }
}

fn shaped(urls: &Urls, owner: &statuses::Owner, who: &Who) -> Account {
    match who {
        Who::Owner => owner_account(urls, owner),
        Who::Remote(actor) => account::remote(urls, actor),
    }
}

/// The owner as a CredentialAccount: the account with its `source`.
fn credential(urls: &Urls, owner: &statuses::Owner, follow_requests: u64) -> Value {
    let mut value = json!(owner_account(urls, owner));
    value["source"] = json!({
        "privacy": "public",
        "sensitive": false,
        "language": null,
        "note": owner.profile.bio_source,
        "fields": owner.profile.fields.iter().map(|f| json!({
            "name": f.name, "value": f.value, "verified_at": null
        })).collect::<Vec<_>>(),
        "follow_requests_count": follow_requests,
        "hide_collections": false,
        "discoverable": owner.profile.discoverable,
        "indexable": owner.profile.discoverable,
    });
    value["role"] = json!({
        "id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": false
    });
    value
}

#[get("/api/v1/accounts/verify_credentials")]
pub async fn verify_credentials(
    app: &State<App>,
    token: Token,
) -> ApiResult<(ContentType, String)> {
    token.owner("read:me")?;
    // Apps ask it on every start and often between: kept until anything is committed.
    if let Some(body) = app.credentials.get(&()) {
        return Ok((ContentType::JSON, body.to_string()));
    }
    let stamp = app.credentials.stamp();
    let username = app.config.username.clone();
    let (owner, requests) = app
        .run(move |conn| {
            Ok((
                statuses::owner(conn, &username)?,
                accounts::follow_requests_count(conn)?,
            ))
        })
        .await?;
    let body = credential(&app.urls, &owner, requests).to_string();
    app.credentials.keep(stamp, (), body.as_str().into());
    Ok((ContentType::JSON, body))
}

/// `update_credentials` as JSON or a url-encoded form.
#[derive(Deserialize, Default)]
pub struct CredentialsBody {
    display_name: Option<String>,
    note: Option<String>,
    #[serde(default, deserialize_with = "flex::opt_bool")]
    locked: Option<bool>,
    #[serde(default, deserialize_with = "flex::opt_bool")]
    bot: Option<bool>,
    #[serde(default, deserialize_with = "flex::opt_bool")]
    discoverable: Option<bool>,
    #[serde(default)]
    fields_attributes: Value,
}

/// `update_credentials` as multipart, with the pictures.
#[derive(FromForm)]
pub struct CredentialsUpload<'r> {
    display_name: Option<String>,
    note: Option<String>,
    locked: Option<String>,
    bot: Option<String>,
    discoverable: Option<String>,
    avatar: Option<&'r [u8]>,
    header: Option<&'r [u8]>,
    fields_attributes: std::collections::BTreeMap<String, FieldForm>,
}

#[derive(FromForm, Deserialize, Default, Clone)]
pub struct FieldForm {
    name: Option<String>,
    value: Option<String>,
}

fn truthy(text: Option<&str>) -> ApiResult<Option<bool>> {
    match text.map(|t| t.trim().to_ascii_lowercase()) {
        None => Ok(None),
        Some(t) => match t.as_str() {
            "true" | "1" | "on" | "yes" | "t" => Ok(Some(true)),
            "false" | "0" | "off" | "no" | "f" | "" => Ok(Some(false)),
            _ => Err(ApiError::new(422, "Validation failed: expected a boolean")),
        },
    }
}

/// `fields_attributes` as a list, or an object keyed `0`…`3`, in key order.
fn fields_of(value: &Value) -> ApiResult<Option<Vec<Field>>> {
    let items: Vec<Value> = match value {
        Value::Null => return Ok(None),
        Value::Array(items) => items.clone(),
        Value::Object(map) => {
            let mut pairs: Vec<(&String, &Value)> = map.iter().collect();
            pairs.sort_by_key(|(k, _)| k.parse::<u32>().unwrap_or(u32::MAX));
            pairs.into_iter().map(|(_, v)| v.clone()).collect()
        }
        _ => return Err(ApiError::new(422, "Validation failed: fields_attributes")),
    };
    let fields = items
        .into_iter()
        .map(|item| {
            let field: FieldForm = serde_json::from_value(item).unwrap_or_default();
            Field {
                name: field.name.unwrap_or_default(),
                value: field.value.unwrap_or_default(),
            }
        })
        .collect();
    Ok(Some(fields))
}

async fn apply_credentials(app: &App, changes: Changes) -> ApiResult<Json<Value>> {
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let (owner, requests) = app
        .run(move |conn| {
            accounts::update_credentials(conn, &urls, &username, changes, Timestamp::now())
                .map_err(|e| {
                    // The settings page's refusals are Mastodon's validation failures.
                    if e.status == 400 {
                        crate::error::Error::new(422, format!("Validation failed: {}", e.message))
                    } else {
                        e
                    }
                })?;
            Ok((
                statuses::owner(conn, &username)?,
                accounts::follow_requests_count(conn)?,
            ))
        })
        .await?;
    Ok(Json(credential(&app.urls, &owner, requests)))
}

#[patch(
    "/api/v1/accounts/update_credentials",
    format = "multipart/form-data",
    data = "<form>"
)]
pub async fn update_credentials_multipart(
    app: &State<App>,
    token: Token,
    form: Form<CredentialsUpload<'_>>,
) -> ApiResult<Json<Value>> {
    token.owner("write:accounts")?;
    let fields = if form.fields_attributes.is_empty() {
        None
    } else {
        let object: Map<String, Value> = form
            .fields_attributes
            .iter()
            .map(|(k, f)| (k.clone(), json!({"name": f.name, "value": f.value})))
            .collect();
        fields_of(&Value::Object(object))?
    };
    let changes = Changes {
        display_name: form.display_name.clone(),
        note: form.note.clone(),
        fields,
        locked: truthy(form.locked.as_deref())?,
        bot: truthy(form.bot.as_deref())?,
        discoverable: truthy(form.discoverable.as_deref())?,
        avatar: form.avatar.map(<[u8]>::to_vec),
        header: form.header.map(<[u8]>::to_vec),
    };
    apply_credentials(app, changes).await
}

#[patch("/api/v1/accounts/update_credentials", data = "<body>", rank = 2)]
pub async fn update_credentials(
    app: &State<App>,
    token: Token,
    body: Body<CredentialsBody>,
) -> ApiResult<Json<Value>> {
    token.owner("write:accounts")?;
    let body = body.0;
    let changes = Changes {
        display_name: body.display_name,
        note: body.note,
        fields: fields_of(&body.fields_attributes)?,
        locked: body.locked,
        bot: body.bot,
        discoverable: body.discoverable,
        avatar: None,
        header: None,
    };
    apply_credentials(app, changes).await
}

fn read_accounts(token: &MaybeToken) -> ApiResult<()> {
    match &token.0 {
        Some(token) => token.require("read:accounts"),
        None => Ok(()),
    }
}

#[get("/api/v1/accounts/lookup")]
pub async fn lookup(app: &State<App>, token: MaybeToken, query: Query) -> ApiResult<Json<Value>> {
    read_accounts(&token)?;
    let acct = query
        .text("acct")
        .ok_or_else(|| ApiError::new(400, "Missing parameter: acct"))?;
    // Only the owner's apps make us fetch from other servers.
    let may_fetch = token.0.as_ref().is_some_and(|t| t.0.for_owner);
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let (owner, found) = app
        .run_remote(move |conn, remote| {
            let found = accounts::lookup(
                conn,
                remote,
                &urls,
                &username,
                &acct,
                may_fetch,
                Timestamp::now(),
            )?;
            Ok((statuses::owner(conn, &username)?, found))
        })
        .await?;
    Ok(Json(json!(shaped(&app.urls, &owner, &found))))
}

#[get("/api/v1/accounts/relationships")]
pub async fn relationships(app: &State<App>, token: Token, query: Query) -> ApiResult<Json<Value>> {
    token.owner("read:follows")?;
    let ids: Vec<String> = query.list("id").into_iter().take(MAX_LIMIT * 2).collect();
    let found = app
        .run(move |conn| {
            let mut found = Vec::new();
            for id in ids {
                match who(conn, &id) {
                    Ok(Who::Owner) => found.push(relationship(&id, &Default::default())),
                    Ok(Who::Remote(actor)) => {
                        found.push(relationship(&id, &accounts::relationship(conn, &actor)?))
                    }
                    Err(e) if e.status == 404 => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(found)
        })
        .await?;
    Ok(Json(json!(found)))
}

#[get("/api/v1/accounts/search")]
pub async fn search(app: &State<App>, token: Token, query: Query) -> ApiResult<Json<Value>> {
    token.require("read:accounts")?;
    let q = query.text("q").unwrap_or_default();
    let (resolve, limit) = (query.flag("resolve"), query.limit(40, 80));
    // Resolving fetches from other servers: only for the owner's apps.
    let resolve = resolve && token.0.for_owner;
    let following = query.flag("following");
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let (owner, found, followed) = app
        .run_remote(move |conn, remote| {
            let found = accounts::search(
                conn,
                remote,
                &urls,
                &username,
                &accounts::AccountQuery {
                    text: &q,
                    resolve,
                    limit,
                },
                Timestamp::now(),
            )?;
            let mut followed = Vec::new();
            for actor in &found.actors {
                followed.push(accounts::relationship(conn, actor)?.following);
            }
            Ok((statuses::owner(conn, &username)?, found, followed))
        })
        .await?;
    let mut list: Vec<Account> = Vec::new();
    if found.owner && !following {
        list.push(owner_account(&app.urls, &owner));
    }
    for (actor, followed) in found.actors.iter().zip(followed) {
        if !following || followed {
            list.push(account::remote(&app.urls, actor));
        }
    }
    list.truncate(limit);
    Ok(Json(json!(list)))
}

#[get("/api/v2/search")]
pub async fn search_v2(app: &State<App>, token: Token, query: Query) -> ApiResult<Json<Value>> {
    token.require("read:search")?;
    let q = query.text("q").unwrap_or_default();
    let kind = query.text("type");
    let (resolve, limit) = (query.flag("resolve"), query.limit(DEFAULT_LIMIT, MAX_LIMIT));
    // Resolving fetches from other servers: Mastodon asks for an account token for that.
    let resolve = resolve && token.0.for_owner;
    let wants = |what: &str| kind.as_deref().is_none_or(|k| k == what);
    let (want_accounts, want_statuses) = (wants("accounts"), wants("statuses"));
    let (urls, username) = (app.urls.clone(), app.config.username.clone());
    let lookup = q.clone();
    let (owner, found, post) = app
        .run_remote(move |conn, remote| {
            let now = Timestamp::now();
            let post = if want_statuses {
                accounts::search_post(conn, remote, &urls, &lookup, resolve, now)?
            } else {
                None
            };
            let found = if want_accounts && post.is_none() {
                Some(accounts::search(
                    conn,
                    remote,
                    &urls,
                    &username,
                    &accounts::AccountQuery {
                        text: &lookup,
                        resolve,
                        limit,
                    },
                    now,
                )?)
            } else {
                None
            };
            let post = match post {
                Some(entry) => {
                    let extras = statuses::extras_for(conn, &urls, std::slice::from_ref(&entry))?;
                    Some((entry, extras.into_iter().next().unwrap_or_default()))
                }
                None => None,
            };
            Ok((statuses::owner(conn, &username)?, found, post))
        })
        .await?;
    let owner_shaped = owner_account(&app.urls, &owner);
    let mut list: Vec<Account> = Vec::new();
    if let Some(found) = &found {
        if found.owner {
            list.push(owner_shaped.clone());
        }
        list.extend(found.actors.iter().map(|a| account::remote(&app.urls, a)));
        list.truncate(limit);
    }
    let statuses: Vec<Value> = post
        .iter()
        .map(|view| json!(super::statuses::render(&app.urls, &owner_shaped, view)))
        .collect();
    let hashtags: Vec<Value> = if wants("hashtags") {
        let name = q.trim().trim_start_matches('#');
        match crate::domain::lists::tag_name(name) {
            Ok(tag) if !q.contains(['@', '/', ':']) => vec![tags::tag(&app.urls, &tag, false)],
            _ => Vec::new(),
        }
    } else {
        Vec::new()
    };
    Ok(Json(json!({
        "accounts": list,
        "statuses": statuses,
        "hashtags": hashtags,
    })))
}

#[get("/api/v1/accounts/<id>", rank = 3)]
pub async fn show(app: &State<App>, token: MaybeToken, id: &str) -> ApiResult<Json<Value>> {
    read_accounts(&token)?;
    let (id, username) = (id.to_string(), app.config.username.clone());
    let (owner, found) = app
        .run(move |conn| Ok((statuses::owner(conn, &username)?, who(conn, &id)?)))
        .await?;
    Ok(Json(json!(shaped(&app.urls, &owner, &found))))
}

/// Entries as statuses with their extras, and the owner's account, in one database hop.
fn render(
    conn: &rusqlite::Connection,
    urls: &Urls,
    username: &str,
    entries: Vec<Entry>,
) -> crate::error::Result<(statuses::Owner, Vec<statuses::View>)> {
    let extras = statuses::extras_for(conn, urls, &entries)?;
    Ok((
        statuses::owner(conn, username)?,
        entries.into_iter().zip(extras).collect(),
    ))
}

#[get("/api/v1/accounts/<id>/statuses?<page..>")]
pub async fn account_statuses(
    app: &State<App>,
    token: MaybeToken,
    id: &str,
    page: PageQuery,
    query: Query,
) -> ApiResult<Paged> {
    if let Some(token) = &token.0 {
        token.require("read:statuses")?;
    }
    let range: Range = page.range();
    let pinned = query.flag("pinned");
    let filter = StatusFilter {
        public_only: !token.0.as_ref().is_some_and(|t| t.0.for_owner),
        exclude_replies: query.flag("exclude_replies"),
        only_media: query.flag("only_media"),
        tagged: query.text("tagged").filter(|t| !t.trim().is_empty()),
    };
    let (urls, username, id) = (
        app.urls.clone(),
        app.config.username.clone(),
        id.to_string(),
    );
    let (owner, views, older) = app
        .run(move |conn| {
            let actor = match who(conn, &id)? {
                Who::Owner => None,
                Who::Remote(actor) => Some(*actor),
            };
            let (entries, older) = if pinned {
                // Pins are one short list: no further pages.
                let first = range.max_id.is_none() && range.min_id.is_none();
                let entries = if first && (!filter.public_only || actor.is_none()) {
                    // The owner's pins are public or unlisted; a remote account's pins are
                    // shown to the owner only.
                    accounts::pinned(conn, &urls, actor.as_ref())?
                } else {
                    Vec::new()
                };
                (entries, None)
            } else {
                accounts::statuses(
                    conn,
                    &urls,
                    actor.as_ref(),
                    &filter,
                    &range,
                    Timestamp::now(),
                )?
            };
            let (owner, views) = render(conn, &urls, &username, entries)?;
            Ok((owner, views, older))
        })
        .await?;
    let owner = owner_account(&app.urls, &owner);
    let body: Vec<Value> = views
        .iter()
        .map(|view| {
            let mut status = json!(super::statuses::render(&app.urls, &owner, view));
            if pinned {
                status["pinned"] = json!(true);
            }
            status
        })
        .collect();
    let ids: Vec<i64> = views.iter().map(|(entry, _)| entry.id).collect();
    Ok(if pinned {
        Paged::new(&body, None, None)
    } else {
        Paged::new(&body, ids.last().copied().or(older), ids.first().copied())
    })
}

/// Followers or follows: the owner's (paged by follow id); of a remote account we hold none.
async fn people_of(
    app: &App,
    token: &MaybeToken,
    id: &str,
    tab: PeopleTab,
    page: PageQuery,
) -> ApiResult<Paged> {
    read_accounts(token)?;
    let id = id.to_string();
    let range = page.range_up_to(40, 80);
    let found = app
        .run(move |conn| match who(conn, &id)? {
            Who::Owner => accounts::people(conn, tab, range.max_id, range.limit),
            Who::Remote(_) => Ok(Vec::new()),
        })
        .await?;
    people_page(&app.urls, found)
}

fn people_page(urls: &Urls, found: Vec<(i64, Actor)>) -> ApiResult<Paged> {
    let body: Vec<Account> = found
        .iter()
        .map(|(_, a)| account::remote(urls, a))
        .collect();
    Ok(Paged::new(&body, found.last().map(|(key, _)| *key), None))
}

#[get("/api/v1/accounts/<id>/followers?<page..>")]
pub async fn followers(
    app: &State<App>,
    token: MaybeToken,
    id: &str,
    page: PageQuery,
) -> ApiResult<Paged> {
    people_of(app, &token, id, PeopleTab::Followers, page).await
}

#[get("/api/v1/accounts/<id>/following?<page..>")]
pub async fn following(
    app: &State<App>,
    token: MaybeToken,
    id: &str,
    page: PageQuery,
) -> ApiResult<Paged> {
    people_of(app, &token, id, PeopleTab::Following, page).await
}

#[derive(Deserialize, Default)]
pub struct FollowForm {
    #[serde(default, deserialize_with = "flex::opt_bool")]
    reblogs: Option<bool>,
    #[serde(default, deserialize_with = "flex::opt_bool")]
    notify: Option<bool>,
}

#[post("/api/v1/accounts/<id>/follow", data = "<body>")]
pub async fn follow(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<FollowForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:follows")?;
    let (urls, id, form) = (app.urls.clone(), id.to_string(), body.0);
    let shown = id.clone();
    let found = app
        .run(move |conn| {
            let actor = remote_only(conn, &id)?;
            accounts::follow(
                conn,
                &urls,
                &actor,
                form.reblogs,
                form.notify,
                Timestamp::now(),
            )
        })
        .await?;
    Ok(Json(relationship(&shown, &found)))
}

/// The relationship-answering actions that take nothing but the account.
#[derive(Clone, Copy)]
enum Act {
    Unfollow,
    Block,
    Unblock,
    Unmute,
    RemoveFromFollowers,
}

async fn act(app: &App, id: &str, what: Act) -> ApiResult<Json<Value>> {
    let (urls, id) = (app.urls.clone(), id.to_string());
    let shown = id.clone();
    let found = app
        .run(move |conn| {
            let actor = remote_only(conn, &id)?;
            let now = Timestamp::now();
            match what {
                Act::Unfollow => accounts::unfollow(conn, &urls, &actor, now),
                Act::Block => accounts::block(conn, &urls, &actor, now),
                Act::Unblock => accounts::unblock(conn, &urls, &actor, now),
                Act::Unmute => accounts::unmute(conn, &actor, now),
                Act::RemoveFromFollowers => {
                    crate::domain::follows::reject_follow(conn, &urls, actor.id, now)?;
                    accounts::relationship(conn, &actor)
                }
            }
        })
        .await?;
    Ok(Json(relationship(&shown, &found)))
}

#[post("/api/v1/accounts/<id>/unfollow")]
pub async fn unfollow(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:follows")?;
    act(app, id, Act::Unfollow).await
}

#[post("/api/v1/accounts/<id>/remove_from_followers")]
pub async fn remove_from_followers(
    app: &State<App>,
    token: Token,
    id: &str,
) -> ApiResult<Json<Value>> {
    token.owner("write:follows")?;
    act(app, id, Act::RemoveFromFollowers).await
}

#[post("/api/v1/accounts/<id>/block")]
pub async fn block(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:blocks")?;
    act(app, id, Act::Block).await
}

#[post("/api/v1/accounts/<id>/unblock")]
pub async fn unblock(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:blocks")?;
    act(app, id, Act::Unblock).await
}

#[derive(Deserialize, Default)]
pub struct MuteForm {
    #[serde(default, deserialize_with = "flex::opt_i64")]
    duration: Option<i64>,
}

#[post("/api/v1/accounts/<id>/mute", data = "<body>")]
pub async fn mute(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<MuteForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:mutes")?;
    let (id, duration) = (id.to_string(), body.0.duration);
    let shown = id.clone();
    let found = app
        .run(move |conn| {
            let actor = remote_only(conn, &id)?;
            accounts::mute(conn, &actor, duration, Timestamp::now())
        })
        .await?;
    Ok(Json(relationship(&shown, &found)))
}

#[post("/api/v1/accounts/<id>/unmute")]
pub async fn unmute(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:mutes")?;
    act(app, id, Act::Unmute).await
}

#[derive(Deserialize, Default)]
pub struct NoteForm {
    comment: Option<String>,
}

#[post("/api/v1/accounts/<id>/note", data = "<body>")]
pub async fn note(
    app: &State<App>,
    token: Token,
    id: &str,
    body: Body<NoteForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:accounts")?;
    let (id, comment) = (id.to_string(), body.0.comment.unwrap_or_default());
    let shown = id.clone();
    let found = app
        .run(move |conn| {
            let actor = remote_only(conn, &id)?;
            accounts::set_note(conn, &actor, &comment, Timestamp::now())
        })
        .await?;
    Ok(Json(relationship(&shown, &found)))
}

/// Perch has no featured tags or endorsements, and suggests nobody.
#[get("/api/v1/accounts/<_id>/featured_tags")]
pub fn featured_tags_of(_id: &str, token: MaybeToken) -> ApiResult<Json<Value>> {
    read_accounts(&token)?;
    Ok(Json(json!([])))
}

#[get("/api/v1/featured_tags")]
pub fn featured_tags(token: Token) -> ApiResult<Json<Value>> {
    token.owner("read:accounts")?;
    Ok(Json(json!([])))
}

#[get("/api/v1/featured_tags/suggestions")]
pub fn featured_tag_suggestions(token: Token) -> ApiResult<Json<Value>> {
    token.owner("read:accounts")?;
    Ok(Json(json!([])))
}

#[get("/api/v1/endorsements")]
pub fn endorsements(token: Token) -> ApiResult<Json<Value>> {
    token.owner("read:accounts")?;
    Ok(Json(json!([])))
}

/// Followers of ours that follow them: Perch does not know others' followers, so none.
#[get("/api/v1/accounts/familiar_followers")]
pub fn familiar_followers(token: Token, query: Query) -> ApiResult<Json<Value>> {
    token.owner("read:follows")?;
    let ids: Vec<Value> = query
        .list("id")
        .into_iter()
        .take(MAX_LIMIT * 2)
        .map(|id| json!({"id": id, "accounts": []}))
        .collect();
    Ok(Json(json!(ids)))
}

/// The profile directory: a single-user server lists nobody there.
#[get("/api/v1/directory")]
pub fn directory() -> Json<Value> {
    Json(json!([]))
}

#[get("/api/v1/suggestions")]
pub fn suggestions(token: Token) -> ApiResult<Json<Value>> {
    token.owner("read")?;
    Ok(Json(json!([])))
}

#[get("/api/v2/suggestions")]
pub fn suggestions_v2(token: Token) -> ApiResult<Json<Value>> {
    token.owner("read")?;
    Ok(Json(json!([])))
}

#[get("/api/v1/follow_requests?<page..>")]
pub async fn follow_requests(app: &State<App>, token: Token, page: PageQuery) -> ApiResult<Paged> {
    token.owner("read:follows")?;
    let range = page.range_up_to(40, 80);
    let found = app
        .run(move |conn| accounts::people(conn, PeopleTab::Requests, range.max_id, range.limit))
        .await?;
    people_page(&app.urls, found)
}

async fn answer_request(app: &App, id: &str, accept: bool) -> ApiResult<Json<Value>> {
    let (urls, id) = (app.urls.clone(), id.to_string());
    let shown = id.clone();
    let found = app
        .run(move |conn| {
            let actor = remote_only(conn, &id)?;
            let now = Timestamp::now();
            let answered = if accept {
                crate::domain::follows::approve_follow(conn, &urls, actor.id, now)?
            } else {
                crate::domain::follows::reject_follow(conn, &urls, actor.id, now)?
            };
            if !answered {
                return Err(crate::error::Error::new(404, "Record not found"));
            }
            accounts::relationship(conn, &actor)
        })
        .await?;
    Ok(Json(relationship(&shown, &found)))
}

#[post("/api/v1/follow_requests/<id>/authorize")]
pub async fn authorize_request(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:follows")?;
    answer_request(app, id, true).await
}

#[post("/api/v1/follow_requests/<id>/reject")]
pub async fn reject_request(app: &State<App>, token: Token, id: &str) -> ApiResult<Json<Value>> {
    token.owner("write:follows")?;
    answer_request(app, id, false).await
}

#[get("/api/v1/blocks")]
pub async fn blocks(app: &State<App>, token: Token) -> ApiResult<Json<Value>> {
    token.owner("read:blocks")?;
    let found = app.run(|conn| accounts::blocks(conn)).await?;
    let urls = &app.urls;
    Ok(Json(json!(found
        .iter()
        .map(|a| account::remote(urls, a))
        .collect::<Vec<_>>())))
}

#[get("/api/v1/mutes")]
pub async fn mutes(app: &State<App>, token: Token) -> ApiResult<Json<Value>> {
    token.owner("read:mutes")?;
    let found = app.run(|conn| accounts::mutes(conn)).await?;
    let urls = &app.urls;
    Ok(Json(json!(found
        .iter()
        .map(|(a, expires)| {
            let mut value = json!(account::remote(urls, a));
            value["mute_expires_at"] = json!(expires.map(datetime));
            value
        })
        .collect::<Vec<_>>())))
}

#[get("/api/v1/domain_blocks")]
pub async fn domain_blocks(app: &State<App>, token: Token) -> ApiResult<Json<Value>> {
    token.owner("read:blocks")?;
    let found = app.run(|conn| accounts::blocked_domains(conn)).await?;
    Ok(Json(json!(found)))
}

#[derive(Deserialize, Default)]
pub struct DomainForm {
    domain: Option<String>,
}

#[post("/api/v1/domain_blocks", data = "<body>")]
pub async fn block_domain(
    app: &State<App>,
    token: Token,
    body: Body<DomainForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:blocks")?;
    let domain = body.0.domain.unwrap_or_default();
    app.run(move |conn| {
        crate::domain::moderation::block_domain(conn, &domain, Timestamp::now()).map(|_| ())
    })
    .await?;
    Ok(Json(json!({})))
}

#[delete("/api/v1/domain_blocks", data = "<body>")]
pub async fn unblock_domain(
    app: &State<App>,
    token: Token,
    body: Body<DomainForm>,
) -> ApiResult<Json<Value>> {
    token.owner("write:blocks")?;
    let input = body.0.domain.unwrap_or_default();
    app.run(move |conn| {
        let domain = crate::domain::moderation::normalise_domain(&input)?;
        crate::domain::moderation::unblock_domain(conn, &domain)
    })
    .await?;
    Ok(Json(json!({})))
}
