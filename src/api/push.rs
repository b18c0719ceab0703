//! `/api/v1/push/subscription` (create, get, update, delete): the token's Web Push
//! subscription, over `domain::push`. Needs the `push` scope, as on Mastodon.

use rocket::serde::json::Json;
use rocket::{delete, get, post, put, State};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::domain::push::{self, Alerts, Subscribe, View};
use crate::model::Timestamp;

use super::auth::{Bearer, Token};
use super::body::Body;
use super::error::ApiResult;

#[derive(Deserialize, Default)]
pub struct Keys {
    p256dh: Option<String>,
    auth: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct SubscriptionForm {
    endpoint: Option<String>,
    #[serde(default)]
    keys: Keys,
}

#[derive(Deserialize, Default)]
pub struct DataForm {
    alerts: Option<Map<String, Value>>,
    policy: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct PushForm {
    subscription: Option<SubscriptionForm>,
    #[serde(default)]
    data: DataForm,
}

/// A form sends "true"/"1", JSON sends true.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => matches!(s.as_str(), "true" | "1" | "on"),
        Value::Number(n) => n.as_i64() == Some(1),
        _ => false,
    }
}

/// `start` with what `alerts` names switched as it says.
fn alerts(start: Alerts, given: Option<&Map<String, Value>>) -> Alerts {
    let mut alerts = start;
    for (name, value) in given.into_iter().flatten() {
        let on = truthy(value);
        match name.as_str() {
            "mention" => alerts.mention = on,
            "status" => alerts.status = on,
            "reblog" => alerts.reblog = on,
            "follow" => alerts.follow = on,
            "follow_request" => alerts.follow_request = on,
            "favourite" => alerts.favourite = on,
            "poll" => alerts.poll = on,
            "update" => alerts.update = on,
            "admin.sign_up" => alerts.admin_sign_up = on,
            "admin.report" => alerts.admin_report = on,
            _ => {}
        }
    }
    alerts
}

/// Mastodon's WebPushSubscription entity.
fn entity(view: &View) -> Value {
    json!({
        "id": view.id.to_string(),
        "endpoint": view.endpoint,
        "standard": true,
        "alerts": view.alerts,
        "policy": view.policy,
        "server_key": view.server_key,
        "vapid_key": view.server_key,
    })
}

#[post("/api/v1/push/subscription", data = "<form>")]
pub async fn create(
    app: &State<App>,
    token: Token,
    bearer: Bearer,
    form: Body<PushForm>,
) -> ApiResult<Json<Value>> {
    token.owner("push")?;
    let form = form.0;
    let secret = app.secret.clone();
    let subscription = form.subscription.unwrap_or_default();
    let (urls, username, token_id) = (
        app.urls.clone(),
        app.config.username.clone(),
        token.0.token_id,
    );
    let view = app
        .run(move |conn| {
            let new = Subscribe {
                endpoint: subscription.endpoint.as_deref().unwrap_or(""),
                p256dh: subscription.keys.p256dh.as_deref().unwrap_or(""),
                auth: subscription.keys.auth.as_deref().unwrap_or(""),
                alerts: alerts(Alerts::default(), form.data.alerts.as_ref()),
                policy: form.data.policy.as_deref().unwrap_or("all"),
                access_token: &bearer.0,
            };
            push::subscribe(
                conn,
                &secret,
                &urls,
                &username,
                token_id,
                &new,
                Timestamp::now(),
            )
        })
        .await?;
    Ok(Json(entity(&view)))
}

#[get("/api/v1/push/subscription")]
pub async fn show(app: &State<App>, token: Token) -> ApiResult<Json<Value>> {
    token.owner("push")?;
    let token_id = token.0.token_id;
    let view = app.run(move |conn| push::get(conn, token_id)).await?;
    Ok(Json(entity(&view)))
}

#[put("/api/v1/push/subscription", data = "<form>")]
pub async fn update(
    app: &State<App>,
    token: Token,
    bearer: Bearer,
    form: Body<PushForm>,
) -> ApiResult<Json<Value>> {
    token.owner("push")?;
    let token_id = token.0.token_id;
    let data = form.0.data;
    let secret = app.secret.clone();
    let view = app
        .run(move |conn| {
            let (start, policy) =
                push::current(conn, token_id)?.ok_or_else(crate::error::Error::not_found)?;
            let policy = data.policy.unwrap_or(policy);
            push::update(
                conn,
                &secret,
                token_id,
                &alerts(start, data.alerts.as_ref()),
                &policy,
                &bearer.0,
            )
        })
        .await?;
    Ok(Json(entity(&view)))
}

#[delete("/api/v1/push/subscription")]
pub async fn destroy(app: &State<App>, token: Token) -> ApiResult<Json<Value>> {
    token.owner("push")?;
    let token_id = token.0.token_id;
    app.run(move |conn| push::unsubscribe(conn, token_id))
        .await?;
    Ok(Json(json!({})))
}
