"""Mastodon.py (PyPI) as a whole app against a live Perch A, with a second Perch B (which
follows A, and which A follows) as the remote side. It registers an app, logs in with the
authorization-code flow through Perch's own login and approve pages (out of band, then again with
PKCE S256 and a redirect), and then works every group of the API an app uses: instance,
accounts, search with resolve, media, statuses (post reaching B, edit, history, source,
idempotency, scheduled, context, favourite, bookmark, pin, delete and redraft), B's reply
arriving as a notification, timelines with a paging walk over every status A holds (150+, with
max_id, since_id and min_id, each seen once), lists, markers, conversations, filters, push.

Run by tests/api_mastodon_py.rs as:
    mastodon_app.py A_URL PASSWORD B_URL B_HANDLE
Exits non-zero with the reason on the first failure."""

import base64
import datetime
import hashlib
import html.parser
import secrets
import sys
import time
import urllib.parse

import requests
from mastodon import Mastodon
from peerkit import png, until

a_url, password, b_url, b_handle = sys.argv[1:5]
OOB = "urn:ietf:wg:oauth:2.0:oob"
REDIRECT = "http://127.0.0.1:9/callback"
SCOPES = ["read", "write", "follow", "push"]


def check(condition, why):
    if not condition:
        sys.exit(f"failed: {why}")


class Hidden(html.parser.HTMLParser):
    """The hidden fields of the approve form, and the out-of-band code."""

    def __init__(self):
        super().__init__()
        self.fields, self.code = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden":
            self.fields[attrs["name"]] = attrs.get("value", "")
        if tag == "input" and attrs.get("id") == "code":
            self.code = attrs.get("value")


def parse(page):
    parser = Hidden()
    parser.feed(page)
    return parser


def approve(authorize_url):
    """What a person does in the browser: Perch's login, then Approve. Returns the answer to
    the approval (the code page, or the redirect to the app)."""
    browser = requests.Session()
    browser.headers["Origin"] = a_url
    first = browser.get(authorize_url, allow_redirects=False)
    check(first.status_code == 303, f"authorize without a session redirects: {first.status_code}")
    login = urllib.parse.urljoin(a_url, first.headers["location"])
    check("/login" in login, f"to the login page: {login}")
    check(browser.get(login).status_code == 200, "the login page")
    next_path = urllib.parse.parse_qs(urllib.parse.urlsplit(login).query)["next"][0]
    logged_in = browser.post(
        a_url + "/login", data={"password": password, "next": next_path}, allow_redirects=False
    )
    check(logged_in.status_code == 303, f"login: {logged_in.status_code} {logged_in.text[:200]}")
    page = browser.get(urllib.parse.urljoin(a_url, logged_in.headers["location"]))
    check(page.status_code == 200, f"the approve page: {page.status_code}")
    check("perch mastodon.py app" in page.text, "the approve page names the app")
    fields = parse(page.text).fields
    fields["decision"] = "approve"
    return browser.post(a_url + "/oauth/authorize", data=fields, allow_redirects=False)


# The app, registered for both redirect URIs.
client_id, client_secret = Mastodon.create_app(
    "perch mastodon.py app",
    api_base_url=a_url,
    scopes=SCOPES,
    redirect_uris=[OOB, REDIRECT],
    website="https://app.example",
)
app = Mastodon(
    client_id=client_id,
    client_secret=client_secret,
    api_base_url=a_url,
    version_check_mode="created",
)

# Authorization code, out of band: the code shown on Perch's page, exchanged by Mastodon.py.
url = app.auth_request_url(redirect_uris=OOB, scopes=SCOPES, state="s1", allow_http=True)
shown = approve(url)
code = parse(shown.text).code
check(shown.status_code == 200 and code, f"the code page: {shown.status_code}")
app.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
me = app.account_verify_credentials()
check(me.username == "ana" and "source" in me, f"verify_credentials: {me}")

