// A loopback inbox that checks every signed request with two HTTP-signature libraries nobody at
// Perch wrote: @misskey-dev/node-http-message-signatures and joyent's http-signature. It answers
// 202 only when both accept the request, and records the verdicts.
//
//   GET  /actor            its own actor document (so Perch can address it)
//   POST /inbox            verified with both libraries
//   GET  /control/results  [{misskey: bool, joyent: bool, digest: bool, activity: {...}, error?: str}]
//
// Usage: node verify_sink.mjs PORT   (prints "ready" once listening)
import http from "node:http";
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";

// The libraries live in the test tools' node_modules ($PERCH_NODE_MODULES), not beside this file.
const require = createRequire(`${process.env.PERCH_NODE_MODULES}/`);
const { parseRequestSignature, verifyDraftSignature, verifyDigestHeader } = require("@misskey-dev/node-http-message-signatures");
const httpSignature = require("http-signature");
const port = Number(process.argv[2]);
const origin = `http://127.0.0.1:${port}`;
const results = [];
const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const publicKeyPem = publicKey.export({ type: "spki", format: "pem" });

async function fetchKey(keyId) {
  const response = await fetch(keyId.split("#")[0], { headers: { Accept: "application/activity+json" } });
  const actor = await response.json();
  return actor.publicKey.publicKeyPem;
}

async function check(req, body) {
  const result = { misskey: false, joyent: false, digest: false };
  try {
    const parsed = parseRequestSignature(req, { requiredInputs: { draft: ["(request-target)", "host", "date", "digest"] } });
    const pem = await fetchKey(parsed.value.keyId);
    result.misskey = await verifyDraftSignature(parsed.value, pem);
    result.digest = await verifyDigestHeader(req, body, true);
    const joyentParsed = httpSignature.parseRequest(req, { headers: ["(request-target)", "host", "date", "digest"] });
    result.joyent = httpSignature.verifySignature(joyentParsed, pem);
  } catch (error) {
    result.error = String(error);
  }
  return result;
}

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString("utf8");
  if (req.method === "GET" && req.url === "/actor") {
    res.writeHead(200, { "Content-Type": "application/activity+json" });
    res.end(JSON.stringify({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${origin}/actor`, type: "Person", preferredUsername: "sink",
      inbox: `${origin}/inbox`, outbox: `${origin}/outbox`,
      publicKey: { id: `${origin}/actor#main-key`, owner: `${origin}/actor`,
        publicKeyPem },
    }));
  } else if (req.method === "POST" && req.url === "/inbox") {
    const result = await check(req, body);
    try { result.activity = JSON.parse(body); } catch { result.activity = null; }
    results.push(result);
    res.writeHead(result.misskey && result.joyent && result.digest ? 202 : 401);
    res.end();
  } else if (req.method === "GET" && req.url.startsWith("/.well-known/webfinger")) {
    res.writeHead(200, { "Content-Type": "application/jrd+json" });
    res.end(JSON.stringify({ subject: `acct:sink@127.0.0.1:${port}`,
      links: [{ rel: "self", type: "application/activity+json", href: `${origin}/actor` }] }));
  } else if (req.method === "GET" && req.url === "/control/results") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(results));
  } else {
    res.writeHead(404);
    res.end();
  }
});
server.listen(port, "127.0.0.1", () => console.log("ready"));
