//! The owner's view of the fediverse: notifications, people, search, threads, and the small
//! forms that follow, like and boost.

use rocket::form::{Form, FromForm};
use rocket::response::Redirect;
use rocket::{get, post, State};

use crate::domain::actors::{self, ActorError};
use crate::domain::inbox::follows as inbox_follows;
use crate::domain::timeline::{self, Shown};
use crate::domain::{
    follows as follow_rules, interactions as interaction_rules, profile as profiles,
};
use crate::error::{Error, Result};
use crate::model::{Actor, FollowState, Timestamp};
use crate::render::social::{self as view, Found, PeopleTab};
use crate::store::follows::{self, Direction};
use crate::store::interactions::Kind;
use crate::store::{actors as stored_actors, notifications as stored_notifications, remote_posts};

use super::guards::Owner;
use super::reply::Reply;
use super::App;

const PAGE_SIZE: usize = 30;

pub fn actor_error(e: ActorError) -> Error {
    match e {
        ActorError::Database(e) => Error::from(e),
        other => Error::new(422, other.to_string()),
    }
}

#[get("/notifications?<max_id>")]
pub async fn notifications(app: &State<App>, owner: Owner, max_id: Option<i64>) -> Result<Reply> {
    let username = app.config.username.clone();
    let (profile, items) = app
        .run(move |conn| {
            let items = stored_notifications::list(conn, max_id, PAGE_SIZE + 1)?;
            // Seeing the newest page marks everything on it read.
            if max_id.is_none() {
                stored_notifications::mark_read(
                    conn,
                    items.first().map(|n| n.id),
                    Timestamp::now(),
                )?;
            }
            Ok((profiles::get(conn, &username)?, items))
        })
        .await?;
    let older = (items.len() > PAGE_SIZE).then(|| items[PAGE_SIZE - 1].id);
    let shown = &items[..items.len().min(PAGE_SIZE)];
    let mut viewer = owner.viewer();
    viewer.unread = 0;
    Ok(Reply::Html(view::notifications(
        &profile, shown, &viewer, older,
    )))
}

#[get("/people?<tab>")]
pub async fn people(app: &State<App>, owner: Owner, tab: Option<&str>) -> Result<Reply> {
    let tab = match tab {
        Some("following") => PeopleTab::Following,
        Some("requests") => PeopleTab::Requests,
        _ => PeopleTab::Followers,
    };
    let (direction, state) = match tab {
        PeopleTab::Followers => (Direction::In, FollowState::Accepted),
        PeopleTab::Following => (Direction::Out, FollowState::Accepted),
        PeopleTab::Requests => (Direction::In, FollowState::Pending),
    };
    let username = app.config.username.clone();
    let (profile, list) = app
        .run(move |conn| {
            let list = follows::list(conn, direction, state, None, 500)?;
            Ok((profiles::get(conn, &username)?, list))
        })
        .await?;
    let actors: Vec<Actor> = list.into_iter().map(|(_, actor)| actor).collect();
    Ok(Reply::Html(view::people(
        &profile,
        tab,
        &actors,
        &owner.viewer(),
    )))
}

/// Looks up what the owner typed: a handle, an actor URL, or a post URL we already hold.
fn look_up(
    conn: &mut rusqlite::Connection,
    remote: &actors::Remote,
    app_urls: &crate::urls::Urls,
    query: &str,
) -> Result<Found> {
    let now = Timestamp::now();
    if let Some(shown) = timeline::find(conn, app_urls, query)? {
        let entry = timeline::entry(conn, app_urls, 0, shown, None)?;
        return Ok(Found::Post(Box::new(entry)));
    }
    let actor = if query.starts_with("http://") || query.starts_with("https://") {
        if let Some(post) = fetch_post(conn, remote, query, now)? {
            let entry = timeline::entry(conn, app_urls, 0, Shown::Remote(Box::new(post)), None)?;
            return Ok(Found::Post(Box::new(entry)));
        }
        actors::get_or_fetch(conn, remote, query, now).map_err(actor_error)?
    } else if actors::parse_handle(query).is_some() {
        actors::resolve_handle(conn, remote, query, now).map_err(actor_error)?
    } else {
        return Err(Error::bad_request(
            "type @user@example.com, or the URL of a profile or post",
        ));
    };
    let following = follows::get(conn, actor.id, Direction::Out)?.map(|f| f.state);
    let posts = remote_posts::by_actor(conn, actor.id, None, 20)?;
    let restricted = (
        crate::store::moderation::has(
            conn,
            actor.id,
            crate::store::moderation::Restriction::Block,
        )?,
        crate::store::moderation::has(conn, actor.id, crate::store::moderation::Restriction::Mute)?,
    );
    Ok(Found::Account {
        restricted,
        actor: Box::new(actor),
        following,
        posts,
    })
}