# Authorization code with PKCE and a redirect, exchanged by hand as a PKCE app does.
verifier = secrets.token_urlsafe(48)
challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
query = urllib.parse.urlencode(
    {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "read write",
        "state": "pkce-state",
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
    }
)
redirected = approve(f"{a_url}/oauth/authorize?{query}")
check(redirected.status_code in (302, 303), f"the redirect to the app: {redirected.status_code}")
location = urllib.parse.urlsplit(redirected.headers["location"])
check(location.netloc == "127.0.0.1:9", f"to the registered redirect: {location}")
returned = urllib.parse.parse_qs(location.query)
check(returned["state"] == ["pkce-state"], "the state comes back")
token = requests.post(
    a_url + "/oauth/token",
    data={
        "grant_type": "authorization_code",
        "code": returned["code"][0],
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    },
)
check(token.status_code == 200, f"PKCE exchange: {token.status_code} {token.text}")
pkce_app = Mastodon(access_token=token.json()["access_token"], api_base_url=a_url,
                    version_check_mode="none")
check(pkce_app.account_verify_credentials().id == me.id, "the PKCE token is the owner's")

# Instance.
instance = app.instance()
check("Perch" in instance.version, f"the version names Perch: {instance.version}")
check(isinstance(app.custom_emojis(), list), "custom emojis")
check("posting:default:visibility" in app.preferences(), "preferences")

# Accounts and search.
updated = app.account_update_credentials(note="Posting from Mastodon.py")
check("Posting from Mastodon.py" in updated.note, f"update_credentials: {updated.note}")
found = app.search_v2(b_handle, resolve=True)
check(len(found.accounts) == 1, f"search resolves B: {found}")
b_account = found.accounts[0]
check(app.account_lookup(b_handle.lstrip("@")).id == b_account.id, "lookup finds B")
relationship = app.account_relationships(b_account)[0]
check(relationship.following and relationship.followed_by, f"A and B follow each other: {relationship}")
check(any(f.id == b_account.id for f in app.account_followers(me)), "B among A's followers")

# B, logged in through its own API (the password grant, as a script does).
b_id, b_secret = Mastodon.create_app("perch mastodon.py peer", api_base_url=b_url, scopes=SCOPES)
b = Mastodon(client_id=b_id, client_secret=b_secret, api_base_url=b_url, version_check_mode="none")
b.log_in(username="ana", password=password, scopes=SCOPES, allow_http=True)


# Statuses: an image with alt text and a CW, posted once even when the app retries.
media = app.media_post(png(64, 48), mime_type="image/png", description="a blue square",
                       file_name="square.png")
check(media.type == "image" and media.description == "a blue square", f"media: {media}")
posted = app.status_post("From the app #perchpy", media_ids=[media], spoiler_text="a cw",
                         idempotency_key="retry-1")
again = app.status_post("From the app #perchpy", media_ids=[media], spoiler_text="a cw",
                        idempotency_key="retry-1")
check(again.id == posted.id, "an Idempotency-Key posts once")
check(posted.media_attachments[0].description == "a blue square", "the status carries the alt")
check(len(app.timeline_hashtag("perchpy")) == 1, "the tag timeline holds it")

# It reaches B, and B replies through its API.
on_b = until("B's home holds A's post", lambda: next(
    (s for s in b.timeline_home() if s.uri == posted.uri), None))
check(on_b.spoiler_text == "a cw" and len(on_b.media_attachments) == 1, f"on B: {on_b}")
reply = b.status_post(f"@ana@{urllib.parse.urlsplit(a_url).netloc} a reply from B",
                      in_reply_to_id=on_b)
mention = until("B's reply as a mention on A", lambda: next(
    (n for n in app.notifications(types=["mention"]) if n.status.uri == reply.uri), None))
check(mention.account.id == b_account.id, "the mention is B's")
check(mention.status.in_reply_to_id == posted.id, "threaded under A's post")
context = app.status_context(posted)
check([s.uri for s in context.descendants] == [reply.uri], f"context: {context}")

# Edit, history, source.
edited = app.status_update(posted, "From the app, edited #perchpy", spoiler_text="a cw")
check("edited" in edited.content and edited.edited_at, "edit")
check(len(app.status_history(posted)) == 2, "history holds both versions")
check(app.status_source(posted).text == "From the app, edited #perchpy", "source")

