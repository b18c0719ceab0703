//! Building the rocket, shared by `perch serve` and the tests.

use std::sync::Arc;

use rocket::config::Ident;
use rocket::data::{Limits, ToByteUnit};
use rocket::{Build, Rocket};

use crate::config::Config;
use crate::domain::inbox::InboundWriter;
use crate::domain::instance;
use crate::federation::client::{Client, ClientConfig};
use crate::store::{self, Db};
use crate::urls::Urls;
use crate::web::{self, App};

/// The rocket for an initialised database: routes, state, limits and headers.
pub fn rocket(config: Config) -> Result<Rocket<Build>, String> {
    let db = Db::open(&config.database)?;
    let (public_key_pem, signing_key) = {
        let conn = db.get()?;
        let pem = instance::public_key_pem(&conn).map_err(|e| e.to_string())?;
        (pem, instance::signing_key(&conn)?)
    };
    // Its thread ends when the rocket, which holds the only sender, is dropped.
    let (inbound_writer, _) = InboundWriter::spawn(store::open(&config.database, false)?)
        .map_err(|e| format!("cannot start the inbound writer: {e}"))?;
    let client = Client::new(ClientConfig::new(
        config.federation.allow_private_addresses,
        user_agent(&config),
    ));
    let limits = Limits::default()
        .limit("form", 64.kibibytes())
        // Four attachments of the largest size, and the text around them.
        .limit(
            "data-form",
            (4 * crate::media::MAX_UPLOAD_BYTES + (1 << 20)).bytes(),
        )
        .limit("bytes", (crate::media::MAX_UPLOAD_BYTES + 1024).bytes())
        .limit("json", 1.mebibytes());
    // Behind a proxy on loopback, trust its X-Real-IP for the login rate limit; facing the
    // internet directly, a client could forge it, so use the socket address.
    let ip_header: Option<&str> = config.server.address.is_loopback().then_some("X-Real-IP");
    let figment = rocket::Config::figment()
        .merge(("address", config.server.address))
        .merge(("port", config.server.port))
        .merge(("limits", limits))
        .merge(("ident", Ident::try_new("Perch").expect("a valid ident")))
        .merge((
            "ip_header",
            ip_header.map_or(serde_json::Value::Bool(false), |h| h.into()),
        ))
        .merge(("log_level", rocket::config::LogLevel::Off))
        .merge(("cli_colors", false))
        .merge(("shutdown.ctrlc", true))
        // SIGTERM (rocket's default signal): 2 s for open requests, 1 s more before they are cut.
        .merge(("shutdown.grace", 2))
        .merge(("shutdown.mercy", 1));
    let documents = web::cache::Documents::open(&config.database)?;
    let urls = Urls::new(&config);
    let webfinger = crate::federation::webfinger::jrd(&urls).to_string().into();
    let app = App {
        urls,
        config,
        db,
        public_key_pem,
        client: Arc::new(client),
        signing_key: Arc::new(signing_key),
        documents: Arc::new(documents),
        webfinger,
    };
    Ok(rocket::custom(figment)
        .manage(app)
        .manage(inbound_writer)
        .manage(crate::ops::workers::Workers::default())
        .mount("/", web::routes())
        .register("/", web::catchers())
        .attach(web::reply::SecurityHeaders))
}

/// `Perch/0.1.0 (+https://example.com)`: who is asking, and where to look them up.
pub fn user_agent(config: &Config) -> String {
    format!("Perch/{} (+{})", env!("CARGO_PKG_VERSION"), config.origin())
}
