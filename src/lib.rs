//! Perch: one person's home on the fediverse, in one binary and one SQLite file.
//!
//! # The map
//! ```text
//! main.rs       the CLI: parse, load config, call into the library
//! app.rs        rocket(config) -> Rocket<Build>, shared by main and the tests
//! config.rs     instance.toml, validated once
//! error.rs      one Error: a safe message and a status, the detail for the log
//! model.rs      the nouns: Post, Visibility, Profile, Media, Actor …
//! urls.rs       every URL we mint
//! text/         pure: Markdown, the scanners (hashtags, mentions, URLs), the sanitiser, plain text
//! media/        pure: decode under limits, strip metadata, resize, blurhash
//! federation/   the protocol, no SQL and no rocket: keys, signatures (draft-cavage), rfc9421
//!               (RFC 9421 and RFC 9530, not yet wired in), client (signed GET/POST, limits), guard
//!               (the private-address resolver), webfinger, build (outgoing: one typed builder per
//!               activity), vocab (incoming: parse_actor, parse_note, the readers of remote JSON),
//!               proofs (FEP-8b32 eddsa-jcs-2022 proofs, Ed25519 Multikeys)
//! store/        all SQL: open, migrations, one file per table group
//! domain/       what Perch does, one noun a module, each page or action one call returning an
//!               owned view: posts (with attachments), profile, public (the strangers' pages),
//!               threads, timeline, notifications, people, search, importer (fetch a remote object,
//!               prove its origin, keep it), follows, interactions, bookmarks, pins, moderation,
//!               collections, auth, instance (init), actors (remote accounts and their keys), moving
//!               (aliases, moving out), inbox (verify, one on_<activity> per type, writer, worker)
//! delivery/     the durable outgoing queue, its worker thread and the Backoff every queue uses;
//!               proof (the owner's Ed25519 key, which proves every activity of ours it stores)
//! render/       maud, pure: model values in, markup out (it may call the pure text helpers)
//! ops/          running as a service: worker liveness, shutdown, the server lock, backups,
//!               restore, doctor; log.rs writes one line per event
//! web/          rocket routes, thin, one file per noun; the URL table is web::routes(); only
//!               mod.rs (the Db handle) and cache.rs name `store`; web::cache keeps public
//!               documents (actor, Notes, a stranger's first profile page) as bytes while fresh
//! ```
//! The rule: `web → domain → {store, federation, delivery}`; `render` sees `model`, `urls` and
//! the pure `text` helpers (and the timeline's plain `Entry` values); SQL lives only in
//! `store`. Network I/O runs on worker threads or on rocket's blocking threads (`App::run_remote`),
//! never on the async ones.
//!
//! # One request, end to end: a profile page
//! `GET /@me` reaches `web::pages::profile_or_feed`. The `Wants` guard reads `Accept`: a server
//! asking for `application/activity+json` gets the actor from `federation::build::actor`; a browser
//! gets HTML. The handler makes one domain call through `App::run` (a pooled connection on a
//! blocking thread: rusqlite blocks, rocket is async): `domain::public::profile_page` reads the
//! profile, counts, pins and a page of posts (`store::posts::page`, keyset pagination) into an
//! owned `model::ProfilePage`, which `render::profile::profile_page` draws. Under `web/` only
//! `mod.rs` (the `Db` handle) and `cache.rs` name `store`; `.ci/run` checks it. What every
//! stranger sees alike (the actor, a public Note, the first profile page) is kept by `web::cache`
//! and answered on the async thread while the `documents` counter that triggers keep in
//! `store::counters` is unchanged. That check (`PRAGMA data_version`, a few µs, never waiting on a
//! lock) runs on the async thread: a departure from DESIGN.md's `spawn_blocking` rule, for
//! speed; the counter moves with any change, from any process, so the database stays the truth. The
//! `SecurityHeaders` fairing adds `Vary: Accept`, `nosniff` and the CSP on the way out.
//!
//! # One activity, end to end: a Follow from another server
//! `POST /users/me/inbox` reaches `web::inbox::user_inbox`, which reads at most 1 MB and runs
//! `federation::signatures::check` (coverage, Digest, Date; no key needed) and
//! `domain::inbox::verify::parse_body`. On a blocking thread, `verify::authenticate` finds the key
//! (`domain::actors::keys`: cached in `actors`, else fetched with a signed GET through
//! `federation::client`), verifies it, and ties key owner, `actor` and the activity's host
//! together; the handler then hands the row to `domain::inbox::writer`, one thread that commits
//! the rows queued meanwhile in one transaction (`store::inbound::insert_all`; a replayed id is
//! not queued twice), and the sender gets 202 once its row is committed. The inbox worker thread
//! (`domain::inbox::worker`) takes the row, and the
//! `match` in `domain::inbox::handle` calls `follows::on_follow`, which records the follower and
//! queues an Accept with `delivery::enqueue`, in one transaction with marking the row done. The
//! delivery worker then signs and POSTs the Accept to the follower's inbox.

pub mod api;
pub mod app;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod error;
pub mod federation;
pub mod log;
pub mod media;
pub mod model;
pub mod ops;
pub mod render;
pub mod secrets;
pub mod store;
pub mod text;
pub mod urls;
pub mod web;
