use serde_json::json;

use super::*;

const OLD: &str = "https://old.example/users/ana";
const NEW: &str = "https://new.example/users/ana";

fn fixture(path: &str) -> Option<Value> {
    let root = std::env::var_os("PERCH_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
        });
    let text = std::fs::read_to_string(root.join(path)).ok()?;
    Some(serde_json::from_str(&text).expect("a fixture is JSON"))
}

#[test]
fn reads_gotosocials_move() {
    let Some(document) = fixture("gotosocial/move.json") else {
        eprintln!("SKIPPED: fixtures not found");
        return;
    };
    assert_eq!(
        parse_move(&document),
        Ok(MoveClaim {
            origin: "https://example.org/users/1happyturtle".into(),
            target: "https://another-server.com/users/my_new_account_hurray".into(),
        })
    );
}

#[test]
fn reads_mastodons_shape_and_refuses_the_odd_ones() {
    let good = json!({"id": format!("{OLD}#moves/1"), "type": "Move", "actor": OLD,
                      "object": OLD, "target": NEW});
    assert_eq!(parse_move(&good).map(|m| m.target), Ok(NEW.to_string()));
    // Embedded objects name the same accounts.
    let embedded = json!({"type": "Move", "actor": {"id": OLD}, "object": [{"id": OLD}],
                          "target": {"id": NEW, "type": "Person"}});
    assert!(parse_move(&embedded).is_ok());
    for (bad, why) in [
        (
            json!({"type": "Move", "actor": OLD, "object": NEW, "target": NEW}),
            "a Move of another account",
        ),
        (
            json!({"type": "Move", "actor": OLD, "object": OLD}),
            "a Move without a target",
        ),
        (
            json!({"type": "Move", "actor": OLD, "object": OLD, "target": [NEW, OLD]}),
            "a Move without a target",
        ),
        (
            json!({"type": "Move", "actor": OLD, "object": OLD, "target": "javascript:x"}),
            "a Move without a target",
        ),
        (
            json!({"type": "Move", "actor": OLD, "object": OLD, "target": OLD}),
            "a Move to the same account",
        ),
        (
            json!({"type": "Follow", "actor": OLD, "object": OLD, "target": NEW}),
            "not a Move",
        ),
        (
            json!({"type": "Move", "object": OLD, "target": NEW}),
            "a Move without a usable actor",
        ),
    ] {
        assert_eq!(parse_move(&bad), Err(why), "{bad}");
    }
}

#[test]
fn aliases_are_read_from_any_shape_and_capped() {
    assert_eq!(also_known_as(&json!({"alsoKnownAs": OLD})), vec![OLD]);
    assert_eq!(
        also_known_as(&json!({"alsoKnownAs": [OLD, {"id": NEW}, 7, "not a url"]})),
        vec![OLD, NEW]
    );
    assert!(also_known_as(&json!({})).is_empty());
    let many: Vec<String> = (0..100)
        .map(|i| format!("https://x.example/u/{i}"))
        .collect();
    assert_eq!(
        also_known_as(&json!({ "alsoKnownAs": many })).len(),
        MAX_ALIASES
    );
    for path in [
        "mastodon/actor-person-mastodon.madrid.json",
        "pleroma/actor-person.json",
    ] {
        if let Some(actor) = fixture(path) {
            // Real actors: an empty list, or every entry an http(s) id.
            let read = also_known_as(&actor);
            let raw = actor.get("alsoKnownAs").and_then(Value::as_array);
            assert_eq!(read.len(), raw.map_or(0, Vec::len), "{path}");
        }
    }
}
