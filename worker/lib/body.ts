/**
 * Reading a request body the gateway itself must see (its own JSON and forms, a sensitive
 * action's body): bytes are counted as they stream and reading stops at the limit, so a body of
 * any size costs at most the limit in memory; a declared Content-Length over the limit is refused
 * unread; and a body that does not arrive within the deadline is refused, so a slow sender cannot
 * hold a request open. Each request's body is read once; later readers get the same result.
 */

export type BodyRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: "payload_too_large" | "request_timeout" };

const reads = new WeakMap<Request, Promise<BodyRead>>();

/**
 * The body of `request`, at most `maxBytes`, read within `timeoutMs`. A later call for the same
 * request gets the first read (the stream is consumed once): its bytes if they fit the new limit,
 * else `payload_too_large` (a read stopped at an earlier, smaller limit cannot be resumed).
 */
export async function readBody(request: Request, maxBytes: number, timeoutMs: number): Promise<BodyRead> {
  const cached = reads.get(request);
  if (cached) {
    const first = await cached;
    if (!first.ok || first.bytes.byteLength <= maxBytes) return first;
    return { ok: false, reason: "payload_too_large" };
  }
  const result = readOnce(request, maxBytes, timeoutMs);
  reads.set(request, result);
  return result;
}

async function readOnce(request: Request, maxBytes: number, timeoutMs: number): Promise<BodyRead> {
  const declared = request.headers.get("content-length");
  if (declared !== null && !(/^\d{1,15}$/.test(declared) && Number(declared) <= maxBytes)) {
    await request.body?.cancel().catch(() => undefined);
    return { ok: false, reason: "payload_too_large" };
  }
  if (request.body === null) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), deadline]);
      if (next === "timeout") {
        await reader.cancel().catch(() => undefined);
        return { ok: false, reason: "request_timeout" };
      }
      if (next.done) break;
      total += next.value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, reason: "payload_too_large" };
      }
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}
