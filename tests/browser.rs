//! The owner's page in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`) driven over WebDriver. Without chromedriver on PATH the tests say they
//! were skipped and pass. Each failure leaves a screenshot in target/browser-screenshots/.
//! `phone` checks a 360 px wide screen and keyboard-only use.

use std::future::Future;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::client::png;
use crate::harness::{form_encode, free_port, http_request, post_raw, register_app, Instance};
use crate::probe;

const PASSWORD: &str = "correct horse battery";

type Outcome = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($why:tt)+) => {
        if !$cond {
            return Err(format!($($why)+));
        }
    };
}

// After the macro: macro_rules are in scope only below their definition.
mod phone;

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Option<Driver> {
        let found = Command::new("chromedriver")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            eprintln!("SKIPPED: browser tests need chromium and chromium-driver (scripts/test installs them with PERCH_BROWSER_TESTS=1)");
            return None;
        }
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Driver { child, port })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots")
}

/// Runs `scenario` in a fresh headless Chromium; on failure saves a screenshot named `name`.
fn in_browser<F, Fut>(name: &str, scenario: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Outcome>,
{
    let Some(driver) = Driver::start() else {
        return;
    };
    let profile = tempfile::tempdir().expect("a browser profile folder");
    let runtime = rocket::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let result = runtime.block_on(async {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-background-networking", "--no-first-run",
                         "--window-size=1000,1400",
                         format!("--user-data-dir={}", profile.path().display())]
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .map_err(|e| format!("cannot start a browser session: {e}"))?;
        let result = scenario(client.clone()).await;
        if result.is_err() {
            if let Ok(png) = client.screenshot().await {
                let dir = screenshot_dir();
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(dir.join(format!("{name}.png")), png);
            }
        }
        let _ = client.close().await;
        result
    });
    if let Err(why) = result {
        panic!(
            "{name}: {why} (screenshot in {})",
            screenshot_dir().display()
        );
    }
}

fn fail<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> String {
    move |e| format!("{what}: {e}")
}

async fn find(c: &Client, css: &str) -> Result<Element, String> {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("no element {css}: {e}"))
}

async fn click(c: &Client, css: &str) -> Outcome {
    find(c, css)
        .await?
        .click()
        .await
        .map_err(|e| format!("cannot click {css}: {e}"))
}

async fn type_into(c: &Client, css: &str, text: &str) -> Outcome {
    find(c, css)
        .await?
        .send_keys(text)
        .await
        .map_err(|e| format!("cannot type into {css}: {e}"))
}

async fn page_text(c: &Client) -> Result<String, String> {
    c.source().await.map_err(fail("page source"))
}

