use serde_json::json;

use super::*;
use crate::config::Config;
use crate::federation::build::{actor, update_actor, AS_CONTEXT};
use crate::federation::vocab::{also_known_as, parse_move, MoveClaim};
use crate::model::{OtherAccount, Profile, Timestamp};

fn urls() -> Urls {
    let config = Config::parse(
        "domain = \"me.test\"\nusername = \"me\"\nhttps = true",
        ".".as_ref(),
    )
    .expect("a valid test configuration");
    Urls::new(&config)
}

const ME: &str = "https://me.test/users/me";
const NEW: &str = "https://new.test/users/me";

fn other(uri: &str) -> OtherAccount {
    OtherAccount {
        uri: uri.into(),
        handle: "@me@other.test".into(),
        url: uri.into(),
    }
}

fn profile() -> Profile {
    Profile {
        username: "me".into(),
        display_name: "Me".into(),
        bio_source: String::new(),
        bio_html: String::new(),
        avatar: None,
        header: None,
        fields: Vec::new(),
        manually_approves_followers: false,
        discoverable: true,
        bot: false,
        created_at: Timestamp(1),
        updated_at: Timestamp(2),
        also_known_as: Vec::new(),
        moved_to: None,
    }
}

#[test]
fn the_move_is_mastodons_and_reads_back() {
    let u = urls();
    let built =
        serde_json::to_value(move_account(&u, "https://me.test/activities/7", NEW)).unwrap();
    assert_eq!(
        built,
        json!({"@context": AS_CONTEXT, "id": "https://me.test/activities/7", "type": "Move",
               "actor": ME, "object": ME, "target": NEW,
               "to": ["https://me.test/users/me/followers"]})
    );
    assert_eq!(
        parse_move(&built),
        Ok(MoveClaim {
            origin: ME.into(),
            target: NEW.into()
        })
    );
}

#[test]
fn the_actor_names_aliases_and_the_move_only_when_set() {
    let u = urls();
    let plain = actor(&u, &profile(), &[], "PEM", "z6Mk");
    assert!(plain.get("alsoKnownAs").is_none() && plain.get("movedTo").is_none());

    let mut moved = profile();
    moved.also_known_as = vec![
        other("https://old.test/users/me"),
        other("https://older.test/u/me"),
    ];
    moved.moved_to = Some(other(NEW));
    let document = actor(&u, &moved, &[], "PEM", "z6Mk");
    assert_eq!(
        also_known_as(&document),
        vec!["https://old.test/users/me", "https://older.test/u/me"]
    );
    assert_eq!(document["movedTo"], json!(NEW));
    // The context defines both terms as ids, as Mastodon's does.
    let context = document["@context"].to_string();
    assert!(context.contains("as:alsoKnownAs") && context.contains("as:movedTo"));
    // The Update carries them to followers.
    let update = serde_json::to_value(update_actor(&u, document, Timestamp(3))).unwrap();
    assert_eq!(update["object"]["movedTo"], json!(NEW));
    assert_eq!(
        update["object"]["alsoKnownAs"][0],
        json!("https://old.test/users/me")
    );
}
