"""Mastodon.py (PyPI) and polls on a live Perch: A posts a multiple-choice poll with
status_post(poll=make_poll(...)), B (which follows A) finds it on its home timeline and votes
for two options with poll_vote, A reads its poll with poll() until both votes are counted; the
instance configuration names the poll limits.

Run by tests/polls.rs as:
    mastodon_polls.py A_URL A_PASSWORD B_URL B_PASSWORD
Exits non-zero with the reason on the first failure."""

import sys

import peerkit
from peerkit import until

a_url, a_password, b_url, b_password = sys.argv[1:5]


def logged_in(base_url, password):
    return peerkit.logged_in(base_url, password, "perch mastodon.py polls", ["read", "write"])


a = logged_in(a_url, a_password)
b = logged_in(b_url, b_password)

polls = a.instance_v2()["configuration"]["polls"]
assert polls["max_options"] == 4, polls
assert polls["min_expiration"] == 300, polls

posted = a.status_post(
    "which ones?", poll=a.make_poll(["red", "green", "blue"], expires_in=600, multiple=True)
)
assert posted["poll"]["multiple"] is True, posted["poll"]
assert [o["title"] for o in posted["poll"]["options"]] == ["red", "green", "blue"]
assert a.status(posted["id"])["poll"]["id"] == posted["poll"]["id"]


def their_copy():
    for status in b.timeline_home(limit=40):
        if status["poll"] and status["uri"] == posted["uri"]:
            return status
    return None


theirs = until("B holds A's poll", their_copy)
assert theirs["poll"]["voted"] is False, theirs["poll"]
voted = b.poll_vote(theirs["poll"]["id"], [0, 2])
assert voted["own_votes"] == [0, 2], voted
try:
    b.poll_vote(theirs["poll"]["id"], [1])
    sys.exit("a second vote was taken")
except Exception as error:  # Mastodon.py raises MastodonAPIError on the 422
    assert "422" in str(error) or "already" in str(error), error

counted = until(
    "A counts B's votes",
    lambda: (lambda p: p if p["votes_count"] == 2 else None)(a.poll(posted["poll"]["id"])),
)
assert counted["voters_count"] == 1, counted
assert [o["votes_count"] for o in counted["options"]] == [1, 0, 1], counted
print("ok")
