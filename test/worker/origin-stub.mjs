// The origin as the Worker under test sees it: runs in Node (miniflare's outboundService), echoes
// what it received, and counts hits per path so tests can prove a refused request never arrived.
const hits = new Map();

export async function handleOrigin(request) {
  const url = new URL(request.url);
  if (url.hostname !== "origin.test") return new Response("unexpected outbound request", { status: 599 });
  if (url.pathname === "/__hits") {
    const path = url.searchParams.get("path") ?? "";
    return Response.json({ path, hits: hits.get(path) ?? 0 });
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
