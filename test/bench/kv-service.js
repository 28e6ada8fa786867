// A Workers KV backend for the benchmark's workerd: an in-memory implementation of the HTTP
// protocol workerd's `kvNamespace` binding speaks to its service (the same routes as miniflare's
// KV namespace: GET/PUT/DELETE /<key>, POST /bulk/get, GET / to list), counting every call.
// Because the binding can only reach storage through this service, the counts are what the
// gateway really did, not what its code is assumed to do. `GET /__bench/counts` (with the header
// `x-bench-control: 1`, on the control socket only) answers the counts so far.
const store = new Map(); // key -> { value: ArrayBuffer, expiration?: number (s), metadata?: string }
const counts = { get: 0, bulk_get: 0, put: 0, delete: 0, list: 0 };

const nowSeconds = () => Math.floor(Date.now() / 1000);
function live(key) {
  const entry = store.get(key);
  if (!entry) return undefined;
  if (entry.expiration !== undefined && entry.expiration <= nowSeconds()) {
    store.delete(key);
    return undefined;
  }
  return entry;
}

function keyOf(url) {
  const raw = url.pathname.slice(1);
  return url.searchParams.get("urlencoded")?.toLowerCase() === "true" ? decodeURIComponent(raw) : raw;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.headers.get("x-bench-control") === "1") {
      if (url.pathname === "/__bench/counts") return Response.json({ ...counts, keys: store.size });
      return new Response("unknown control path", { status: 404 });
    }
    if (request.method === "POST" && url.pathname === "/bulk/get") {
      counts.bulk_get++;
      const body = await request.json();
      const result = {};
      for (const key of body.keys) {
        const entry = live(key);
        if (!entry) {
          result[key] = null;
          continue;
        }
        const text = new TextDecoder().decode(entry.value);
        const value = body.type === "json" ? JSON.parse(text) : text;
        result[key] = body.withMetadata ? { value, metadata: entry.metadata === undefined ? null : JSON.parse(entry.metadata) } : value;
      }
      return Response.json(result);
    }
    if (request.method === "GET" && url.pathname === "/") {
      counts.list++;
      const prefix = url.searchParams.get("prefix") ?? "";
      const limit = Number(url.searchParams.get("key_count_limit") ?? "1000");
      const cursor = url.searchParams.get("cursor");
      const names = [...store.keys()].filter((name) => name.startsWith(prefix) && live(name)).sort();
      const start = cursor ? names.findIndex((name) => name > cursor) : 0;
      const page = start < 0 ? [] : names.slice(start, start + limit);
      const complete = start < 0 || start + limit >= names.length;
      const keys = page.map((name) => {
        const entry = store.get(name);
        return { name, ...(entry.expiration !== undefined ? { expiration: entry.expiration } : {}), ...(entry.metadata !== undefined ? { metadata: entry.metadata } : {}) };
      });
      return Response.json(complete ? { keys, list_complete: true, cacheStatus: null } : { keys, list_complete: false, cursor: page.at(-1), cacheStatus: null });
    }
    const key = keyOf(url);
    if (request.method === "GET") {
      counts.get++;
      const entry = live(key);
      if (!entry) return new Response("Not Found", { status: 404 });
      const headers = new Headers();
      if (entry.expiration !== undefined) headers.set("CF-Expiration", String(entry.expiration));
      if (entry.metadata !== undefined) headers.set("CF-KV-Metadata", entry.metadata);
      return new Response(entry.value, { headers });
    }
    if (request.method === "PUT") {
      counts.put++;
      const value = await request.arrayBuffer();
      const ttl = url.searchParams.get("expiration_ttl");
      const at = url.searchParams.get("expiration");
      const expiration = ttl !== null ? nowSeconds() + Number(ttl) : at !== null ? Number(at) : undefined;
      const metadata = request.headers.get("CF-KV-Metadata") ?? undefined;
      store.set(key, { value, expiration, metadata });
      return new Response(null);
    }
    if (request.method === "DELETE") {
      counts.delete++;
      store.delete(key);
      return new Response(null);
    }
    return new Response("Method not allowed", { status: 405 });
  },
};
