//! The `perch` command line: parse, load the configuration, call into the library.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::{Parser, Subcommand};

use perch::config::Config;
use perch::domain::{auth, inbox, instance, moving, posts, transfer};
use perch::federation::client::{Client, ClientConfig};
use perch::model::{Timestamp, Visibility};
use perch::store;
use perch::urls::Urls;

#[derive(Parser)]
#[command(name = "perch", version, about = "A single-user ActivityPub server")]
struct Cli {
    /// The configuration file.
    #[arg(
        long,
        global = true,
        env = "PERCH_CONFIG",
        default_value = "instance.toml"
    )]
    config: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database and the owner's key if missing.
    Init,
    /// Run the server (the default).
    Serve,
    /// Set the owner's password (one line from stdin, or asked twice on a terminal).
    Passwd,
    /// Publish a post: Markdown from stdin. Prints the post's page URL.
    Post {
        #[arg(long, default_value = "public", value_parser = ["public", "unlisted", "followers", "direct"])]
        visibility: String,
        /// A content warning.
        #[arg(long)]
        cw: Option<String>,
        /// The URL of the post this replies to.
        #[arg(long)]
        reply_to: Option<String>,
    },
    /// Delete one of our posts, given its page URL, its ActivityPub id or its number.
    Delete { post: String },
    /// Follow an account, given as @user@domain or its actor URL.
    Follow { account: String },
    /// Stop following an account (or withdraw a pending request).
    Unfollow { account: String },
    /// Write a consistent copy of the database to FILE, also while the server runs.
    Backup { file: PathBuf },
    /// Check a backup and put it in place of the database (the server must be stopped).
    Restore { file: PathBuf },
    /// Check the configuration, the database, the disk and the public origin; exit 1 on a FAIL.
    Doctor,
    /// Name your other accounts (alsoKnownAs), so that one of them can move here.
    Alias {
        #[command(subcommand)]
        action: AliasAction,
    },
    /// Move to another account, which must name this one as an alias; every follower is told.
    Move {
        /// The new account, as @user@domain or its actor URL.
        #[arg(required_unless_present = "cancel")]
        account: Option<String>,
        /// Take the move back: the actor no longer says movedTo and posting works again.
        #[arg(long, conflicts_with = "account")]
        cancel: bool,
    },
    /// Import a CSV file in Mastodon's format: following, blocks, mutes, domain_blocks,
    /// bookmarks or lists (bad lines are reported by number and skipped); or `archive FILE.zip`,
    /// the posts of a Mastodon archive, published to nobody.
    Import {
        kind: String,
        file: PathBuf,
        /// Make the list what the file says (what it does not name is undone), not a merge.
        #[arg(long)]
        overwrite: bool,
        /// With `archive`: keep followers-only posts and direct messages too, for the owner only.
        #[arg(long)]
        private: bool,
    },
    /// Export a CSV file in Mastodon's format: following, followers, blocks, mutes,
    /// domain_blocks, bookmarks or lists; or `FILE.zip` (or `archive FILE.zip`): a Mastodon
    /// archive of the posts, images, likes and bookmarks, which `perch import archive` reads.
    Export { kind: String, file: Option<PathBuf> },
}

#[derive(Subcommand)]
enum AliasAction {
    /// Add an account (@user@domain or its actor URL), found by WebFinger; followers get an Update.
    Add { account: String },
    /// Take an account off the aliases.
    Remove { account: String },
    /// Print the aliases, and where this account moved to if it did.
    List,
}

fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("perch: internal error{location}; please report it");
    }));
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("perch: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    // The doctor reports a broken configuration as one of its checks.
    if matches!(cli.command, Some(Command::Doctor)) {
        return perch::ops::doctor::run(&cli.config);
    }
    let config = Config::load(&cli.config)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Init => init(&config),
        Command::Serve => serve(config),
        Command::Passwd => passwd(&config),
        Command::Post {
            visibility,
            cw,
            reply_to,
        } => post(&config, &visibility, cw, reply_to),
        Command::Delete { post } => delete(&config, &post),
        Command::Backup { file } => backup(&config, &file),
        Command::Restore { file } => restore(&config, &file),
        Command::Doctor => perch::ops::doctor::run(&cli.config),
        Command::Follow { account } => follow(&config, &account, true),
        Command::Unfollow { account } => follow(&config, &account, false),
        Command::Alias { action } => alias(&config, action),
        Command::Move { account, cancel } => move_account(&config, account.as_deref(), cancel),
        Command::Import {
            kind,
            file,
            overwrite,
            private,
        } if kind == "archive" && !overwrite => import_archive(&config, &file, private),
        Command::Import { private: true, .. } => {
            Err("--private is for `perch import archive FILE.zip`".into())
        }
        Command::Import {
            kind,
            file,
            overwrite,
            ..
        } => import(&config, &kind, &file, overwrite),
        Command::Export { kind, file: None } if kind.ends_with(".zip") => {
            export_archive(&config, std::path::Path::new(&kind))
        }
        Command::Export {
            kind,
            file: Some(file),
        } if kind == "archive" => export_archive(&config, &file),
        Command::Export {
            kind,
            file: Some(file),
        } => export(&config, &kind, &file),
        Command::Export { .. } => {
            Err("usage: perch export KIND FILE, or perch export FILE.zip".into())
        }
    }
}

fn init(config: &Config) -> Result<(), String> {
    let (_, report) = instance::init(config)?;
    let (_, created) = perch::secrets::SecretKey::load_or_create(&config.database)?;
    if created {
        println!(
            "created {} (mode 0600): the key that seals push secrets",
            perch::secrets::key_path(&config.database).display()
        );
    }
    let db = config.database.display();
    if report.created_database || report.created_key {
        println!(
            "created {db} with a new RSA-2048 key for @{}@{}",
            config.username, config.domain
        );
    } else {
        println!("nothing to do: {db} already exists and has its key");
    }
    if !report.has_password {
        println!("no password yet: `perch serve` prints a set-up link, or run `perch passwd`");
    }
    Ok(())
}

/// Opens an existing, initialised database for the commands that work on one.
fn open_existing(config: &Config) -> Result<rusqlite::Connection, String> {
    if !config.database.exists() {
        return Err(format!(
            "{}: no database yet; run perch init",
            config.database.display()
        ));
    }
    let conn = store::open(&config.database, false)?;
    instance::signing_key(&conn).map_err(|e| format!("{}: {e}", config.database.display()))?;
    Ok(conn)
}

