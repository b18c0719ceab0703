"""What the Mastodon.py test peers share: logging in, waiting for a condition, a small PNG.

Imported by the scripts beside it (Python puts a script's own folder on its path)."""

import struct
import sys
import time
import zlib

from mastodon import Mastodon


def logged_in(base_url, password, name, scopes):
    """Mastodon.py registered as an app and logged in as the owner by the password grant."""
    client_id, client_secret = Mastodon.create_app(name, api_base_url=base_url, scopes=scopes)
    app = Mastodon(
        client_id=client_id,
        client_secret=client_secret,
        api_base_url=base_url,
        version_check_mode="created",
    )
    app.log_in(username="ana", password=password, scopes=scopes, allow_http=True)
    return app


def until(what, probe, seconds=20):
    """The first true value `probe` gives, or the script fails naming `what`."""
    deadline = time.time() + seconds
    while True:
        value = probe()
        if value:
            return value
        if time.time() > deadline:
            sys.exit(f"timed out waiting for: {what}")
        time.sleep(0.1)


def png(width, height):
    """A small RGB PNG, written by hand so the tests need no imaging library."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x20\x80\xc0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))