/// Fetches a post by its URL and keeps it, when the document there is one: its author must be
/// on the post's own host (a document cannot speak for another server).
fn fetch_post(
    conn: &mut rusqlite::Connection,
    remote: &actors::Remote,
    url: &str,
    now: Timestamp,
) -> Result<Option<crate::model::RemotePost>> {
    use crate::domain::actors::Fetch;
    let Ok(document) = remote.get_activity(url) else {
        return Ok(None);
    };
    let Ok(note) = crate::federation::vocab::parse_note(&document) else {
        return Ok(None);
    };
    let author_uri = note
        .attributed_to
        .clone()
        .filter(|author| crate::federation::vocab::same_authority(author, &note.uri))
        .ok_or_else(|| Error::new(422, "the post's author is not on the post's server"))?;
    let author = actors::get_or_fetch(conn, remote, &author_uri, now).map_err(actor_error)?;
    remote_posts::insert(
        conn,
        &crate::domain::inbox::note_row(&note, &author, now),
        now,
    )?;
    Ok(remote_posts::get_by_uri(conn, &note.uri)?)
}

#[get("/search?<q>")]
pub async fn search(app: &State<App>, owner: Owner, q: Option<&str>) -> Result<Reply> {
    let query = q.unwrap_or("").trim().chars().take(500).collect::<String>();
    let username = app.config.username.clone();
    let urls = app.urls.clone();
    let lookup = query.clone();
    let (profile, found) = app
        .run_remote(move |conn, remote| {
            let found = if lookup.is_empty() {
                Ok(Found::Nothing)
            } else {
                look_up(conn, remote, &urls, &lookup)
            };
            Ok((profiles::get(conn, &username)?, found))
        })
        .await?;
    let viewer = owner.viewer();
    Ok(match found {
        Ok(found) => Reply::Html(view::search(
            &app.urls, &profile, &query, &found, None, &viewer,
        )),
        Err(e) if e.status < 500 => Reply::HtmlStatus(
            rocket::http::Status::from_code(e.status).unwrap_or(rocket::http::Status::BadRequest),
            view::search(
                &app.urls,
                &profile,
                &query,
                &Found::Nothing,
                Some(&e.message),
                &viewer,
            ),
        ),
        Err(e) => return Err(e),
    })
}

/// The thread around any post we hold: its ancestors (as far as we hold them), it, and replies.
#[get("/thread?<uri>")]
pub async fn thread(app: &State<App>, owner: Owner, uri: &str) -> Result<Reply> {
    let username = app.config.username.clone();
    let urls = app.urls.clone();
    let target = uri.to_string();
    let (profile, chain) = app
        .run(move |conn| {
            let shown = timeline::find(conn, &urls, &target)?.ok_or_else(Error::not_found)?;
            let mut chain = vec![timeline::entry(conn, &urls, 0, shown.clone(), None)?];
            let mut parent = match &shown {
                Shown::Own(p) => p.in_reply_to.clone(),
                Shown::Remote(p) => p.in_reply_to.clone(),
            };
            while let Some(uri) = parent.take().filter(|_| chain.len() < 30) {
                let Some(above) = timeline::find(conn, &urls, &uri)? else {
                    break;
                };
                parent = match &above {
                    Shown::Own(p) => p.in_reply_to.clone(),
                    Shown::Remote(p) => p.in_reply_to.clone(),
                };
                chain.insert(0, timeline::entry(conn, &urls, 0, above, None)?);
            }
            for reply in crate::store::posts::replies_to(
                conn,
                &target,
                crate::store::posts::Audience::Owner,
            )? {
                chain.push(timeline::entry(conn, &urls, 0, Shown::Own(reply), None)?);
            }
            for reply in remote_posts::replies_to(conn, &target, false)? {
                chain.push(timeline::entry(
                    conn,
                    &urls,
                    0,
                    Shown::Remote(Box::new(reply)),
                    None,
                )?);
            }
            Ok((profiles::get(conn, &username)?, chain))
        })
        .await?;
    let back = format!("/thread?uri={}", crate::urls::percent_encode_path(uri));
    Ok(Reply::Html(view::thread(
        &app.urls,
        &profile,
        &chain,
        &owner.viewer(),
        &back,
    )))
}

#[derive(FromForm)]
pub struct ObjectForm<'r> {
    pub csrf: &'r str,
    pub uri: &'r str,
    pub back: Option<&'r str>,
}

/// Only our own paths: a form cannot send the owner elsewhere.
pub fn back_to(back: Option<&str>) -> Reply {
    let path = match back {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => "/".to_string(),
    };
    Reply::Redirect(Redirect::to(path))
}