fn serve(config: Config) -> Result<(), String> {
    // Held until the process ends: `perch restore` must not swap the file under a server.
    let _lock = perch::ops::lock::ServerLock::take(&config.database)?;
    let (conn, report) = instance::init(&config)?;
    if report.created_key {
        println!(
            "created {} with a new RSA-2048 key",
            config.database.display()
        );
    }
    // Made here too for an install from before the key file; then raw push keys are sealed.
    let (secret, created) = perch::secrets::SecretKey::load_or_create(&config.database)?;
    if created {
        println!(
            "created {} (the key that seals push secrets; back it up with the database)",
            perch::secrets::key_path(&config.database).display()
        );
    }
    let sealed = perch::domain::push::seal_raw_subscriptions(&conn, &secret)
        .map_err(|e| format!("cannot seal the push subscriptions: {e}"))?;
    if sealed > 0 {
        perch::log::info(
            "push",
            "sealed raw subscription keys",
            &[("rows", &sealed.to_string())],
        );
    }
    let urls = Urls::new(&config);
    if let Some(link) = instance::issue_setup_link(&conn, &urls)? {
        println!("Set your password here (this link works once): {link}");
    }
    drop(conn);
    let address = std::net::SocketAddr::new(config.server.address, config.server.port);
    // Checked here so a busy port is one clear line, not a launch error dump.
    std::net::TcpListener::bind(address)
        .map_err(|e| format!("cannot listen on {address}: {e} (is another server using the port? see [server] in instance.toml)"))?;
    let origin = config.origin();
    let stop = Arc::new(AtomicBool::new(false));
    let rocket = perch::app::rocket(config.clone())?;
    // The registry `/health` reads; the threads are added as they start.
    let workers = rocket
        .state::<perch::ops::workers::Workers>()
        .cloned()
        .ok_or("the rocket has no worker registry")?;
    let inbox_worker = inbox::spawn(inbox_worker(&config)?, stop.clone())
        .map_err(|e| format!("cannot start the inbox worker: {e}"))?;
    workers.add("inbox", inbox_worker);
    let delivery_worker = perch::delivery::spawn(delivery_worker(&config)?, stop.clone())
        .map_err(|e| format!("cannot start the delivery worker: {e}"))?;
    workers.add("delivery", delivery_worker);
    let backfill_worker = perch::domain::backfill::spawn(backfill_worker(&config)?, stop.clone())
        .map_err(|e| format!("cannot start the backfill worker: {e}"))?;
    workers.add("backfill", backfill_worker);
    let scheduled =
        perch::domain::statuses::scheduled::spawn(scheduled_worker(&config)?, stop.clone())
            .map_err(|e| format!("cannot start the scheduled-posts worker: {e}"))?;
    workers.add("scheduled", scheduled);
    let polls = perch::domain::polls::spawn(
        perch::domain::polls::PollWorker::new(
            store::open(&config.database, false)?,
            Urls::new(&config),
        ),
        stop.clone(),
    )
    .map_err(|e| format!("cannot start the polls worker: {e}"))?;
    workers.add("polls", polls);
    let push = perch::domain::push::spawn(push_worker(&config)?, stop.clone())
        .map_err(|e| format!("cannot start the push worker: {e}"))?;
    workers.add("push", push);
    if let Some(schedule) = config.backup.clone() {
        let thread = perch::ops::backup::spawn(config.database.clone(), schedule, stop.clone())
            .map_err(|e| format!("cannot start the backup thread: {e}"))?;
        workers.add("backup", thread);
    }
    let database = config.database.clone();
    perch::ops::status::mark_started();
    println!("Perch is serving {origin} (listening on {address})");
    perch::log::info(
        "serve",
        "started",
        &[("origin", &origin), ("address", &address)],
    );
    // On SIGTERM or Ctrl-C rocket stops accepting and gives open requests a few seconds.
    let served = match rocket::execute(rocket.launch()) {
        Ok(_) => Ok(()),
        // A request still open after the grace periods (under load, one waiting on the database)
        // is cut: its client never had an answer, so nothing acknowledged is lost, and the
        // workers and the checkpoint below still run. A stop, not a failure.
        Err(e) if matches!(e.kind(), rocket::error::ErrorKind::Shutdown(_, None)) => {
            perch::log::warn("serve", "open requests were cut at the stop", &[]);
            Ok(())
        }
        Err(e) => Err(format!("the server stopped: {}", e.kind())),
    };
    // The workers finish the row in hand; one still busy after the deadline (a slow remote
    // server) is left: its row stays queued and is done again at the next start.
    stop.store(true, Ordering::Relaxed);
    let left = workers.join_until(std::time::Instant::now() + std::time::Duration::from_secs(4));
    let wal = perch::ops::workers::checkpoint(&database);
    let left = left.join(",");
    match &wal {
        Ok(frames) => perch::log::info(
            "serve",
            "stopped",
            &[("left", &left), ("wal_frames_left", frames)],
        ),
        Err(e) => perch::log::warn(
            "serve",
            "stopped without a checkpoint",
            &[("left", &left), ("error", e)],
        ),
    }
    served
}

fn client(config: &Config) -> Client {
    Client::new(ClientConfig::new(
        config.federation.allow_private_addresses,
        perch::app::user_agent(config),
    ))
}

