//! Move: an account says it now lives elsewhere. Believed only when the new account, fetched
//! afresh, names the old one in its `alsoKnownAs` (Mastodon's rule). Then, as Mastodon does:
//! if we followed the old account we follow the new one and stop following the old, a mute
//! carries over, and the owner hears of it; otherwise only the old account's `movedTo` changes.
//! (Perch keeps no lists or account notes yet, so there are none to carry.)

use rusqlite::Connection;

use crate::federation::vocab::parse_move;
use crate::model::{Actor, NotificationKind};
use crate::store::follows::{self, Direction};
use crate::store::moderation::{self, Restriction};
use crate::store::{actors, moving, notifications};

use super::super::actors::fetch_with_aliases;
use super::super::follows::{queue_follow, queue_unfollow};
use super::super::stream::Event;
use super::{refused, Activity, Context, Failure, Outcome};

pub fn on_move(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    let claim = match parse_move(&activity.document) {
        Ok(claim) => claim,
        Err(why) => return Ok(Outcome::Ignored(why)),
    };
    if claim.origin != activity.actor {
        return Ok(Outcome::Ignored("a Move of another account"));
    }
    if claim.target == cx.urls.actor() {
        return moved_here(conn, cx, activity);
    }
    if cx.is_ours(&claim.target) {
        return Err(refused(
            "a Move to an account on this server that is not ours",
        ));
    }
    let Some(origin) = actors::get_by_uri(conn, &claim.origin)? else {
        return Ok(Outcome::Ignored("a Move of an account we do not know"));
    };
    let (target, aliases) = fetch_with_aliases(conn, cx.remote, &claim.target, cx.now)?;
    if !aliases.contains(&origin.uri) {
        return Err(refused("the Move's target does not name the old account"));
    }
    let followed = follows::get(conn, origin.id, Direction::Out)?.is_some();
    cx.apply(conn, |tx| {
        actors::set_moved_to(tx, origin.id, &target.uri)?;
        if moderation::has(tx, origin.id, Restriction::Mute)? {
            moderation::add(tx, target.id, Restriction::Mute, None, cx.now)?;
        }
        if followed {
            follow_the_move(tx, cx, activity, &origin, &target)?;
        }
        Ok(Outcome::Applied)
    })
}

/// We followed `origin`: follow `target` instead (unless the owner blocks it) and tell the owner.
fn follow_the_move(
    tx: &Connection,
    cx: &Context,
    activity: &Activity,
    origin: &Actor,
    target: &Actor,
) -> Result<(), Failure> {
    queue_unfollow(tx, cx.urls, origin, cx.now)?;
    let blocked = moderation::has(tx, target.id, Restriction::Block)?
        || actors::is_domain_blocked(tx, &target.domain)?;
    if !blocked {
        queue_follow(tx, cx.urls, target, cx.now)?;
    }
    notifications::insert(
        tx,
        NotificationKind::Move,
        Some(origin.id),
        Some(&target.uri),
        Some(&activity.id),
        Some(&target.handle()),
        cx.now,
    )?;
    cx.emit(Event::Notified);
    Ok(())
}

/// A Move to our own actor: the old server telling its followers (and maybe us) that the owner
/// came here. Believed only from an account the owner named in `alsoKnownAs`; nothing to do but
/// record where that account went and tell the owner.
fn moved_here(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    let named = moving::aliases(conn)?
        .iter()
        .any(|alias| alias.uri == activity.actor);
    if !named {
        return Ok(Outcome::Ignored(
            "a Move to us from an account not in our alsoKnownAs",
        ));
    }
    let origin = cx.actor(conn, &activity.actor)?;
    let target = cx.urls.actor();
    cx.apply(conn, |tx| {
        actors::set_moved_to(tx, origin.id, &target)?;
        notifications::insert(
            tx,
            NotificationKind::Move,
            Some(origin.id),
            Some(&target),
            Some(&activity.id),
            Some("this account"),
            cx.now,
        )?;
        cx.emit(Event::Notified);
        Ok(Outcome::Applied)
    })
}
