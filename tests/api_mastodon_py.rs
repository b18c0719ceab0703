//! Mastodon.py as a whole app (tests/peers/mastodon_app.py): the authorization-code flow
//! through Perch's pages, then every group of the API, with a second real Perch as the remote
//! side and a paging walk over 150+ statuses.

use crate::harness::{follow_and_wait, handle, local_tool, run_python, Instance};
use crate::probe;

const PASSWORD: &str = "correct horse battery";

#[test]
fn mastodon_py_logs_in_through_the_pages_and_works_every_group() {
    let Some(python) = local_tool(
        "PERCH_PYTHON",
        "venv/bin/python",
        "the Mastodon.py app test",
    ) else {
        return;
    };
    let (a, b) = (Instance::start(), Instance::start());
    a.set_password(PASSWORD);
    b.set_password(PASSWORD);
    follow_and_wait(&a, &b);
    follow_and_wait(&b, &a);
    for i in 0..150 {
        let visibility = ["public", "unlisted", "followers"][i % 3];
        a.post(&format!("seeded post {i}"), &["--visibility", visibility]);
    }
    let printed = run_python(
        &python,
        "mastodon_app.py",
        &[&a.url(""), PASSWORD, &b.url(""), &handle(&b)],
    );
    assert!(printed.contains("ok"), "{printed}");
    // What the app did is in A's database: the post from the app, B's reply kept.
    assert!(probe::remote_posts_containing(&a, "a reply from B") == 1);
}
