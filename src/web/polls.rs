//! The owner's vote in someone else's poll, from the form under the post (`domain::polls`).

use rocket::form::{Form, FromForm};
use rocket::{post, State};

use crate::domain::polls;
use crate::error::Result;
use crate::model::Timestamp;

use super::guards::Owner;
use super::reply::{back_to, Reply};
use super::App;

#[derive(FromForm)]
pub struct VoteForm<'r> {
    csrf: &'r str,
    /// The poll's id (its post's).
    poll: i64,
    /// Option positions: one radio button, or several check boxes.
    #[field(default = Vec::new())]
    choice: Vec<usize>,
    back: Option<&'r str>,
}

#[post("/actions/vote", data = "<form>")]
pub async fn vote(app: &State<App>, owner: Owner, form: Form<VoteForm<'_>>) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let (urls, id, choices) = (app.urls.clone(), form.poll, form.choice.clone());
    app.run(move |conn| polls::vote(conn, &urls, id, &choices, Timestamp::now()))
        .await?;
    Ok(back_to(form.back))
}
