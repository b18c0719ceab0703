//! `GET /health`, for a service manager or a monitor: 200 when the database answers and every
//! worker thread runs, 503 (saying which part failed) otherwise. Nothing private in it.

use rocket::http::{ContentType, Status};
use rocket::{get, State};

use crate::error::Error;
use crate::ops::workers::Workers;
use crate::web::App;

#[get("/health")]
pub async fn health(app: &State<App>, workers: &State<Workers>) -> (Status, (ContentType, String)) {
    let database = app
        .run(|conn| {
            conn.query_row("SELECT count(*) FROM counters", [], |row| {
                row.get::<_, i64>(0)
            })
            .map_err(Error::from)
        })
        .await;
    let dead = workers.dead();
    let (status, body) = match (database, dead.as_slice()) {
        (Ok(_), []) => (Status::Ok, serde_json::json!({ "status": "ok" })),
        (Err(_), _) => (
            Status::ServiceUnavailable,
            serde_json::json!({ "status": "unavailable", "failing": "database" }),
        ),
        (Ok(_), dead) => (
            Status::ServiceUnavailable,
            serde_json::json!({ "status": "unavailable", "failing": "workers", "stopped": dead }),
        ),
    };
    if status != Status::Ok {
        crate::log::warn("health", "unhealthy", &[("answer", &body)]);
    }
    (status, (ContentType::JSON, body.to_string()))
}
