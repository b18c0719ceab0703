//! The page on a 360 px wide phone screen, and with the keyboard alone.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::Value;

use super::*;
use crate::client::{post_multipart, Part};
use crate::harness::{csrf_from, follow_and_wait};

/// Elements reaching past the viewport's sides (outside any scrolling or clipping box), and the
/// page's own width against the window's.
const OVERFLOW_SCRIPT: &str = r##"
const width = document.documentElement.clientWidth;
const wide = [];
for (const e of document.querySelectorAll("body *")) {
  const r = e.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) continue;
  if (r.left >= -0.5 && r.right <= width + 0.5) continue;
  let clipped = false;
  for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
    if (getComputedStyle(p).overflowX !== "visible") { clipped = true; break; }
  }
  if (clipped) continue;
  const classes = typeof e.className === "string" && e.className.trim()
    ? "." + e.className.trim().split(/\s+/).join(".") : "";
  wide.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + classes
    + " [" + Math.round(r.left) + ", " + Math.round(r.right) + "]");
}
return {
  scroll: document.documentElement.scrollWidth,
  inner: window.innerWidth,
  client: width,
  wide: wide.slice(0, 8),
};
"##;

/// Loads `path` and checks that nothing on it is wider than the screen.
async fn fits(c: &Client, instance: &Instance, path: &str) -> Outcome {
    c.goto(&instance.url(path)).await.map_err(fail("goto"))?;
    // Open what a reader would open, so folded content is measured too.
    c.execute(
        "document.querySelectorAll('details').forEach(d => d.open = true)",
        vec![],
    )
    .await
    .map_err(fail("open details"))?;
    let found = c
        .execute(OVERFLOW_SCRIPT, vec![])
        .await
        .map_err(fail("measure"))?;
    let number = |key: &str| found[key].as_i64().unwrap_or(-1);
    ensure!(
        number("inner") <= 360,
        "{path}: the window is {} px wide, not 360",
        number("inner")
    );
    if let Some(dir) = std::env::var_os("PERCH_SCREENSHOTS") {
        // For looking at the pages by eye: one picture per page.
        let png = c.screenshot().await.map_err(fail("screenshot"))?;
        let name: String = path
            .chars()
            .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
            .collect();
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(
            std::path::Path::new(&dir).join(format!("phone{name}.png")),
            png,
        );
    }
    let wide = found["wide"].as_array().cloned().unwrap_or_default();
    ensure!(
        number("scroll") <= number("inner") && wide.is_empty(),
        "{path}: the page is {} px wide in a {} px window; too wide: {wide:?}",
        number("scroll"),
        number("inner")
    );
    Ok(())
}

/// A word, an address and a line of code each longer than a phone screen.
const LONG: &str = "Supercalifragilisticexpialidocious-Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen \
    https://example.com/a/very/long/path/that/never/breaks/anywhere/at/all/because/it/is/one/word \
    #AnExtremelyLongHashtagThatKeepsGoingAndGoingAndGoing\n\n\
    ```\nfn a_line_of_code_that_is_much_wider_than_any_phone(with: Many, arguments: That, never: Wrap) {}\n```\n\n\
    > A quote with averyveryveryveryveryveryveryveryveryveryverylongwordinside it";

#[test]
fn nothing_is_wider_than_a_360_pixel_screen() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    b.set_password(PASSWORD);
    follow_and_wait(&a, &b);
    let picture = png(1200, 300);

    // A profile with long names, a header and an avatar; posts with long words and an image.
    let mut owner = a.logged_in(PASSWORD);
    let csrf = owner.csrf("/settings");
    let saved = owner.post_form(
        "/settings/profile",
        &[
            ("csrf", &csrf),
            (
                "display_name",
                "Anastasia Wolkenkuckucksheimerstraßenbahnhaltestellenschild",
            ),
            ("bio", LONG),
            (
                "fields[0].name",
                "Website-with-a-very-long-label-that-does-not-break",
            ),
            (
                "fields[0].value",
                "https://example.com/an/unbroken/address/that/goes/on/and/on/and/on",
            ),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    for path in ["/settings/avatar", "/settings/header"] {
        let uploaded = owner.post_file(path, &[("csrf", &csrf)], &picture, "image/png");
        assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    }
    a.post(
        LONG,
        &[
            "--cw",
            "A content warning that is long enough to need two lines on a phone",
        ],
    );
    let image_post = post_multipart(
        &mut owner,
        "/posts",
        &[
            Part::Text("csrf", &csrf),
            Part::Text("source", LONG),
            Part::Text("visibility", "public"),
            Part::File("media[0].file", &picture),
            Part::Text(
                "media[0].description",
                "Alt-text-without-any-space-that-goes-on-for-a-long-long-while",
            ),
            Part::File("media[1].file", &png(200, 900)),
            Part::Text("media[1].description", "A tall one"),
        ],
    );
    assert_eq!(image_post.status, 303, "{}", image_post.body);
    let image_page = image_post.header("location").unwrap().to_string();
    let id = image_page.rsplit('/').next().unwrap().to_string();
    let edit_form = owner.get(&format!("/posts/{id}/edit")).body;
    let edited = post_multipart(
        &mut owner,
        &format!("/posts/{id}/edit"),
        &[
            Part::Text("csrf", &csrf_from(&edit_form)),
            Part::Text("source", &format!("{LONG} (edited)")),
            Part::Text("existing[0].id", &input_value(&edit_form, "existing[0].id")),
            Part::Text("existing[0].description", "Described again"),
        ],
    );
    assert_eq!(edited.status, 303, "{}", edited.body);
    let mut other = b.logged_in(PASSWORD);
    let b_csrf = other.csrf("/");
    let remote = post_multipart(
        &mut other,
        "/posts",
        &[
            Part::Text("csrf", &b_csrf),
            Part::Text("source", LONG),
            Part::Text("visibility", "public"),
            Part::File("media[0].file", &picture),
            Part::Text("media[0].description", "From the other side"),
        ],
    );
    assert_eq!(remote.status, 303, "{}", remote.body);
    let image_path = image_page.trim_start_matches(&a.origin).to_string();
    in_browser("phone-width", |c| async move {
        log_in(&c, &a).await?;
        c.set_window_size(360, 740)
            .await
            .map_err(fail("window size"))?;
        until_page_has(&c, &a.url("/"), "From the other side").await?;
        // Every page is measured; all that are too wide are reported at once.
        let mut too_wide = Vec::new();
        for path in [
            "/",
            image_path.as_str(),
            &format!("/posts/{id}/edit"),
            "/settings",
            "/settings/moderation",
            "/@ana",
            "/notifications",
            "/people",
            "/search",
            "/bookmarks",
        ] {
            if let Err(why) = fits(&c, &a, path).await {
                too_wide.push(why);
            }
        }
        // A visitor's view of the profile and the post.
        c.delete_all_cookies().await.map_err(fail("log out"))?;
        for path in ["/@ana", image_path.as_str(), "/login"] {
            if let Err(why) = fits(&c, &a, path).await {
                too_wide.push(format!("(visitor) {why}"));
            }
        }
        ensure!(too_wide.is_empty(), "{}", too_wide.join("; "));
        Ok(())
    });
}

fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("the input") + marker.len();
    let end = html[start..].find('"').expect("its end") + start;
    html[start..end].to_string()
}

