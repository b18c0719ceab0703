//! Property tests of WebFinger `resource` reading: never a panic, and a resource names the owner
//! exactly when its user and domain are the owner's, however it is decorated.

use proptest::prelude::*;

use super::*;
use crate::config::Config;
use crate::domain::testkit::{fuzz_config, fuzz_for};

const HOST: &str = "social.example";

fn urls() -> Urls {
    let config = Config::parse(
        "domain = \"social.example\"\nusername = \"ana\"\nhttps = true",
        std::path::Path::new("."),
    )
    .expect("a valid test configuration");
    Urls::new(&config)
}

fn user() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ana".to_string()),
        Just("ANA".to_string()),
        Just("Ana".to_string()),
        Just("an".to_string()),
        Just("ana@evil.example".to_string()),
        Just("".to_string()),
        "[a-zA-Z0-9._~%:/-][a-zA-Z0-9._~%:/@-]{0,10}",
    ]
}

fn domain() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(HOST.to_string()),
        Just("SOCIAL.example".to_string()),
        Just("social.example.evil".to_string()),
        Just("evil.example".to_string()),
        Just("social.example@evil.example".to_string()),
        Just("social.example:443".to_string()),
        "[a-zA-Z0-9.:\\[\\]@/-]{0,20}",
    ]
}

#[test]
fn any_resource_is_read_without_panic() {
    let urls = urls();
    fuzz_for("WebFinger resource", 3000, |_, config| {
        proptest!(config, |(resource in any::<String>(), handle in (user(), domain()))| {
            let _ = names_owner(&resource, &urls, "ana");
            let _ = names_owner(&format!("acct:{}@{}{resource}", handle.0, handle.1), &urls, "ana");
        })
    });
}

proptest! {
    #![proptest_config(fuzz_config(3000))]

    #[test]
    fn a_handle_names_the_owner_only_with_the_owners_user_and_domain(
        user in user(),
        domain in domain(),
        prefix in prop::sample::select(vec!["", "acct:", "@", "acct:@"]),
        space in prop::sample::select(vec!["", " ", "\t"]),
    ) {
        let resource = format!("{space}{prefix}{user}@{domain}{space}");
        let owner = user.eq_ignore_ascii_case("ana") && domain.eq_ignore_ascii_case(HOST);
        prop_assert_eq!(names_owner(&resource, &urls(), "ana"), owner, "{:?}", resource);
    }

    #[test]
    fn only_the_exact_actor_and_profile_urls_name_the_owner(
        which in prop::bool::ANY,
        extra in "[a-zA-Z0-9/#?.@-]{1,8}",
    ) {
        let u = urls();
        let url = if which { u.actor() } else { u.profile() };
        prop_assert!(names_owner(&url, &u, "ana"));
        let longer = format!("{url}{extra}");
        prop_assert!(!names_owner(&longer, &u, "ana"));
    }
}