/// The delivery worker with its own connection, client and key.
fn delivery_worker(config: &Config) -> Result<perch::delivery::Worker, String> {
    let conn = store::open(&config.database, false)?;
    let key = instance::signing_key(&conn)?;
    Ok(perch::delivery::Worker::new(
        conn,
        Arc::new(client(config)),
        Arc::new(key),
        Urls::new(config).key_id(),
    ))
}

/// The scheduled-posts worker with its own connection, client and key.
fn scheduled_worker(
    config: &Config,
) -> Result<perch::domain::statuses::scheduled::ScheduledWorker, String> {
    let conn = store::open(&config.database, false)?;
    let key = instance::signing_key(&conn)?;
    let urls = Urls::new(config);
    Ok(perch::domain::statuses::scheduled::ScheduledWorker::new(
        conn,
        Arc::new(client(config)),
        Arc::new(key),
        urls.key_id(),
        urls,
    ))
}

/// The Web Push worker with its own connection and client.
fn push_worker(config: &Config) -> Result<perch::domain::push::PushWorker, String> {
    let conn = store::open(&config.database, false)?;
    let (secret, _) = perch::secrets::SecretKey::load_or_create(&config.database)?;
    Ok(perch::domain::push::PushWorker::new(
        conn,
        Arc::new(secret),
        Arc::new(client(config)),
        Urls::new(config),
        config.username.clone(),
    ))
}

/// The inbox worker with its own connection, client and key.
fn inbox_worker(config: &Config) -> Result<inbox::InboxWorker, String> {
    let conn = store::open(&config.database, false)?;
    let key = instance::signing_key(&conn)?;
    let urls = Urls::new(config);
    Ok(inbox::InboxWorker::new(
        conn,
        Arc::new(client(config)),
        Arc::new(key),
        urls.key_id(),
        urls,
    ))
}

/// The backfill worker (remote fetches for follows, profiles and threads) with its own
/// connection, client and key.
fn backfill_worker(config: &Config) -> Result<perch::domain::backfill::Worker, String> {
    let conn = store::open(&config.database, false)?;
    let key = instance::signing_key(&conn)?;
    let urls = Urls::new(config);
    Ok(perch::domain::backfill::Worker::new(
        conn,
        Arc::new(client(config)),
        Arc::new(key),
        urls.key_id(),
        urls,
    ))
}

fn passwd(config: &Config) -> Result<(), String> {
    let mut conn = open_existing(config)?;
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password: ").map_err(|e| e.to_string())?;
        let second = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != second {
            return Err("the two passwords differ; nothing changed".into());
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .take(4096)
            .read_to_string(&mut line)
            .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
        line.lines().next().unwrap_or("").to_string()
    };
    auth::set_password(&mut conn, &password).map_err(|e| e.message)?;
    println!("password set; every browser session has been logged out");
    Ok(())
}

fn post(
    config: &Config,
    visibility: &str,
    cw: Option<String>,
    reply_to: Option<String>,
) -> Result<(), String> {
    let mut conn = open_existing(config)?;
    let mut source = String::new();
    std::io::stdin()
        .take((posts::MAX_POST_CHARS * 4 + 1) as u64)
        .read_to_string(&mut source)
        .map_err(|e| format!("cannot read the post from stdin: {e}"))?;
    let compose = posts::Compose {
        source: source.trim_end().to_string(),
        summary: cw,
        visibility: Visibility::parse(visibility).ok_or("unknown visibility")?,
        in_reply_to: reply_to,
    };
    let urls = Urls::new(config);
    let post = with_remote(config, instance::signing_key(&conn)?, |remote| {
        posts::publish_with(&mut conn, &urls, Some(remote), &compose, Timestamp::now())
            .map_err(|e| e.message)
    })?;
    println!("{}", urls.post_page(post.id));
    Ok(())
}

