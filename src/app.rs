//! Building the rocket, shared by `perch serve` and the tests.

use std::sync::Arc;

use rocket::config::Ident;
use rocket::data::{Limits, ToByteUnit};
use rocket::{Build, Rocket};
use rusqlite::Connection;

use crate::config::Config;
use crate::domain::actors::Remote;
use crate::domain::inbox::InboundWriter;
use crate::domain::instance;
use crate::domain::memo::Memo;
use crate::domain::oauth::{self, Grant};
use crate::error::{Error, Result};
use crate::federation::client::{Client, ClientConfig};
use crate::federation::keys::SigningKey;
use crate::model::Timestamp;
use crate::store;
/// The database handle, named here so the API and web need not name the store.
pub use crate::store::Db;
use crate::urls::Urls;
use crate::web;
use crate::web::cache::{Documents, Key};

/// A single owner's apps hold a few tokens; past this many the memo starts again.
const MEMO_GRANTS: usize = 64;

/// What every handler may read: set up once at start.
pub struct App {
    pub config: Config,
    pub urls: Urls,
    pub db: Db,
    pub public_key_pem: String,
    /// Outgoing HTTP (key fetches on the inbox path run it through `spawn_blocking`).
    pub client: Arc<Client>,
    /// The owner's key, for signed GETs; its id is `urls.key_id()`.
    pub signing_key: Arc<SigningKey>,
    /// Public documents and pages kept in memory while they are fresh.
    pub documents: Arc<Documents>,
    /// The WebFinger answer: it depends on the configuration only.
    pub webfinger: Arc<str>,
    /// Seals secrets at rest (Web Push keys and tokens); kept beside the database.
    pub secret: Arc<crate::secrets::SecretKey>,
    /// The grants behind the bearer tokens apps send, while nothing was committed since.
    pub grants: Memo<[u8; 32], Grant>,
    /// The owner's `verify_credentials` answer, while nothing was committed since.
    pub credentials: Memo<(), Arc<str>>,
}

impl App {
    /// Runs blocking database work off the async threads, on a pooled connection.
    pub async fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let db = self.db.clone();
        rocket::tokio::task::spawn_blocking(move || {
            let mut conn = db.get().map_err(Error::internal)?;
            work(&mut conn)
        })
        .await
        .map_err(|e| Error::internal(format!("database task failed: {e}")))?
    }

    /// The grant behind a bearer token: from memory while nothing was committed since it was
    /// read and its "last used" is fresh (no blocking hop), else from the database, which then
    /// records the use.
    pub async fn authenticate(&self, bearer: String) -> Result<Option<Grant>> {
        let key = oauth::bearer_key(&bearer);
        let now = Timestamp::now();
        if let Some(grant) = self.grants.get(&key).filter(|g| g.used_recently(now)) {
            return Ok(Some(grant));
        }
        let stamp = self.grants.stamp();
        let grant = self
            .run(move |conn| oauth::authenticate(conn, &bearer, now))
            .await?;
        if let Some(grant) = &grant {
            self.grants.keep(stamp, key, grant.clone());
        }
        Ok(grant)
    }

    /// A public document or page from memory while nothing it is built from has changed (no
    /// blocking hop), else built by `build` on a pooled connection and kept.
    pub async fn cached<F>(&self, key: Key, build: F) -> Result<Arc<str>>
    where
        F: FnOnce(&Connection) -> Result<String> + Send + 'static,
    {
        if let Some(body) = self.documents.fresh(key) {
            return Ok(body);
        }
        let documents = self.documents.clone();
        self.run(move |conn| documents.build(conn, key, build))
            .await
    }

    /// Like `run`, for work that also fetches from other servers (signed with the owner's key).
    pub async fn run_remote<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &Remote) -> Result<T> + Send + 'static,
    {
        let (client, key, key_id) = (
            self.client.clone(),
            self.signing_key.clone(),
            self.urls.key_id(),
        );
        self.run(move |conn| {
            let remote = Remote::new(&client, &key, &key_id);
            work(conn, &remote)
        })
        .await
    }
}

/// The rocket for an initialised database: routes, state, limits and headers.
pub fn rocket(config: Config) -> std::result::Result<Rocket<Build>, String> {
    let db = Db::open(&config.database)?;
    let (public_key_pem, signing_key) = {
        let conn = db.get()?;
        let pem = instance::public_key_pem(&conn).map_err(|e| e.to_string())?;
        // A database from before object proofs gets its Ed25519 key here.
        instance::ed25519_multibase(&conn).map_err(|e| e.to_string())?;
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
    let (secret, _) = crate::secrets::SecretKey::load_or_create(&config.database)?;
    let watch = Arc::new(store::counters::Watch::open(&config.database)?);
    let app = App {
        secret: Arc::new(secret),
        urls,
        config,
        db,
        public_key_pem,
        client: Arc::new(client),
        signing_key: Arc::new(signing_key),
        documents: Arc::new(documents),
        webfinger,
        grants: Memo::new(watch.clone(), MEMO_GRANTS),
        credentials: Memo::new(watch, 1),
    };
    Ok(rocket::custom(figment)
        .manage(app)
        .manage(inbound_writer)
        .manage(crate::ops::workers::Workers::default())
        .mount("/", web::routes())
        .mount("/", crate::api::routes())
        .register("/", web::catchers())
        .register("/api", crate::api::catchers())
        .attach(web::reply::SecurityHeaders)
        .attach(crate::api::cors::Cors)
        .attach(crate::api::authorize::AuthorizeCsp))
}

/// `Perch/0.1.0 (+https://example.com)`: who is asking, and where to look them up.
pub fn user_agent(config: &Config) -> String {
    format!("Perch/{} (+{})", env!("CARGO_PKG_VERSION"), config.origin())
}
