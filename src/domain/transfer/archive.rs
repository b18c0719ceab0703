//! Mastodon's account archive (its `BackupService`): `outbox.json` (an OrderedCollection of
//! Create activities), `actor.json`, `likes.json`, `bookmarks.json` and `media_attachments/…`.
//!
//! An import is all or nothing: the zip is checked first (entry names, counts and sizes, the
//! JSON), images are re-encoded through the upload pipeline and kept as free uploads, then every
//! post goes in with its images in one transaction; on any failure the uploads are removed.
//! Imported posts are published to nobody: no Create is queued.
//!
//! Bounds, against hostile archives: at most [`MAX_ENTRIES`] entries; `outbox.json` at most
//! [`MAX_OUTBOX_BYTES`] decompressed, the other JSON files [`MAX_JSON_BYTES`], each image
//! [`MAX_UPLOAD_BYTES`]; every entry is read through a reader cut at its bound, whatever its
//! header claims. The zip itself is read from disk by seeking, never loaded whole.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek, Write};

use rusqlite::Connection;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{json, Value};
use zip::ZipArchive;

use crate::error::{Error, Result};
use crate::federation::build;
use crate::media::MAX_UPLOAD_BYTES;
use crate::model::{Mention, Timestamp, Visibility, MAX_ATTACHMENTS, MAX_DESCRIPTION_CHARS};
use crate::store::{self, media as stored_media, posts, transfer};
use crate::text;
use crate::urls::{Urls, AS_PUBLIC};

use super::super::attachments::{self, Upload};

/// Files in the zip. A Mastodon archive holds one per image, plus four.
pub const MAX_ENTRIES: usize = 200_000;
/// `outbox.json`, decompressed: about 100,000 posts as Mastodon writes them.
pub const MAX_OUTBOX_BYTES: u64 = 256 * 1024 * 1024;
/// `actor.json`, `likes.json`, `bookmarks.json`, decompressed.
pub const MAX_JSON_BYTES: u64 = 16 * 1024 * 1024;
/// Posts taken from one archive.
pub const MAX_POSTS: usize = 200_000;
const MAX_TAGS: usize = 50;
const MAX_URI_BYTES: usize = 2_048;

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ArchiveReport {
    pub imported: usize,
    /// Posts imported before (by their archive id) or ours already.
    pub already: usize,
    pub boosts_skipped: usize,
    /// Followers-only and direct posts left out (no `--private`).
    pub private_skipped: usize,
    /// Activities that are not a Create of a Note or Question.
    pub other_skipped: usize,
    pub images: usize,
    /// Attachments not kept, with why (not an image, missing from the zip, undecodable).
    pub media_dropped: Vec<String>,
}

impl ArchiveReport {
    /// One line for the owner.
    pub fn summary(&self) -> String {
        format!(
            "imported {} posts with {} images; {} there already, {} boosts, {} private and {} \
             other activities skipped, {} attachments not kept",
            self.imported,
            self.images,
            self.already,
            self.boosts_skipped,
            self.private_skipped,
            self.other_skipped,
            self.media_dropped.len()
        )
    }
}

fn refuse(message: impl Into<String>) -> Error {
    Error::new(422, message.into())
}

/// A zip entry name that could point outside a folder or mean something else on some system.
fn unsafe_name(name: &str) -> bool {
    name.starts_with('/')
        || name.contains('\\')
        || name.contains('\0')
        || name
            .split('/')
            .any(|part| part == ".." || part.contains(':'))
}

/// The archive, its names checked.
struct Archive<R: Read + Seek> {
    zip: ZipArchive<R>,
    names: HashSet<String>,
}

