/**
 * Bodies the gateway reads itself are counted while they stream: a body over the limit is refused
 * once the limit is passed (not read whole first), a declared Content-Length over the limit is
 * refused unread, and a body that does not arrive within BODY_READ_TIMEOUT_SECONDS is refused.
 * Unauthenticated memory growth and slow-body holds (outside review, issue #12) are closed.
 */
import { createExecutionContext, env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import { readBody } from "../../worker/lib/body";
import { enrolledUser, GATEWAY, originHits, totpCode, type Client } from "./helpers";
import { makeUser } from "./sms-helpers";

const MiB = 1024 * 1024;
const CHUNK = new Uint8Array(64 * 1024).fill(0x61);

/** A body of `totalBytes` in 64 KiB chunks that counts how much the reader pulled. */
function countingBody(totalBytes: number) {
  const counter = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= totalBytes) return controller.close();
      counter.pulled += CHUNK.byteLength;
      controller.enqueue(CHUNK);
    },
    cancel() {
      counter.cancelled = true;
    },
  });
  return { stream, counter };
}

/** A body that sends `first` and then nothing more, ever (a slow sender). */
function stalledBody(first: string) {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(first));
    },
  });
}

const json = { origin: GATEWAY, "content-type": "application/json" };

describe("the body reader (worker/lib/body.ts)", () => {
  it("stops at the limit: a 64 MiB stream is refused after at most one chunk past it", async () => {
    const { stream, counter } = countingBody(64 * MiB);
    const result = await readBody(new Request("https://x.test/", { method: "POST", body: stream }), 16 * 1024, 5_000);
    expect(result).toEqual({ ok: false, reason: "payload_too_large" });
    expect(counter.pulled).toBeLessThanOrEqual(16 * 1024 + 2 * CHUNK.byteLength);
    expect(counter.cancelled).toBe(true);
  });

  it("refuses a declared length over the limit without reading, and a body that stalls at the deadline", async () => {
    const { stream, counter } = countingBody(MiB);
    const declared = new Request("https://x.test/", { method: "POST", body: stream, headers: { "content-length": String(MiB) } });
    expect(await readBody(declared, 16 * 1024, 5_000)).toEqual({ ok: false, reason: "payload_too_large" });
    expect(counter.pulled).toBeLessThanOrEqual(2 * CHUNK.byteLength);
    const stalled = new Request("https://x.test/", { method: "POST", body: stalledBody("{") });
    expect(await readBody(stalled, 16 * 1024, 200)).toEqual({ ok: false, reason: "request_timeout" });
  });

  it("reads a body once: a second reader gets the same bytes, or a refusal under a smaller limit", async () => {
    const request = new Request("https://x.test/", { method: "POST", body: "a".repeat(100) });
    const first = await readBody(request, 1000, 5_000);
    expect(first.ok && first.bytes.byteLength).toBe(100);
    expect(await readBody(request, 1000, 5_000)).toEqual(first);
    expect(await readBody(request, 99, 5_000)).toEqual({ ok: false, reason: "payload_too_large" });
  });
});

describe("over HTTP, before any session", () => {
  it("a 64 MiB chunked sign-in is refused with 413 after the limit, not read whole; nothing is opened", async () => {
    const { stream, counter } = countingBody(64 * MiB);
    const response = await SELF.fetch(`${GATEWAY}/_stepgate/api/session`, { method: "POST", headers: json, body: stream });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(response.headers.get("set-cookie")).toBeNull();
    // Far below the 64 MiB sent: the reader stopped soon after 16 KiB (transport buffers aside).
    expect(counter.pulled).toBeLessThan(2 * MiB);
  });

  it("a 64 MiB chunked page form is refused the same way", async () => {
    const { stream, counter } = countingBody(64 * MiB);
    const response = await SELF.fetch(`${GATEWAY}/_stepgate/login`, {
      method: "POST",
      headers: { origin: GATEWAY, "content-type": "application/x-www-form-urlencoded" },
      body: stream,
    });
    expect(response.status).toBe(400);
    expect(counter.pulled).toBeLessThan(2 * MiB);
  });

  it("a sign-in whose body stalls is answered 408 at the deadline instead of never", async () => {
    const bindings = { ...(env as unknown as Record<string, unknown>), BODY_READ_TIMEOUT_SECONDS: "1" };
    const app = appFor(getConfig(bindings));
    const request = new Request(`${GATEWAY}/_stepgate/api/session`, { method: "POST", headers: json, body: stalledBody('{"email":"user@demo.test",') });
    const response = await app.fetch(request, bindings as never, createExecutionContext());
    expect(response.status).toBe(408);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("REQUEST_TIMEOUT");
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});

describe("sensitive actions inside the payments tool", () => {
  async function entered(email: string): Promise<Client> {
    const { client: c, secret } = await enrolledUser(email);
    const first = await c.fetch("/payments/", { headers: { accept: "application/json" } });
    const { challenge } = (await first.json()) as { challenge: { id: string } };
    const passed = await c.fetch(`/_stepgate/api/challenges/${challenge.id}/verify`, { method: "POST", json: { method: "totp", code: await totpCode(secret) } });
    expect(passed.status).toBe(200);
    return c;
  }

  it("an oversized streamed action body (JSON or form) is refused with 413, not read whole, never forwarded", async () => {
    const c = await entered((await makeUser("payor", "big-body")).email);
    const before = await originHits("/payments/disbursements");
    for (const type of ["application/json", "application/x-www-form-urlencoded"]) {
      const { stream, counter } = countingBody(64 * MiB);
      const response = await c.fetch("/payments/disbursements", { method: "POST", headers: { accept: "application/json", "content-type": type }, body: stream });
      expect(response.status, type).toBe(413);
      expect(counter.pulled, type).toBeLessThan(2 * MiB);
    }
    const listed = (await (await c.fetch("/_stepgate/api/challenges")).json()) as { challenges: unknown[] };
    expect(listed.challenges).toEqual([]);
    expect(await originHits("/payments/disbursements")).toBe(before);
  });

  it("a stalled action body is answered 408 at the deadline, never forwarded", async () => {
    const c = await entered((await makeUser("payee_admin", "slow-body")).email);
    const bindings = { ...(env as unknown as Record<string, unknown>), BODY_READ_TIMEOUT_SECONDS: "1" };
    const app = appFor(getConfig(bindings));
    const before = await originHits("/payments/disbursements");
    const request = new Request(`${GATEWAY}/payments/disbursements`, {
      method: "POST",
      headers: { accept: "application/json", cookie: c.cookie!, "content-type": "application/json" },
      body: stalledBody('{"amount":"1.00",'),
    });
    const response = await app.fetch(request, bindings as never, createExecutionContext());
    expect(response.status).toBe(408);
    expect(await originHits("/payments/disbursements")).toBe(before);
  });
});
