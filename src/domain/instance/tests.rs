use super::*;
use std::path::Path;

#[test]
fn init_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::parse("domain = \"a.example\"\nusername = \"ana\"", dir.path()).unwrap();
    let (conn, first) = init(&config).unwrap();
    assert!(first.created_database && first.created_key && !first.has_password);
    let pem = public_key_pem(&conn).unwrap();
    drop(conn);
    let (conn, second) = init(&config).unwrap();
    assert!(!second.created_database && !second.created_key);
    assert_eq!(public_key_pem(&conn).unwrap(), pem);
    assert!(signing_key(&conn).is_ok());
    let urls = Urls::new(&config);
    let link = issue_setup_link(&conn, &urls).unwrap().unwrap();
    assert!(link.starts_with("http://a.example/setup?token="));
    assert!(Path::new(&config.database).exists());
}