/// Presses `keys` one after the other, as a keyboard would.
async fn press(c: &Client, keys: &str) -> Outcome {
    let mut actions = KeyActions::new("keyboard".into());
    for key in keys.chars() {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    c.perform_actions(actions).await.map_err(fail("keys"))
}

/// Which element has focus, whether it matches `css`, and whether its focus can be seen.
async fn focused(c: &Client, css: &str) -> Result<(bool, bool, String), String> {
    let found = c
        .execute(
            r#"const e = document.activeElement;
               const s = getComputedStyle(e);
               const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
               return [e.matches(arguments[0]), outline || s.boxShadow !== "none",
                       e.outerHTML.slice(0, 100)];"#,
            vec![Value::from(css)],
        )
        .await
        .map_err(fail("focus"))?;
    Ok((
        found[0].as_bool().unwrap_or(false),
        found[1].as_bool().unwrap_or(false),
        found[2].as_str().unwrap_or("").to_string(),
    ))
}

/// Presses Tab until `css` has focus; every element passed on the way must show its focus.
async fn tab_to(c: &Client, css: &str, most: usize) -> Result<usize, String> {
    let tab = char::from(Key::Tab).to_string();
    for presses in 1..=most {
        press(c, &tab).await?;
        let (matches, visible, element) = focused(c, css).await?;
        ensure!(
            visible || element.starts_with("<body"),
            "focus cannot be seen on {element}"
        );
        if matches {
            return Ok(presses);
        }
    }
    Err(format!("{css} not reached with {most} presses of Tab"))
}

#[test]
fn posting_and_liking_with_the_keyboard_alone() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    follow_and_wait(&a, &b);
    b.post("Something to like from the keyboard", &[]);
    in_browser("keyboard", |c| async move {
        log_in(&c, &a).await?;
        until_page_has(&c, &a.url("/"), "Something to like from the keyboard").await?;

        // From the top of the page to the text box, then to the Post button, and Enter.
        c.goto(&a.url("/")).await.map_err(fail("goto home"))?;
        let presses = tab_to(&c, "#source", 20).await?;
        ensure!(
            presses <= 15,
            "{presses} presses of Tab to reach the text box"
        );
        press(&c, "Typed and posted without a mouse").await?;
        tab_to(&c, "#compose button[type=submit]:not([name=preview])", 6).await?;
        press(&c, &char::from(Key::Enter).to_string()).await?;
        let post = find(&c, "article.post.focused").await?;
        let text = post.text().await.map_err(fail("post text"))?;
        ensure!(
            text.contains("Typed and posted without a mouse"),
            "the post shows the typed text: {text:?}"
        );

        // Like B's post: Tab to its Like button, Enter; it flips in place and keeps focus.
        c.goto(&a.url("/")).await.map_err(fail("goto home"))?;
        tab_to(&c, "form[action='/actions/like'] button", 80).await?;
        press(&c, &char::from(Key::Enter).to_string()).await?;
        find(&c, "form[action='/actions/unlike'] button").await?;
        let (still, visible, element) =
            focused(&c, "form[action='/actions/unlike'] button").await?;
        ensure!(still && visible, "focus stays on the button: {element}");
        until("B receives the like", || probe::likes(&b) > 0).await?;
        Ok(())
    });
}
