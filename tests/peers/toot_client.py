"""toot (PyPI), the command-line Mastodon client, against a live Perch: logs in with the password
grant (`toot login_cli`), posts, reads the home timeline and the notifications. Run by
tests/api_accounts.rs as: toot_client.py PERCH_URL PASSWORD FOLLOWER_HANDLE (the follower's
follow is a notification to find). Exits non-zero with the reason on the first failure."""

import json
import os
import subprocess
import sys
import tempfile

base_url, password, follower = sys.argv[1], sys.argv[2], sys.argv[3]
config_home = tempfile.mkdtemp(prefix="toot-")
env = dict(os.environ, XDG_CONFIG_HOME=config_home, NO_COLOR="1", TERM="dumb")


def toot(*args):
    done = subprocess.run(
        [sys.executable, "-m", "toot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        sys.exit(f"toot {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


toot("login_cli", "--instance", base_url, "--email", "ana", "--password", password)
saved = json.load(open(os.path.join(config_home, "toot", "config.json")))
assert saved["users"], saved

whoami = toot("whoami")
assert "@ana" in whoami, whoami

posted = toot("post", "posted with toot, hello")
assert "Toot posted" in posted, posted

timeline = toot("timeline", "--once", "--count", "5")
assert "posted with toot" in timeline, timeline

notifications = toot("notifications", "--json")
items = json.loads(notifications)
accts = {n["account"]["acct"] for n in items if n["type"] == "follow"}
assert follower.lstrip("@") in accts, (follower, notifications)

print("ok")
