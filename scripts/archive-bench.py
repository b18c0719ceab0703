#!/usr/bin/env python3
"""Writes a synthetic Mastodon archive for measuring `perch import archive` (BENCHMARKS.md):
POSTS posts, one in ten with a 64x64 PNG and alt text, in Mastodon's BackupService layout.
Usage: archive-bench.py OUT.zip [POSTS]"""
import json, struct, sys, zipfile, zlib

def png(seed):
    rows = b"".join(b"\0" + bytes(((x * 7 + y * 3 + seed) % 256) for x in range(64 * 3)) for y in range(64))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")

out, posts = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
old = "https://old.example/users/alice"
public = "https://www.w3.org/ns/activitystreams#Public"
items, images = [], []
for n in range(posts):
    published = "20%02d-%02d-%02dT%02d:%02d:00Z" % (15 + n // 4000, 1 + n % 12, 1 + n % 28, n % 24, n % 60)
    attachment = []
    if n % 10 == 0:
        path = "media_attachments/files/%09d/original/img.png" % n
        images.append((path, png(n)))
        attachment.append({"type": "Document", "mediaType": "image/png", "url": path,
                           "name": "picture number %d" % n, "width": 64, "height": 64})
    note = {"id": "%s/statuses/%d" % (old, n), "type": "Note", "published": published,
            "summary": "cw %d" % n if n % 7 == 0 else None,
            "inReplyTo": "%s/statuses/%d" % (old, n - 1) if n % 5 == 1 else None,
            "attributedTo": old, "to": [public], "cc": [old + "/followers"],
            "content": "<p>Post number %d with some words in it, #tag%d</p>" % (n, n % 50),
            "contentMap": {"en": "<p>Post %d</p>" % n}, "attachment": attachment,
            "tag": [{"type": "Hashtag", "href": "https://old.example/tags/tag%d" % (n % 50), "name": "#tag%d" % (n % 50)}]}
    items.append({"id": note["id"] + "/activity", "type": "Create", "actor": old,
                  "published": published, "to": note["to"], "cc": note["cc"], "object": note})
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("actor.json", json.dumps({"id": old, "type": "Person", "followers": old + "/followers"}))
    z.writestr("outbox.json", json.dumps({"id": "outbox.json", "type": "OrderedCollection",
                                          "totalItems": len(items), "orderedItems": items}))
    for path, data in images:
        z.writestr(path, data)
print("wrote %s: %d posts, %d images" % (out, posts, len(images)))