async fn interact(
    app: &App,
    owner: &Owner,
    form: &ObjectForm<'_>,
    kind: Kind,
    undo: bool,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let urls = app.urls.clone();
    let uri = form.uri.to_string();
    app.run(move |conn| {
        let now = Timestamp::now();
        match (kind, undo) {
            (_, true) => interaction_rules::undo(conn, &urls, kind, &uri, now),
            (Kind::Like, false) => interaction_rules::like(conn, &urls, &uri, now),
            (Kind::Announce, false) => interaction_rules::boost(conn, &urls, &uri, now),
        }
    })
    .await?;
    Ok(back_to(form.back))
}

#[post("/actions/like", data = "<form>")]
pub async fn like(app: &State<App>, owner: Owner, form: Form<ObjectForm<'_>>) -> Result<Reply> {
    interact(app, &owner, &form, Kind::Like, false).await
}

#[post("/actions/unlike", data = "<form>")]
pub async fn unlike(app: &State<App>, owner: Owner, form: Form<ObjectForm<'_>>) -> Result<Reply> {
    interact(app, &owner, &form, Kind::Like, true).await
}

#[post("/actions/boost", data = "<form>")]
pub async fn boost(app: &State<App>, owner: Owner, form: Form<ObjectForm<'_>>) -> Result<Reply> {
    interact(app, &owner, &form, Kind::Announce, false).await
}

#[post("/actions/unboost", data = "<form>")]
pub async fn unboost(app: &State<App>, owner: Owner, form: Form<ObjectForm<'_>>) -> Result<Reply> {
    interact(app, &owner, &form, Kind::Announce, true).await
}

#[derive(FromForm)]
pub struct ActorForm<'r> {
    pub csrf: &'r str,
    pub actor: &'r str,
    pub back: Option<&'r str>,
}

#[derive(Clone, Copy)]
enum PersonAction {
    Follow,
    Unfollow,
    RemoveFollower,
}

async fn person_action(
    app: &App,
    owner: &Owner,
    form: &ActorForm<'_>,
    what: PersonAction,
) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let urls = app.urls.clone();
    let uri = form.actor.to_string();
    app.run_remote(move |conn, remote| {
        let now = Timestamp::now();
        let actor = match what {
            PersonAction::Follow => {
                actors::get_or_fetch(conn, remote, &uri, now).map_err(actor_error)?
            }
            _ => stored_actors::get_by_uri(conn, &uri)?.ok_or_else(Error::not_found)?,
        };
        match what {
            PersonAction::Follow => follow_rules::follow(conn, &urls, &actor, now),
            PersonAction::Unfollow => follow_rules::unfollow(conn, &urls, &actor, now),
            PersonAction::RemoveFollower => follow_rules::remove_follower(conn, &urls, &actor, now),
        }
    })
    .await?;
    Ok(back_to(form.back))
}

#[post("/actions/follow", data = "<form>")]
pub async fn follow(app: &State<App>, owner: Owner, form: Form<ActorForm<'_>>) -> Result<Reply> {
    person_action(app, &owner, &form, PersonAction::Follow).await
}

#[post("/actions/unfollow", data = "<form>")]
pub async fn unfollow(app: &State<App>, owner: Owner, form: Form<ActorForm<'_>>) -> Result<Reply> {
    person_action(app, &owner, &form, PersonAction::Unfollow).await
}

#[post("/actions/remove-follower", data = "<form>")]
pub async fn remove_follower(
    app: &State<App>,
    owner: Owner,
    form: Form<ActorForm<'_>>,
) -> Result<Reply> {
    person_action(app, &owner, &form, PersonAction::RemoveFollower).await
}

#[post("/actions/approve", data = "<form>")]
pub async fn approve(app: &State<App>, owner: Owner, form: Form<ActorForm<'_>>) -> Result<Reply> {
    decide(app, &owner, &form, true).await
}

#[post("/actions/reject", data = "<form>")]
pub async fn reject(app: &State<App>, owner: Owner, form: Form<ActorForm<'_>>) -> Result<Reply> {
    decide(app, &owner, &form, false).await
}

/// Approves or rejects a follow request, sending Accept or Reject.
async fn decide(app: &App, owner: &Owner, form: &ActorForm<'_>, approve: bool) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let urls = app.urls.clone();
    let uri = form.actor.to_string();
    app.run(move |conn| {
        let actor = stored_actors::get_by_uri(conn, &uri)?.ok_or_else(Error::not_found)?;
        let now = Timestamp::now();
        let done = if approve {
            inbox_follows::approve_follow(conn, &urls, actor.id, now)?
        } else {
            inbox_follows::reject_follow(conn, &urls, actor.id, now)?
        };
        if done {
            Ok(())
        } else {
            Err(Error::new(404, "no such follow request"))
        }
    })
    .await?;
    Ok(back_to(form.back))
}
