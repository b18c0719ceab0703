//! Quotes: the QuoteAuthorizations we host (FEP-044f), and the owner revoking one.

use rocket::form::Form;
use rocket::{get, post, State};

use crate::domain::quotes;
use crate::error::{Error, Result};
use crate::model::Timestamp;

use super::guards::Owner;
use super::interactions::ObjectForm;
use super::reply::{activity_json, back_to, Reply};
use super::App;

/// A `QuoteAuthorization` we granted; not found once revoked.
#[get("/users/<user>/quote_authorizations/<id>")]
pub async fn authorization(app: &State<App>, user: &str, id: i64) -> Result<Reply> {
    if user != app.config.username {
        return Err(Error::not_found());
    }
    let urls = app.urls.clone();
    let document = app
        .run(move |conn| quotes::authorization_document(conn, &urls, id))
        .await?;
    Ok(Reply::Kept(document.to_string().into(), activity_json()))
}

/// The owner withdraws consent to a quote of one of their posts.
#[post("/actions/revoke_quote", data = "<form>")]
pub async fn revoke(app: &State<App>, owner: Owner, form: Form<ObjectForm<'_>>) -> Result<Reply> {
    owner.check_csrf(form.csrf)?;
    let urls = app.urls.clone();
    let uri = form.uri.to_string();
    app.run(move |conn| quotes::revoke(conn, &urls, &uri, Timestamp::now()))
        .await?;
    Ok(back_to(form.back))
}
