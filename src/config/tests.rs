use super::*;

const SHIPPED: &str = include_str!("../../instance.toml");

fn parse(text: &str) -> Result<Config, String> {
    Config::parse(text, Path::new("/srv/perch"))
}

#[test]
fn shipped_file_serves_localhost() {
    let config = parse(SHIPPED).unwrap();
    assert_eq!(config.origin(), "http://localhost:8080");
    assert_eq!(config.username, "me");
    assert_eq!(config.database, Path::new("/srv/perch/perch.db"));
    assert_eq!(config.server.port, 8080);
    assert!(!config.federation.allow_private_addresses);
    assert!(config.backup.is_none());
}

#[test]
fn backup_section_has_defaults_and_checks_its_values() {
    let base = "domain = \"a.example\"\nusername = \"me\"\n[backup]\n";
    let backup = parse(base).unwrap().backup.unwrap();
    assert_eq!(backup.folder, Path::new("/srv/perch/backups"));
    assert_eq!((backup.daily_at, backup.keep), ((3, 30), 7));
    let backup = parse(&format!(
        "{base}folder = \"/b\"\ndaily_at = \"23:05\"\nkeep = 2"
    ))
    .unwrap()
    .backup
    .unwrap();
    assert_eq!(backup.folder, Path::new("/b"));
    assert_eq!((backup.daily_at, backup.keep), ((23, 5), 2));
    for (extra, expected) in [
        ("daily_at = \"3:30\"", "backup.daily_at:"),
        ("daily_at = \"24:00\"", "backup.daily_at:"),
        ("keep = 0", "backup.keep:"),
        ("folder = 3", "backup.folder:"),
        ("kept = 3", "unknown key \"backup.kept\""),
    ] {
        let err = parse(&format!("{base}{extra}")).unwrap_err();
        assert!(err.starts_with(expected), "{extra:?} gave {err:?}");
    }
}

#[test]
fn unknown_key_is_named_with_a_hint() {
    let err = parse("domian = \"a.example\"\nusername = \"me\"").unwrap_err();
    assert_eq!(err, "unknown key \"domian\" (did you mean \"domain\"?)");
    let err = parse("domain = \"a.example\"\nusername = \"me\"\n[server]\nprot = 1").unwrap_err();
    assert!(err.contains("server.prot"), "{err}");
    let err =
        parse("domain = \"a.example\"\nusername = \"me\"\n[federation]\nallow = true").unwrap_err();
    assert!(err.contains("federation.allow"), "{err}");
}

#[test]
fn bad_values_are_refused_naming_the_key() {
    let cases = [
        (
            "domain = \"https://a.example\"\nusername = \"me\"",
            "domain:",
        ),
        ("domain = \"A.example\"\nusername = \"me\"", "domain:"),
        ("domain = \"a.example:99999\"\nusername = \"me\"", "domain:"),
        (
            "domain = \"a.example\"\nusername = \"my name\"",
            "username:",
        ),
        ("domain = \"a.example\"\nusername = \"\"", "username:"),
        (
            "domain = \"a.example\"\nusername = \"me\"\nhttps = \"yes\"",
            "https:",
        ),
        (
            "domain = \"a.example\"\nusername = \"me\"\n[server]\nport = 0",
            "server.port:",
        ),
        (
            "domain = \"a.example\"\nusername = \"me\"\n[server]\naddress = \"localhost\"",
            "server.address:",
        ),
        ("username = \"me\"", "domain: missing"),
        ("domain = ", "not valid TOML"),
    ];
    for (text, expected) in cases {
        let err = parse(text).unwrap_err();
        assert!(err.starts_with(expected), "{text:?} gave {err:?}");
        assert!(!err.contains('\n'), "one line: {err:?}");
    }
}

#[test]
fn https_changes_the_origin() {
    let config = parse("domain = \"social.example\"\nusername = \"ana\"\nhttps = true").unwrap();
    assert_eq!(config.origin(), "https://social.example");
    assert_eq!(config.display_name, "ana");
}