fn delete(config: &Config, reference: &str) -> Result<(), String> {
    let mut conn = open_existing(config)?;
    let urls = Urls::new(config);
    let id = urls.parse_post_reference(reference).ok_or_else(|| {
        format!("\"{reference}\" is not one of our posts (give its URL, id or number)")
    })?;
    posts::delete(&mut conn, &urls, id, Timestamp::now()).map_err(|e| match e.status {
        404 => format!("no post {id}"),
        _ => e.to_string(),
    })?;
    println!("deleted {}", urls.post_page(id));
    Ok(())
}

/// Runs `work` with the guarded client and the owner's key, for commands that fetch from other
/// servers.
fn with_remote<T>(
    config: &Config,
    key: perch::federation::keys::SigningKey,
    work: impl FnOnce(&perch::domain::actors::Remote) -> Result<T, String>,
) -> Result<T, String> {
    let client = client(config);
    let key_id = Urls::new(config).key_id();
    let remote = perch::domain::actors::Remote::new(&client, &key, &key_id);
    work(&remote)
}

/// Resolves the account (WebFinger, then a signed fetch, both behind the private-address guard)
/// and queues the Follow or Undo; a running server delivers it within about a second.
fn follow(config: &Config, account: &str, start: bool) -> Result<(), String> {
    let mut conn = open_existing(config)?;
    let urls = Urls::new(config);
    let now = Timestamp::now();
    let actor = with_remote(config, instance::signing_key(&conn)?, |remote| {
        if account.starts_with("http://") || account.starts_with("https://") {
            perch::domain::actors::get_or_fetch(&conn, remote, account, now)
        } else {
            perch::domain::actors::resolve_handle(&conn, remote, account, now)
        }
        .map_err(|e| format!("{account}: {e}"))
    })?;
    if start {
        perch::domain::follows::follow(&mut conn, &urls, &actor, now).map_err(|e| e.message)?;
        println!("follow request sent to {}", actor.handle());
    } else {
        perch::domain::follows::unfollow(&mut conn, &urls, &actor, now).map_err(|e| e.message)?;
        println!("unfollowed {}", actor.handle());
    }
    Ok(())
}

fn alias(config: &Config, action: AliasAction) -> Result<(), String> {
    let mut conn = open_existing(config)?;
    let urls = Urls::new(config);
    let now = Timestamp::now();
    match action {
        AliasAction::Add { account } => {
            let alias = with_remote(config, instance::signing_key(&conn)?, |remote| {
                moving::add_alias(&mut conn, remote, &urls, &config.username, &account, now)
                    .map_err(|e| e.message)
            })?;
            println!(
                "{} ({}) is now an alias of this account",
                alias.handle, alias.uri
            );
        }
        AliasAction::Remove { account } => {
            let alias = moving::remove_alias(&mut conn, &urls, &config.username, &account, now)
                .map_err(|e| e.message)?;
            println!("{} is no longer an alias", alias.handle);
        }
        AliasAction::List => {
            let (profile, _) = moving::page(&conn, &config.username).map_err(|e| e.message)?;
            for alias in &profile.also_known_as {
                println!("{} {}", alias.handle, alias.uri);
            }
            if let Some(target) = &profile.moved_to {
                println!("moved to {} {}", target.handle, target.uri);
            }
        }
    }
    Ok(())
}

/// Moves out (or takes the move back); a running server delivers the Move within a second.
fn move_account(config: &Config, account: Option<&str>, cancel: bool) -> Result<(), String> {
    let mut conn = open_existing(config)?;
    let urls = Urls::new(config);
    let now = Timestamp::now();
    if cancel {
        let changed =
            moving::cancel_move(&mut conn, &urls, &config.username, now).map_err(|e| e.message)?;
        println!(
            "{}",
            if changed {
                "the move is taken back; posting works again"
            } else {
                "this account had not moved"
            }
        );
        return Ok(());
    }
    let account = account.ok_or("name the new account, or give --cancel")?;
    let target = with_remote(config, instance::signing_key(&conn)?, |remote| {
        moving::move_out(&mut conn, remote, &urls, &config.username, account, now)
            .map_err(|e| e.message)
    })?;
    println!(
        "moved to {}: every follower is being sent the Move",
        target.handle
    );
    Ok(())
}

