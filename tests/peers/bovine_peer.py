"""A remote ActivityPub actor built on bovine (https://codeberg.org/bovine/bovine), for Perch's tests.

It serves its actor document on 127.0.0.1, verifies every POST to its inbox with bovine's own
HTTP-signature checker (fetching the sender's key for real), and records what arrived. The test
drives it over HTTP:

  POST /control/send   {"inbox": URL, "activity": {...}}  -> {"status": N}   (bovine signs and posts)
  GET  /control/inbox                                      -> [{"verified": owner|null, "activity": {...}}]

Usage: python bovine_peer.py PORT   (prints "ready" once listening)
"""

import asyncio
import json
import sys

import aiohttp
from aiohttp import web

import bovine
from bovine.crypto import build_validate_http_signature_raw, generate_rsa_public_private_key
from bovine.crypto.types import CryptographicIdentifier

PORT = int(sys.argv[1])
ORIGIN = f"http://127.0.0.1:{PORT}"
ACTOR_ID = f"{ORIGIN}/actor"
KEY_ID = f"{ACTOR_ID}#main-key"
PUBLIC_PEM, PRIVATE_PEM = generate_rsa_public_private_key()
received = []


async def retrieve_key(key_id):
    async with aiohttp.ClientSession() as session:
        async with session.get(
            key_id.split("#")[0], headers={"Accept": "application/activity+json"}
        ) as response:
            data = json.loads(await response.text())
    key = data.get("publicKey", data)
    return CryptographicIdentifier.from_pem(key["publicKeyPem"], key["owner"])


validate = build_validate_http_signature_raw(retrieve_key)


async def actor(_request):
    document = {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": ACTOR_ID,
        "type": "Person",
        "preferredUsername": "bovine",
        "name": "Bovine Peer",
        "inbox": f"{ORIGIN}/inbox",
        "outbox": f"{ORIGIN}/outbox",
        "followers": f"{ORIGIN}/followers",
        "url": ACTOR_ID,
        "publicKey": {"id": KEY_ID, "owner": ACTOR_ID, "publicKeyPem": PUBLIC_PEM},
    }
    return web.json_response(document, content_type="application/activity+json")


async def webfinger(request):
    resource = request.query.get("resource", "")
    if resource != f"acct:bovine@127.0.0.1:{PORT}":
        return web.Response(status=404)
    return web.json_response(
        {
            "subject": resource,
            "links": [{"rel": "self", "type": "application/activity+json", "href": ACTOR_ID}],
        },
        content_type="application/jrd+json",
    )


async def inbox(request):
    body = await request.read()
    try:
        owner = await validate(request.method, str(request.url), request.headers, request.read)
    except Exception as error:  # a failed check is a result, not a crash
        print(f"verification error: {error}", file=sys.stderr)
        owner = None
    received.append({"verified": owner, "activity": json.loads(body or b"null")})
    return web.Response(status=202 if owner else 401)


async def control_send(request):
    order = await request.json()
    async with bovine.BovineActor(actor_id=ACTOR_ID, public_key_url=KEY_ID, secret=PRIVATE_PEM) as peer:
        response = await peer.client.post(order["inbox"], json.dumps(order["activity"]))
        return web.json_response({"status": response.status, "body": await response.text()})


async def control_inbox(_request):
    return web.json_response(received)


async def main():
    app = web.Application()
    app.add_routes(
        [
            web.get("/actor", actor),
            web.get("/.well-known/webfinger", webfinger),
            web.post("/inbox", inbox),
            web.post("/control/send", control_send),
            web.get("/control/inbox", control_inbox),
        ]
    )
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", PORT).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