impl<R: Read + Seek> Archive<R> {
    fn open(reader: R) -> Result<Archive<R>> {
        let zip = ZipArchive::new(reader).map_err(|e| refuse(format!("not a zip archive: {e}")))?;
        if zip.len() > MAX_ENTRIES {
            return Err(refuse(format!(
                "the archive has {} files, more than {MAX_ENTRIES}",
                zip.len()
            )));
        }
        let mut names = HashSet::with_capacity(zip.len());
        for name in zip.file_names() {
            let name = name.map_err(|e| refuse(format!("a file name in the archive: {e}")))?;
            if unsafe_name(&name) {
                return Err(refuse(format!(
                    "the archive holds an unsafe path: {:?}",
                    name.chars().take(200).collect::<String>()
                )));
            }
            names.insert(name.into_owned());
        }
        Ok(Archive { zip, names })
    }

    /// One entry's bytes, refused beyond `bound` whatever its header says.
    fn read(&mut self, name: &str, bound: u64) -> Result<Vec<u8>> {
        let mut entry = self
            .zip
            .by_name(name)
            .map_err(|e| refuse(format!("{name}: {e}")))?;
        if entry.size() > bound {
            return Err(too_large(name, bound));
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        (&mut entry)
            .take(bound + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| refuse(format!("{name}: {e}")))?;
        if bytes.len() as u64 > bound {
            return Err(too_large(name, bound));
        }
        Ok(bytes)
    }
}

fn too_large(name: &str, bound: u64) -> Error {
    refuse(format!(
        "{name} is larger than {} MiB decompressed (a zip bomb?)",
        bound / (1024 * 1024)
    ))
}

/// A post as the archive has it, what Perch keeps of it.
#[derive(Debug)]
struct ArchivedPost {
    uri: String,
    published: Timestamp,
    visibility: Visibility,
    content_html: String,
    summary: Option<String>,
    sensitive: bool,
    in_reply_to: Option<String>,
    language: Option<String>,
    tags: Vec<String>,
    mentions: Vec<Mention>,
    /// (entry name or why not, alt text)
    media: Vec<(std::result::Result<String, String>, String)>,
}

/// The shape of a Note (or Question) this import reads; the rest is ignored.
#[derive(Deserialize)]
struct Note {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    published: String,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    sensitive: Option<bool>,
    #[serde(default, rename = "inReplyTo")]
    in_reply_to: Option<String>,
    #[serde(default)]
    to: Value,
    #[serde(default)]
    cc: Value,
    #[serde(default, rename = "contentMap")]
    content_map: Option<HashMap<String, Value>>,
    #[serde(default)]
    attachment: Value,
    #[serde(default)]
    tag: Value,
}

fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn objects(value: &Value) -> Vec<&serde_json::Map<String, Value>> {
    match value {
        Value::Object(map) => vec![map],
        Value::Array(items) => items.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    }
}

fn is_public(address: &str) -> bool {
    matches!(address, AS_PUBLIC | "as:Public" | "Public")
}

fn visibility(note: &Note, followers: Option<&str>) -> Visibility {
    let (to, cc) = (strings(&note.to), strings(&note.cc));
    if to.iter().any(|a| is_public(a)) {
        Visibility::Public
    } else if cc.iter().any(|a| is_public(a)) {
        Visibility::Unlisted
    } else if to
        .iter()
        .any(|a| Some(*a) == followers || a.ends_with("/followers"))
    {
        Visibility::Followers
    } else {
        Visibility::Direct
    }
}

/// The zip entry an attachment's `url` names: Mastodon writes the stored path less `/system/`.
fn media_entry(url: &str, names: &HashSet<String>) -> std::result::Result<String, String> {
    let path = url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| url.to_string());
    let path = path.trim_start_matches('/');
    let path = path.strip_prefix("system/").unwrap_or(path);
    if unsafe_name(path) || !path.starts_with("media_attachments/") {
        return Err(format!("{url}: not a path in media_attachments/"));
    }
    if !names.contains(path) {
        return Err(format!("{path}: not in the archive"));
    }
    Ok(path.to_string())
}

