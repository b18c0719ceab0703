// A real Fedify server on loopback, for tests/fedify.rs: one actor `fed` that accepts every
// Follow, keeps what reaches its inbox, and acts when the test asks on /control/….
// Run: node fedify_peer.mjs PORT, with PERCH_NODE_MODULES naming the test tools' node_modules.
// Prints `listening` once it serves, then one JSON line per activity it receives.
import { createRequire } from "node:module";
import http from "node:http";

const require = createRequire(`${process.env.PERCH_NODE_MODULES}/`);
const {
  createFederation, MemoryKvStore, InProcessMessageQueue, generateCryptoKeyPair, verifyObject,
} = require("@fedify/fedify");
const { Temporal } = require("@js-temporal/polyfill");
const {
  Accept, Activity, Create, Endpoints, Follow, Note, Person, PUBLIC_COLLECTION,
} = require("@fedify/vocab");

// Every POST Fedify sends (its deliveries), as sent: /control/sent hands them to the test.
const sent = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const request = new Request(input, init);
  if (request.method === "POST") sent.push({ url: request.url, body: await request.clone().text() });
  return realFetch(request);
};

const port = Number(process.argv[2]);
const origin = `http://127.0.0.1:${port}`;
const federation = createFederation({
  kv: new MemoryKvStore(),
  queue: new InProcessMessageQueue(),
  allowPrivateAddress: true,
});
const keys = [
  await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
  await generateCryptoKeyPair("Ed25519"),
];
const received = [];
// The bodies POSTed to our inboxes, as sent: /control/proofs checks their integrity proofs.
const posted = [];
const followers = new Map();

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== "fed") return null;
    const pairs = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify Peer",
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      followers: ctx.getFollowersUri(identifier),
      publicKey: pairs[0].cryptographicKey,
      assertionMethods: pairs.map((pair) => pair.multikey),
    });
  })
  .setKeyPairsDispatcher(async () => keys);

federation.setFollowersDispatcher("/users/{identifier}/followers", async () => ({
  items: [...followers.values()],
}));

const keep = async (activity, ctx) => {
  const json = await activity.toJsonLd();
  received.push(json);
  console.log(JSON.stringify({ received: json.type ?? json["@type"], id: json.id }));
};

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    await keep(follow, ctx);
    const follower = await follow.getActor();
    if (follower == null || follower.id == null) return;
    followers.set(follower.id.href, follower);
    await ctx.sendActivity(
      { identifier: "fed" },
      follower,
      new Accept({ id: new URL(`${origin}/accepts/${Date.now()}`), actor: ctx.getActorUri("fed"), object: follow }),
    );
  })
  .on(Accept, async (ctx, accept) => keep(accept, ctx))
  .on(Create, async (ctx, create) => keep(create, ctx))
  .onError((ctx, error) => console.log(JSON.stringify({ error: String(error) })));

// Node's request as a fetch Request, for federation.fetch.
async function toRequest(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return new Request(`${origin}${req.url}`, {
    method: req.method,
    headers,
    body: ["GET", "HEAD"].includes(req.method) ? undefined : body,
  });
}

async function control(url, ctx) {
  const target = url.searchParams.get("actor");
  if (url.pathname === "/control/received") return received;
  if (url.pathname === "/control/sent") return sent;
  if (url.pathname === "/control/proofs") {
    // Fedify's own check of each proof: the key fetched by its verificationMethod, and every
    // actor of the activity covered by a proof of theirs.
    const options = { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
    const results = [];
    for (const body of posted) {
      const json = JSON.parse(body);
      let verified = false;
      try {
        verified = (await verifyObject(Activity, json, options)) != null;
      } catch (error) {
        verified = String(error);
      }
      results.push({ type: json.type, id: json.id, proof: json.proof ?? null, verified });
    }
    return results;
  }
  const actor = await ctx.lookupObject(target);
  if (actor == null) throw new Error(`cannot look up ${target}`);
  if (url.pathname === "/control/follow") {
    await ctx.sendActivity({ identifier: "fed" }, actor,
      new Follow({ id: new URL(`${origin}/follows/${Date.now()}`), actor: ctx.getActorUri("fed"), object: actor.id }));
    return { sent: "Follow" };
  }
  if (url.pathname === "/control/reply") {
    const id = Date.now();
    const note = new Note({
      id: new URL(`${origin}/notes/${id}`),
      attribution: ctx.getActorUri("fed"),
      content: url.searchParams.get("text"),
      replyTarget: new URL(url.searchParams.get("to")),
      to: PUBLIC_COLLECTION,
      ccs: [actor.id],
      published: Temporal.Now.instant(),
    });
    await ctx.sendActivity({ identifier: "fed" }, actor,
      new Create({ id: new URL(`${origin}/notes/${id}/activity`), actor: ctx.getActorUri("fed"),
        object: note, to: PUBLIC_COLLECTION, ccs: [actor.id] }));
    return { sent: "Create", note: note.id.href };
  }
  throw new Error("unknown control path");
}

http
  .createServer(async (req, res) => {
    try {
      const request = await toRequest(req);
      const url = new URL(request.url);
      if (req.method === "POST" && url.pathname.endsWith("/inbox")) {
        posted.push(await request.clone().text());
      }
      if (url.pathname.startsWith("/control/")) {
        const ctx = federation.createContext(new URL(origin), undefined);
        const answer = await control(url, ctx);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(answer));
        return;
      }
      const response = await federation.fetch(request, { contextData: undefined });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    }
  })
  .listen(port, "127.0.0.1", () => console.log("ready"));
