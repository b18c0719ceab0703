"""A Web Push service for the tests, on loopback: holds a subscriber's P-256 key and auth secret,
decrypts each push with http_ece (an independent RFC 8291 implementation) and checks the VAPID
JWT's ES256 signature with `cryptography` (RFC 8292).

Prints one JSON line with the subscription keys and its port, then one per push received:
{"path", "payload" (decrypted JSON), "vapid_ok", "claims", "k"}. POSTs to /gone answer 410,
to anything else 201.
"""

import base64
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

PRIVATE = ec.generate_private_key(ec.SECP256R1())
PUBLIC = PRIVATE.public_key().public_bytes(
    serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
)
AUTH = os.urandom(16)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_vapid(header):
    scheme, _, rest = header.partition(" ")
    if scheme != "vapid":
        return False, None, None
    parts = dict(p.strip().split("=", 1) for p in rest.split(","))
    token, key = parts["t"], parts["k"]
    head, claims, signature = token.split(".")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
    raw = unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        ok = json.loads(unb64(head)) == {"typ": "JWT", "alg": "ES256"}
    except InvalidSignature:
        ok = False
    return ok, json.loads(unb64(claims)), key


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        gone = self.path == "/gone"
        try:
            plain = http_ece.decrypt(
                body, private_key=PRIVATE, auth_secret=AUTH, version="aes128gcm"
            )
            payload = json.loads(plain)
        except Exception as error:  # reported to the test, which fails on it
            payload = {"error": repr(error)}
        vapid_ok, claims, key = check_vapid(self.headers.get("Authorization", ""))
        record = {
            "path": self.path,
            "payload": payload,
            "vapid_ok": vapid_ok,
            "claims": claims,
            "k": key,
            "encoding": self.headers.get("Content-Encoding"),
            "ttl": self.headers.get("TTL"),
        }
        print(json.dumps(record), flush=True)
        self.send_response(410 if gone else 201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = HTTPServer(("127.0.0.1", 0), Handler)
    print(
        json.dumps({"port": server.server_port, "p256dh": b64(PUBLIC), "auth": b64(AUTH)}),
        flush=True,
    )
    server.serve_forever()