fn transfer_kind(name: &str) -> Result<transfer::Kind, String> {
    transfer::Kind::parse(name)
        .ok_or_else(|| format!("unknown kind \"{name}\" (one of {})", transfer::Kind::NAMES))
}

/// Imports a CSV file; accounts not yet known are found by WebFinger, and a running server
/// delivers the Follows and Blocks within a second.
fn import(
    config: &Config,
    kind: &str,
    file: &std::path::Path,
    overwrite: bool,
) -> Result<(), String> {
    let kind = transfer_kind(kind)?;
    let mut conn = open_existing(config)?;
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| {
            f.take(transfer::csv::MAX_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", file.display()))?;
    let mode = if overwrite {
        transfer::Mode::Overwrite
    } else {
        transfer::Mode::Merge
    };
    let urls = Urls::new(config);
    let report = with_remote(config, instance::signing_key(&conn)?, |remote| {
        transfer::import(&mut conn, remote, &urls, kind, &text, mode)
            .map_err(|e| format!("{}: {}", file.display(), e.message))
    })?;
    for bad in &report.skipped {
        eprintln!("{}:{}: skipped: {}", file.display(), bad.line, bad.reason);
    }
    println!(
        "imported {}, removed {}, skipped {}",
        report.imported,
        report.removed,
        report.skipped.len()
    );
    Ok(())
}

/// Imports the posts of a Mastodon archive; nothing is sent to anyone.
fn import_archive(config: &Config, file: &std::path::Path, private: bool) -> Result<(), String> {
    let mut conn = open_existing(config)?;
    let zip = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let urls = Urls::new(config);
    let report = transfer::archive::import(
        &mut conn,
        &urls,
        std::io::BufReader::new(zip),
        private,
        Timestamp::now(),
    )
    .map_err(|e| format!("{}: {}", file.display(), e.message))?;
    for why in &report.media_dropped {
        eprintln!("{}: image not kept: {why}", file.display());
    }
    println!("{}", report.summary());
    Ok(())
}

/// Writes a Mastodon archive; a half-written file is removed.
fn export_archive(config: &Config, file: &std::path::Path) -> Result<(), String> {
    let conn = open_existing(config)?;
    let urls = Urls::new(config);
    let out = std::fs::File::create(file).map_err(|e| format!("{}: {e}", file.display()))?;
    match transfer::archive::export(&conn, &urls, &config.username, out) {
        Ok(posts) => {
            println!("wrote {posts} posts to {}", file.display());
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(file);
            Err(format!("{}: {}", file.display(), e.message))
        }
    }
}

fn export(config: &Config, kind: &str, file: &std::path::Path) -> Result<(), String> {
    let kind = transfer_kind(kind)?;
    let conn = open_existing(config)?;
    let text = transfer::export(&conn, kind).map_err(|e| e.message)?;
    std::fs::write(file, &text).map_err(|e| format!("{}: {e}", file.display()))?;
    println!("wrote {} lines to {}", text.lines().count(), file.display());
    Ok(())
}

fn backup(config: &Config, file: &std::path::Path) -> Result<(), String> {
    let conn = open_existing(config)?;
    store::backup(&conn, file)?;
    println!(
        "backed up {} to {}",
        config.database.display(),
        file.display()
    );
    if perch::secrets::copy_key(&config.database, file)? {
        println!(
            "and the push key to {} (keep the two together)",
            perch::secrets::key_path(file).display()
        );
    }
    Ok(())
}

fn restore(config: &Config, file: &std::path::Path) -> Result<(), String> {
    let kept = perch::ops::backup::restore(&config.database, file)?;
    println!(
        "restored {} from {}; the previous database is kept as {}",
        config.database.display(),
        file.display(),
        kept.display()
    );
    Ok(())
}