/// Reloads `url` until its page contains `text`.
async fn until_page_has(c: &Client, url: &str, text: &str) -> Outcome {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        c.goto(url).await.map_err(fail("goto"))?;
        if page_text(c).await?.contains(text) {
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "{url} never showed {text:?}");
        rocket::tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn log_in(c: &Client, instance: &Instance) -> Outcome {
    c.goto(&instance.url("/login"))
        .await
        .map_err(fail("goto login"))?;
    type_into(c, "#password", PASSWORD).await?;
    click(c, "form[action='/login'] button[type=submit]").await?;
    find(c, "#compose").await?;
    Ok(())
}

/// Polls `check` (a probe of another process's database) until it holds, for at most 20 s.
async fn until(what: &str, mut check: impl FnMut() -> bool) -> Outcome {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        ensure!(Instant::now() < deadline, "timed out waiting for: {what}");
        rocket::tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

#[test]
fn posting_an_image_a_content_warning_and_an_avatar() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let picture = instance.dir.path().join("picture.png");
    std::fs::write(&picture, png(320, 200)).unwrap();
    let picture = picture.display().to_string();
    in_browser("posting", |c| async move {
        log_in(&c, &instance).await?;

        // A post with an image and its alt text, then seen on the profile.
        type_into(&c, "#source", "A picture from the browser").await?;
        click(&c, "details.attach > summary").await?;
        type_into(&c, "#media-0", &picture).await?;
        type_into(&c, "#media-0-alt", "Stripes of red and green").await?;
        click(&c, "#compose button[type=submit]:not([name=preview])").await?;
        find(&c, "article.post.focused").await?;
        c.goto(&instance.url("/@ana"))
            .await
            .map_err(fail("goto profile"))?;
        let image = find(&c, "img[alt='Stripes of red and green']").await?;
        let src = image
            .attr("src")
            .await
            .map_err(fail("src"))?
            .unwrap_or_default();
        ensure!(src.contains("/media/"), "the image is ours: {src}");

        // A content warning folds the text until it is opened.
        c.goto(&instance.url("/"))
            .await
            .map_err(fail("goto home"))?;
        type_into(&c, "#summary", "Film spoilers").await?;
        type_into(&c, "#source", "The butler did it").await?;
        click(&c, "#compose button[type=submit]:not([name=preview])").await?;
        let hidden = find(&c, "article.post.focused details.cw .content").await?;
        ensure!(
            !hidden.is_displayed().await.map_err(fail("displayed"))?,
            "the text starts folded"
        );
        click(&c, "article.post.focused details.cw > summary").await?;
        let shown = find(&c, "article.post.focused details.cw .content").await?;
        ensure!(
            shown.is_displayed().await.map_err(fail("displayed"))?,
            "opening shows the text"
        );

        // An avatar upload.
        c.goto(&instance.url("/settings"))
            .await
            .map_err(fail("goto settings"))?;
        type_into(&c, "#avatar", &picture).await?;
        click(&c, "form[action='/settings/avatar'] button[type=submit]").await?;
        find(&c, "p.notice").await?;
        let avatar = find(&c, "img.avatar.big").await?;
        let src = avatar
            .attr("src")
            .await
            .map_err(fail("src"))?
            .unwrap_or_default();
        ensure!(src.contains("/media/"), "the new avatar is shown: {src}");
        Ok(())
    });
}

/// Looks `query` up through `instance`'s search box.
async fn search(c: &Client, instance: &Instance, query: &str) -> Outcome {
    c.goto(&instance.url("/search"))
        .await
        .map_err(fail("goto search"))?;
    type_into(c, "#q", query).await?;
    click(c, "form.search button[type=submit]").await
}

#[test]
fn following_liking_boosting_replying_and_blocking_another_perch() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    b.set_password(PASSWORD);
    let b_handle = format!("@ana@127.0.0.1:{}", b.port);
    in_browser("federating", |c| async move {
        log_in(&c, &a).await?;

        // Follow B through the search box; the button flips in place.
        search(&c, &a, &b_handle).await?;
        click(&c, "form[action='/actions/follow'] button").await?;
        find(&c, "form[action='/actions/unfollow'] button").await?;
        until("B accepts", || probe::following(&a) > 0).await?;

        // B posts; A sees it, likes and boosts it in place, and replies.
        b.post("Hello from the other Perch", &[]);
        until_page_has(&c, &a.url("/"), "Hello from the other Perch").await?;
        click(&c, "form[action='/actions/like'] button").await?;
        find(&c, "form[action='/actions/unlike'] button").await?;
        click(&c, "form[action='/actions/boost'] button").await?;
        find(&c, "form[action='/actions/unboost'] button").await?;
        click(&c, "a[href^='/?reply_to=']").await?;
        let prefilled = find(&c, "#source")
            .await?
            .prop("value")
            .await
            .map_err(fail("value"))?
            .unwrap_or_default();
        ensure!(
            prefilled.starts_with(&b_handle),
            "the reply starts with B's handle: {prefilled:?}"
        );
        type_into(&c, "#source", "Nice to meet you").await?;
        click(&c, "#compose button[type=submit]:not([name=preview])").await?;
        find(&c, "article.post.focused").await?;

        // B sees the notifications.
        log_in(&c, &b).await?;
        until_page_has(&c, &b.url("/notifications"), "replied to your post").await?;
        let notes = page_text(&c).await?;
        ensure!(notes.contains("liked your post"), "B is told of the like");
        ensure!(
            notes.contains("boosted your post"),
            "B is told of the boost"
        );

        // Back on A: block B from its search result.
        log_in(&c, &a).await?;
        search(&c, &a, &b_handle).await?;
        click(&c, "form[action='/actions/block'] button").await?;
        find(&c, "form[action='/actions/unblock'] button").await?;
        ensure!(probe::follows(&a) == 0, "the follow ended");
        Ok(())
    });
}

#[test]
fn an_app_is_authorized_through_the_login_and_approve_pages() {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    let (client_id, client_secret) = register_app(&instance, "read write");
    let authorize = instance.url(&format!(
        "/oauth/authorize?{}",
        form_encode(&[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
            ("scope", "read write"),
        ])
    ));
    let mut code = String::new();
    in_browser("authorize_an_app", |c| {
        let code = &mut code;
        async move {
            // No session: Perch's login first, then back to the approve page.
            c.goto(&authorize).await.map_err(fail("goto authorize"))?;
            type_into(&c, "#password", PASSWORD).await?;
            click(&c, "form[action='/login'] button[type=submit]").await?;
            find(&c, "#approve").await?;
            let page = page_text(&c).await?;
            ensure!(
                page.contains("perch tests"),
                "the approve page names the app"
            );
            ensure!(page.contains("<code>write</code>"), "and its scopes");
            click(&c, "#approve").await?;
            let shown = find(&c, "#code").await?;
            *code = shown
                .prop("value")
                .await
                .map_err(fail("the code's value"))?
                .unwrap_or_default();
            ensure!(!code.is_empty(), "the page shows a code");
            Ok(())
        }
    });
    if code.is_empty() {
        return; // skipped: no browser
    }
    let token = post_raw(
        &instance.url("/oauth/token"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form_encode(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &client_id),
            ("client_secret", &client_secret),
            ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
        ])
        .as_bytes(),
    );
    assert_eq!(token.status, 200, "{}", token.body);
    let access = token.json()["access_token"].as_str().unwrap().to_string();
    let me = http_request(
        "GET",
        &instance.url("/api/v1/accounts/verify_credentials"),
        &[("Authorization", &format!("Bearer {access}"))],
    );
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["username"], "ana");
}
