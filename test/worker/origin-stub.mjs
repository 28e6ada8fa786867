// The origin as the Worker under test sees it: runs in Node (miniflare's outboundService), echoes
// what it received, and counts hits per path so tests can prove a refused request never arrived.
// Two more hosts stand for outside providers (test/worker/slow-providers.security.test.ts):
// `hang.test` never answers; `slow.test/<ms>/...` answers after <ms> milliseconds: an SMS or email
// provider's 201, or an OpenID provider whose issuer is `https://slow.test/<d>/<t>/<k>`, with its
// discovery document after <d> ms, its token endpoint after <t> ms and its keys after <k> ms
// ("hang" for one that never answers).
const hits = new Map();
const providerCalls = new Map();

export async function handleOrigin(request) {
  const url = new URL(request.url);
  if (url.hostname === "hang.test" || url.hostname === "slow.test") return provider(request, url);
  if (url.hostname !== "origin.test") return new Response("unexpected outbound request", { status: 599 });
  if (url.pathname === "/__hits") {
    const path = url.searchParams.get("path") ?? "";
    return Response.json({ path, hits: hits.get(path) ?? 0 });
  }
  if (url.pathname === "/__provider_calls") {
    const prefix = url.searchParams.get("prefix") ?? "";
    return Response.json({ calls: [...providerCalls].filter(([key]) => key.startsWith(prefix)).reduce((sum, [, n]) => sum + n, 0) });
  }
  hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
  // The parser-differential harness: real framework parsers decide what this request means.
  const parserOrigin = request.headers.get("x-parser-origin");
  if (parserOrigin) return (await import("./parser-origins.mjs")).handleParserOrigin(parserOrigin, request);
  if (url.pathname.startsWith("/redirect")) return new Response(null, { status: 302, headers: { location: "https://origin.test/elsewhere" } });
  const headers = Object.fromEntries(request.headers);
  const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
  return Response.json({ method: request.method, path: url.pathname, search: url.search, headers, body });
}

const LONGEST_HANG_MS = 60_000;

/** Waits `ms`, or until the caller gives up (the Worker aborted the fetch). */
function wait(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function provider(request, url) {
  const key = `${url.hostname}${url.pathname}`;
  providerCalls.set(key, (providerCalls.get(key) ?? 0) + 1);
  if (url.hostname === "hang.test") {
    await wait(LONGEST_HANG_MS, request.signal);
    return new Response("too late", { status: 504 });
  }
  const [, delay, ...rest] = url.pathname.split("/");
  await wait(Number(delay) || 0, request.signal);
  const tail = rest.join("/");
  if (tail.endsWith(".well-known/openid-configuration")) {
    const [tokenDelay, keysDelay] = rest;
    const at = (ms, path) => (ms === "hang" ? `https://hang.test/${path}` : `https://slow.test/${ms}/${path}`);
    return Response.json({
      issuer: `https://slow.test/${delay}/${tokenDelay}/${keysDelay}`,
      authorization_endpoint: "https://slow.test/0/authorize",
      token_endpoint: at(tokenDelay, "token"),
      jwks_uri: at(keysDelay, "jwks"),
      code_challenge_methods_supported: ["S256"],
    });
  }
  // An ID token whose key must be fetched (kid k1): enough to make the Worker ask for the key set.
  if (tail === "token") return Response.json({ token_type: "Bearer", access_token: "x", id_token: "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln" });
  if (tail === "jwks") return Response.json({ keys: [] });
  return Response.json({ sid: "SM00000000000000000000000000000000", status: "queued" }, { status: 201 });
}
