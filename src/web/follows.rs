//! The people the owner deals with: the lists, following and unfollowing, removing followers, and
//! answering follow requests.

use rocket::form::{Form, FromForm};
use rocket::{get, post, State};

use crate::domain::{self, follows};
use crate::error::{Error, Result};
use crate::model::{PeopleTab, Timestamp};
use crate::render::people as view;

use super::guards::Owner;
use super::reply::{back_to, Reply};
use super::App;

/// A form about an account, by its id.
#[derive(FromForm)]
pub struct ActorForm<'r> {
    pub csrf: &'r str,
    pub actor: &'r str,
    pub back: Option<&'r str>,
}

#[get("/people?<tab>")]
pub async fn people(app: &State<App>, owner: Owner, tab: Option<&str>) -> Result<Reply> {
    let tab = match tab {
        Some("following") => PeopleTab::Following,
        Some("requests") => PeopleTab::Requests,
        _ => PeopleTab::Followers,
    };
    let username = app.config.username.clone();
    let (profile, actors) = app
        .run(move |conn| domain::people::list(conn, &username, tab))
        .await?;
    Ok(Reply::Html(view::people(
        &profile,
        tab,
        &actors,
        &owner.viewer(),
    )))
}

#[derive(Clone, Copy)]
enum PersonAction {
    Follow,
    Unfollow,
    RemoveFollower,
    Approve,
    Reject,
}

fn answered(done: bool) -> Result<()> {
    if done {
        Ok(())
    } else {
        Err(Error::new(404, "no such follow request"))
    }
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
            PersonAction::Follow => domain::people::fetched(conn, remote, &uri, now)?,
            _ => domain::people::known(conn, &uri)?,
        };
        match what {
            PersonAction::Follow => follows::follow(conn, &urls, &actor, now),
            PersonAction::Unfollow => follows::unfollow(conn, &urls, &actor, now),
            PersonAction::RemoveFollower => follows::remove_follower(conn, &urls, &actor, now),
            PersonAction::Approve => answered(follows::approve_follow(conn, &urls, actor.id, now)?),
            PersonAction::Reject => answered(follows::reject_follow(conn, &urls, actor.id, now)?),
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
    person_action(app, &owner, &form, PersonAction::Approve).await
}

#[post("/actions/reject", data = "<form>")]
pub async fn reject(app: &State<App>, owner: Owner, form: Form<ActorForm<'_>>) -> Result<Reply> {
    person_action(app, &owner, &form, PersonAction::Reject).await
}