fn valid_uri(uri: &str) -> bool {
    uri.len() <= MAX_URI_BYTES
        && url::Url::parse(uri)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

fn archived_post(
    note: Note,
    followers: Option<&str>,
    names: &HashSet<String>,
) -> Result<ArchivedPost> {
    let published = Timestamp::parse_rfc3339(&note.published)
        .ok_or_else(|| refuse(format!("{}: published is not a date", note.id)))?;
    let visibility = visibility(&note, followers);
    let content_html = text::sanitize_remote(note.content.as_deref().unwrap_or(""));
    let summary = note
        .summary
        .as_deref()
        .map(|s| text::plain_text(s, super::super::posts::MAX_SUMMARY_CHARS))
        .filter(|s| !s.is_empty());
    let mut tags = Vec::new();
    let mut mentions = Vec::new();
    for tag in objects(&note.tag) {
        let name = tag.get("name").and_then(Value::as_str).unwrap_or("");
        match tag.get("type").and_then(Value::as_str) {
            Some("Hashtag") => {
                let name = name.trim_start_matches('#');
                let valid = !name.is_empty()
                    && name.chars().count() <= 100
                    && name.chars().all(|c| c.is_alphanumeric() || c == '_');
                if valid && tags.len() < MAX_TAGS && !tags.contains(&name.to_lowercase()) {
                    tags.push(name.to_lowercase());
                }
            }
            Some("Mention") => {
                if let Some(href) = tag.get("href").and_then(Value::as_str) {
                    if valid_uri(href) && name.len() <= 300 && mentions.len() < MAX_TAGS {
                        mentions.push(Mention {
                            uri: href.to_string(),
                            handle: name.to_string(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    let mut media = Vec::new();
    for attachment in objects(&note.attachment).into_iter().take(MAX_ATTACHMENTS) {
        let url = attachment.get("url").and_then(Value::as_str).unwrap_or("");
        let mime = attachment
            .get("mediaType")
            .and_then(Value::as_str)
            .unwrap_or("");
        let alt: String = attachment
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .chars()
            .take(MAX_DESCRIPTION_CHARS)
            .collect();
        let entry = if mime.starts_with("image/") {
            media_entry(url, names)
        } else {
            Err(format!("{url}: {mime} is not an image Perch keeps"))
        };
        media.push((entry, alt));
    }
    let language = note
        .content_map
        .as_ref()
        .and_then(|map| map.keys().next())
        .filter(|l| !l.is_empty() && l.len() <= 16)
        .cloned();
    Ok(ArchivedPost {
        uri: note.id,
        published,
        visibility,
        content_html,
        summary,
        sensitive: note.sensitive.unwrap_or(false),
        in_reply_to: note
            .in_reply_to
            .filter(|uri| valid_uri(uri))
            .map(|uri| uri.to_string()),
        language,
        tags,
        mentions,
        media,
    })
}

/// Reads `orderedItems` one activity at a time, keeping only the posts: the outbox is never
/// held as a JSON tree.
struct Items<'a> {
    followers: Option<&'a str>,
    names: &'a HashSet<String>,
    report: &'a mut ArchiveReport,
    posts: &'a mut Vec<ArchivedPost>,
}

#[derive(Deserialize)]
struct Activity {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    object: Value,
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of activities")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        use serde::de::Error as _;
        while let Some(activity) = seq.next_element::<Activity>()? {
            let kind = activity.object.get("type").and_then(Value::as_str);
            match (activity.kind.as_str(), kind) {
                ("Announce", _) => self.report.boosts_skipped += 1,
                ("Create", Some("Note" | "Question")) => {
                    let note: Note = serde_json::from_value(activity.object)
                        .map_err(|e| A::Error::custom(format!("a post: {e}")))?;
                    let _ = &note.kind;
                    let post = archived_post(note, self.followers, self.names)
                        .map_err(|e| A::Error::custom(e.message))?;
                    if self.posts.len() >= MAX_POSTS {
                        return Err(A::Error::custom(format!("more than {MAX_POSTS} posts")));
                    }
                    self.posts.push(post);
                }
                _ => self.report.other_skipped += 1,
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

/// The outbox object: `orderedItems` through [`Items`], everything else skipped.
struct OutboxSeed<'a>(Items<'a>);

impl<'de> Visitor<'de> for OutboxSeed<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an OrderedCollection")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<bool, A::Error> {
        let mut items = Some(self.0);
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            match (key.as_str(), items.take()) {
                ("orderedItems", Some(seed)) => {
                    map.next_value_seed(seed)?;
                    found = true;
                }
                (_, seed) => {
                    items = seed;
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

impl<'de> DeserializeSeed<'de> for OutboxSeed<'_> {
    type Value = bool;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

/// Reads `outbox.json` from the zip through a bounded reader, streaming.
fn read_outbox<R: Read + Seek>(
    archive: &mut Archive<R>,
    followers: Option<&str>,
    report: &mut ArchiveReport,
) -> Result<Vec<ArchivedPost>> {
    if !archive.names.contains("outbox.json") {
        return Err(refuse("the archive has no outbox.json"));
    }
    let names = archive.names.clone();
    let mut entry = archive
        .zip
        .by_name("outbox.json")
        .map_err(|e| refuse(format!("outbox.json: {e}")))?;
    if entry.size() > MAX_OUTBOX_BYTES {
        return Err(too_large("outbox.json", MAX_OUTBOX_BYTES));
    }
    let limited = std::io::BufReader::new((&mut entry).take(MAX_OUTBOX_BYTES + 1));
    let mut counted = Counted {
        inner: limited,
        read: 0,
    };
    let mut posts = Vec::new();
    let seed = OutboxSeed(Items {
        followers,
        names: &names,
        report,
        posts: &mut posts,
    });
    let mut de = serde_json::Deserializer::from_reader(&mut counted);
    let parsed = seed
        .deserialize(&mut de)
        .and_then(|found| de.end().map(|_| found));
    if counted.read > MAX_OUTBOX_BYTES {
        return Err(too_large("outbox.json", MAX_OUTBOX_BYTES));
    }
    match parsed {
        Ok(true) => Ok(posts),
        Ok(false) => Err(refuse("outbox.json has no orderedItems")),
        Err(e) => Err(refuse(format!("outbox.json: {e}"))),
    }
}

/// Counts what passes, to tell a cut-off read (a bomb) from malformed JSON.
struct Counted<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// The archive's actor: its followers collection tells followers-only posts apart.
fn read_actor<R: Read + Seek>(archive: &mut Archive<R>) -> Result<Option<String>> {
    if !archive.names.contains("actor.json") {
        return Ok(None);
    }
    let bytes = archive.read("actor.json", MAX_JSON_BYTES)?;
    let actor: Value =
        serde_json::from_slice(&bytes).map_err(|e| refuse(format!("actor.json: {e}")))?;
    if !actor.is_object() {
        return Err(refuse("actor.json: not an actor"));
    }
    Ok(actor
        .get("followers")
        .and_then(Value::as_str)
        .map(str::to_string))
}

/// Imports the posts of a Mastodon archive. `private` keeps followers-only and direct posts,
/// visible to the owner only.
pub fn import<R: Read + Seek>(
    conn: &mut Connection,
    urls: &Urls,
    reader: R,
    private: bool,
    now: Timestamp,
) -> Result<ArchiveReport> {
    let mut report = ArchiveReport::default();
    let mut archive = Archive::open(reader)?;
    let followers = read_actor(&mut archive)?;
    let mut posts = read_outbox(&mut archive, followers.as_deref(), &mut report)?;
    posts.sort_by_key(|p| p.published);

    // What is in already: imported before, or our own posts (an archive Perch exported).
    let own_prefix = format!("{}/", urls.origin());
    let mut fresh = Vec::new();
    for post in posts {
        let ours = post.uri.starts_with(&own_prefix)
            && urls
                .parse_post_reference(&post.uri)
                .map(|id| posts::get(conn, id))
                .transpose()?
                .flatten()
                .is_some();
        if ours || transfer::archived_post(conn, &post.uri)?.is_some() {
            report.already += 1;
            continue;
        }
        let private_post = matches!(post.visibility, Visibility::Followers | Visibility::Direct);
        if private_post && !private {
            report.private_skipped += 1;
            continue;
        }
        fresh.push(post);
    }

    // Images first, each in its own small transaction as a free upload; removed on failure.
    let mut uploaded: Vec<i64> = Vec::new();
    let result = store_images(
        conn,
        &mut archive,
        &mut fresh,
        &mut uploaded,
        &mut report,
        now,
    )
    .and_then(|per_post| insert_posts(conn, urls, &fresh, &per_post, &mut report));
    if let Err(e) = result {
        let _ = store::write(conn, |tx| {
            for id in &uploaded {
                stored_media::delete(tx, *id)?;
            }
            Ok::<_, rusqlite::Error>(())
        });
        return Err(e);
    }
    Ok(report)
}

/// Re-encodes every image through the upload pipeline; returns the media ids per post.
fn store_images<R: Read + Seek>(
    conn: &mut Connection,
    archive: &mut Archive<R>,
    posts: &mut [ArchivedPost],
    uploaded: &mut Vec<i64>,
    report: &mut ArchiveReport,
    now: Timestamp,
) -> Result<Vec<Vec<(i64, String)>>> {
    let mut per_post = Vec::with_capacity(posts.len());
    for post in posts.iter_mut() {
        let mut ids = Vec::new();
        for (entry, alt) in std::mem::take(&mut post.media) {
            let name = match entry {
                Ok(name) => name,
                Err(why) => {
                    report.media_dropped.push(why);
                    continue;
                }
            };
            let data = archive.read(&name, MAX_UPLOAD_BYTES as u64)?;
            let upload = Upload {
                data,
                description: alt.clone(),
            };
            let prepared = match attachments::prepare(std::slice::from_ref(&upload)) {
                Ok(mut prepared) => prepared.remove(0),
                Err(e) => {
                    report.media_dropped.push(format!("{name}: {}", e.message));
                    continue;
                }
            };
            let id = store::write(conn, |tx| attachments::store_free(tx, &prepared, now))?;
            uploaded.push(id);
            ids.push((id, alt));
            report.images += 1;
        }
        per_post.push(ids);
    }
    Ok(per_post)
}

/// Every post with its images in one transaction, oldest first so a reply finds its parent.
fn insert_posts(
    conn: &mut Connection,
    urls: &Urls,
    posts: &[ArchivedPost],
    media: &[Vec<(i64, String)>],
    report: &mut ArchiveReport,
) -> Result<()> {
    store::write(conn, |tx| {
        let mut ids: HashMap<&str, i64> = HashMap::new();
        for (post, media) in posts.iter().zip(media) {
            let id = store::new_id(post.published);
            // A reply to one of the archive's own posts threads under its Perch copy.
            let in_reply_to = match post.in_reply_to.as_deref() {
                Some(parent) => match ids.get(parent) {
                    Some(parent_id) => Some(urls.post(*parent_id)),
                    None => match transfer::archived_post(tx, parent)? {
                        Some(parent_id) => Some(urls.post(parent_id)),
                        None => Some(parent.to_string()),
                    },
                },
                None => None,
            };
            // Kept for the owner alone: stored as direct, addressed to nobody.
            let private = matches!(post.visibility, Visibility::Followers | Visibility::Direct);
            let (visibility, mentions) = if private {
                (Visibility::Direct, &[][..])
            } else {
                (post.visibility, post.mentions.as_slice())
            };
            let source = text::plain_text(&post.content_html, usize::MAX);
            posts::insert(
                tx,
                &posts::NewPost {
                    id,
                    visibility,
                    source: &source,
                    content_html: &post.content_html,
                    summary: post.summary.as_deref(),
                    sensitive: post.sensitive || post.summary.is_some(),
                    in_reply_to: in_reply_to.as_deref(),
                    tags: &post.tags,
                    mentions,
                },
                post.published,
            )?;
            if post.language.is_some() {
                posts::set_language(tx, id, post.language.as_deref())?;
            }
            for (position, (media_id, _)) in media.iter().enumerate() {
                if !stored_media::attach(tx, *media_id, id, position)? {
                    return Err(Error::internal("an imported image was attached already"));
                }
            }
            transfer::remember_archived(tx, &post.uri, id)?;
            ids.insert(post.uri.as_str(), id);
            report.imported += 1;
        }
        Ok(())
    })
}

/// Writes the owner's account as a Mastodon archive: every post as a Create in `outbox.json`
/// (images under `media_attachments/files/`), `actor.json`, `likes.json`, `bookmarks.json`.
/// Posts are read a page at a time; returns how many were written.
pub fn export<W: Write + Seek>(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    out: W,
) -> Result<usize> {
    let zip_error = |e: zip::result::ZipError| Error::internal(format!("writing the zip: {e}"));
    let io_error = |e: std::io::Error| Error::internal(format!("writing the zip: {e}"));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    let mut zip = zip::ZipWriter::new(out);

    let profile = super::super::profile::get(conn, username)?;
    let pem = super::super::instance::public_key_pem(conn)?;
    let fields = super::super::profile::fields_html(&profile);
    let ed25519 = super::super::instance::ed25519_multibase(conn)?;
    let mut actor = build::actor(urls, &profile, &fields, &pem, &ed25519);
    actor["outbox"] = json!("outbox.json");
    actor["likes"] = json!("likes.json");
    actor["bookmarks"] = json!("bookmarks.json");
    zip.start_file("actor.json", options).map_err(zip_error)?;
    zip.write_all(actor.to_string().as_bytes())
        .map_err(io_error)?;

    let total = posts::count(conn, posts::Audience::Owner)?;
    let mut head = build::outbox(urls, total);
    head["id"] = json!("outbox.json");
    head["@context"] = json!(build::AS_CONTEXT);
    if let Some(map) = head.as_object_mut() {
        map.remove("first");
        map.remove("last");
    }
    let head = head.to_string();
    // The collection's fields, then the items written one by one.
    let opening = format!("{},\"orderedItems\":[", &head[..head.len() - 1]);
    let mut files: Vec<(String, i64)> = Vec::new();
    zip.start_file("outbox.json", options).map_err(zip_error)?;
    zip.write_all(opening.as_bytes()).map_err(io_error)?;
    let (mut after, mut written) = (0, 0);
    loop {
        let ids = transfer::post_ids_after(conn, after, 200)?;
        let Some(&last) = ids.last() else { break };
        after = last;
        for post in posts::get_many(conn, &ids)? {
            let mut create = build::create_document(urls, &post).to_value();
            if let Some(map) = create.as_object_mut() {
                map.remove("@context");
            }
            if let Some(attachments) = create["object"]["attachment"].as_array_mut() {
                for (attachment, media) in attachments.iter_mut().zip(&post.media) {
                    let path = format!("media_attachments/files/{}", media.file_name());
                    attachment["url"] = json!(path);
                    files.push((path, media.id));
                }
            }
            if written > 0 {
                zip.write_all(b",").map_err(io_error)?;
            }
            zip.write_all(create.to_string().as_bytes())
                .map_err(io_error)?;
            written += 1;
        }
    }
    zip.write_all(b"]}").map_err(io_error)?;

    for (name, list) in [
        ("likes.json", transfer::own_likes(conn)?),
        ("bookmarks.json", transfer::bookmarks(conn)?),
    ] {
        let collection = json!({
            "@context": build::AS_CONTEXT,
            "id": name,
            "type": "OrderedCollection",
            "orderedItems": list,
        });
        zip.start_file(name, options).map_err(zip_error)?;
        zip.write_all(collection.to_string().as_bytes())
            .map_err(io_error)?;
    }

    // Images are compressed already.
    for (name, id) in files {
        let Some(bytes) = stored_media::bytes(conn, id, false)? else {
            continue;
        };
        zip.start_file(name, stored).map_err(zip_error)?;
        zip.write_all(&bytes.data).map_err(io_error)?;
    }
    zip.finish().map_err(zip_error)?;
    Ok(written)
}

#[cfg(test)]
#[path = "archive_tests.rs"]
mod tests;
