"""A streaming API client for the tests: prints "ready" once connected, then one JSON line per
event ({"stream", "event", "payload"}), until killed.

    stream_client.py ws URL TOKEN [SUBSCRIBE_JSON ...]   WebSocket (the token as subprotocol)
    stream_client.py sse URL TOKEN                        server-sent events (bearer header)
"""

import asyncio
import json
import sys
import urllib.request


async def websocket(url, token, subscribe):
    import websockets

    async with websockets.connect(url, subprotocols=[token]) as ws:
        for message in subscribe:
            await ws.send(message)
        print("ready", flush=True)
        print(json.dumps({"event": "subprotocol", "payload": ws.subprotocol}), flush=True)
        async for message in ws:
            print(message, flush=True)


def sse(url, token):
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request) as response:
        print("ready", flush=True)
        event = None
        for raw in response:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                print(json.dumps({"event": event, "payload": line[5:].strip()}), flush=True)
            elif not line:
                event = None


if __name__ == "__main__":
    mode, url, token = sys.argv[1:4]
    if mode == "ws":
        asyncio.run(websocket(url, token, sys.argv[4:]))
    else:
        sse(url, token)