# The owner's actions, each flipping its flag.
reply_id = mention.status.id
check(app.status_favourite(reply_id).favourited, "favourite B's reply")
check(app.status_bookmark(posted).bookmarked, "bookmark")
check(any(s.id == posted.id for s in app.bookmarks()), "bookmarks list it")
check(any(s.id == reply_id for s in app.favourites()), "favourites list it")
check(app.status_pin(posted).pinned, "pin")
check(any(s.id == posted.id for s in app.account_statuses(me, pinned=True)), "pinned on the profile")
check(not app.status_unpin(posted).pinned, "unpin")
boost = app.status_reblog(reply_id)
check(boost.reblog.id == reply_id and boost.reblog.reblogged, f"boost: {boost}")
check(not app.status_unreblog(reply_id).reblogged, "unboost")

# Scheduled statuses.
later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)
scheduled = app.status_post("Later, from the app", scheduled_at=later)
check(any(s.id == scheduled.id for s in app.scheduled_statuses()), "the scheduled status is listed")
app.scheduled_status_delete(scheduled)
check(not app.scheduled_statuses(), "and gone once deleted")

# Lists and their timeline.
friends = app.list_create("friends")
app.list_accounts_add(friends, [b_account])
check(any(s.uri == reply.uri for s in app.timeline_list(friends)), "B's reply on the list")
app.list_delete(friends)

# Conversations: a direct message to B.
direct = app.status_post(f"{b_handle} just for you", visibility="direct")
talks = app.conversations()
check(len(talks) == 1 and talks[0].last_status.id == direct.id, f"conversations: {talks}")
check(talks[0].accounts[0].id == b_account.id, "with B")

# Filters v2: a hide filter takes B's post with the word off the home timeline, not off the
# public one (the filter's context is home only). The owner's own posts are never filtered, as
# on Mastodon.
hide = app.create_filter_v2("no dragons", ["home"], "hide", keywords_attributes=[{"keyword": "dragon"}])
dragon = b.status_post("here be a dragon")
until("B's dragon on A's public timeline", lambda: any(
    s.uri == dragon.uri for s in app.timeline_public()))
shown = [s for s in app.timeline_home() if s.uri == dragon.uri]
check(not shown, f"the filter hides it: {hide} {shown}")
app.delete_filter_v2(hide)

# Markers.
app.markers_set(["home"], [posted.id])
check(app.markers_get(["home"]).home.last_read_id == posted.id, "the home marker")

# Push: a subscription with real keys, read back and removed.
_private, public = app.push_subscription_generate_keys()
subscription = app.push_subscription_set("http://127.0.0.1:9/push", public, mention_events=True)
check(subscription.alerts.mention, f"push subscription: {subscription}")
check(app.push_subscription().endpoint == "http://127.0.0.1:9/push", "read back")
app.push_subscription_delete()

# Home: every status, newest first, once each, walked back with max_id (the Link header's next),
# forward with min_id (prev), and since_id from a point in the middle.
page = app.timeline_home(limit=40)
backwards = []
while page:
    backwards.extend(s.id for s in page)
    page = app.fetch_next(page)
check(len(backwards) >= 150, f"150+ statuses on home: {len(backwards)}")
check(len(set(backwards)) == len(backwards), "no repeats walking back")
check(backwards == sorted(backwards, key=int, reverse=True), "newest first")
page = app.timeline_home(min_id="0", limit=40)
forwards = []
while page:
    forwards.extend(s.id for s in page)
    page = app.fetch_previous(page)
check(sorted(forwards, key=int) == sorted(backwards, key=int), "min_id walks forward over all of them")
middle = backwards[len(backwards) // 2]
newer = app.timeline_home(since_id=middle, limit=40)
check(newer and all(int(s.id) > int(middle) for s in newer), "since_id")
check([s.id for s in newer] == backwards[:40], "since_id gives the newest")

# Delete and redraft: the source comes back.
deleted = app.status_delete(direct)
check(deleted.text == f"{b_handle} just for you", f"delete returns the source: {deleted}")
print("ok")
