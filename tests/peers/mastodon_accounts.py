"""Mastodon.py (PyPI) against a live Perch, the way an app uses Mastodon: registers an app,
logs in with the password grant, reads the instance (and checks the version it parses), reads
and updates the credentials (with an avatar), looks up and resolves the other Perch's owner,
blocks, mutes and notes it, follows it once it asks for approval (its owner authorizing the
request through its own API), and lists what follows from that.

Run by tests/api_accounts.rs as:
    mastodon_accounts.py A_URL A_PASSWORD B_HANDLE B_URL B_PASSWORD
Exits non-zero with the reason on the first failure."""

import sys

import peerkit
from peerkit import png, until

a_url, a_password, b_handle, b_url, b_password = sys.argv[1:6]
b_acct = b_handle.lstrip("@")


def logged_in(base_url, password):
    return peerkit.logged_in(
        base_url, password, "perch mastodon.py test", ["read", "write", "follow", "push"]
    )


a = logged_in(a_url, a_password)
b = logged_in(b_url, b_password)

# The instance: Mastodon.py reads the version to decide which API it may use.
assert a.verify_minimum_version("4.3.0", cached=True), "the version is not read as 4.3"
instance = a.instance_v2()
assert instance.configuration.statuses.max_characters == 5000, instance.configuration
assert instance.api_versions["mastodon"] == 2, instance.api_versions
assert instance.contact.account.acct == "ana", instance.contact
v1 = a.instance_v1()
assert v1.stats.user_count == 1, v1.stats
assert a.custom_emojis() == []
assert len(a.instance_activity()) == 12
assert a.preferences()["posting:default:visibility"] == "public"

# Credentials.
me = a.account_verify_credentials()
assert me.id == "0" and me.acct == "ana", me
updated = a.account_update_credentials(
    display_name="Ana via Mastodon.py",
    note="hello from *Mastodon.py*",
    fields=[("Site", "https://ana.example"), ("Language", "Rust")],
    avatar=png(64, 64),
    avatar_mime_type="image/png",
)
assert updated.display_name == "Ana via Mastodon.py", updated
assert updated.source.note == "hello from *Mastodon.py*", updated.source
assert [f.name for f in updated.fields] == ["Site", "Language"], updated.fields
assert "/media/" in updated.avatar, updated.avatar

# The other Perch's owner: resolved by WebFinger, then found by lookup.
found = a.search_v2(b_handle, resolve=True, result_type="accounts")
assert [x.acct for x in found.accounts] == [b_acct], found
b_id = found.accounts[0].id
assert a.account_lookup(b_acct).id == b_id
assert a.account(b_id).acct == b_acct
assert b_id in [x.id for x in a.account_search("ana")]

# Block, mute (for ten minutes), note.
assert a.account_block(b_id).blocking
assert [x.id for x in a.blocks()] == [b_id]
assert not a.account_unblock(b_id).blocking
muted = a.account_mute(b_id, duration=600)
assert muted.muting, muted
assert [x.id for x in a.mutes()] == [b_id]
assert not a.account_unmute(b_id).muting
assert a.account_note_set(b_id, "the other perch").note == "the other perch"
a.domain_block("spam.example")
assert a.domain_blocks() == ["spam.example"]
a.domain_unblock("spam.example")
assert a.domain_blocks() == []

# B asks for approval; A's follow waits as a request until B's owner authorizes it.
assert b.account_update_credentials(locked=True).locked
asked = a.account_follow(b_id, reblogs=False)
assert asked.requested and not asked.following, asked
until("B holds the request", lambda: len(b.follow_requests()) == 1)
a_on_b = b.follow_requests()[0]
assert a_on_b.acct.startswith("ana@"), a_on_b
assert b.account_relationships(a_on_b.id)[0].requested_by
b.follow_request_authorize(a_on_b.id)
until("A follows B", lambda: a.account_relationships(b_id)[0].following)
relationship = a.account_relationships(b_id)[0]
assert relationship.showing_reblogs is False, relationship
assert b_id in [x.id for x in a.account_following(me.id)]
assert a_on_b.id in [x.id for x in b.account_followers(b.me().id)]
until(
    "B's posts are fetched",
    lambda: any("other perch" in s.content for s in a.account_statuses(b_id)),
)
assert a.suggestions() == []
print("ok")
