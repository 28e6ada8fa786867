/**
 * The hot path (worker/hot-path.ts) forwards a signed-in request before the router. It must take
 * only requests the full application would forward as that session, and forward them exactly as
 * the full application does; everything else is declined (null) and decided by app.ts.
 */
import { SELF, createExecutionContext, env } from "cloudflare:test";
import fc from "fast-check";
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { describe, expect, it } from "vitest";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import { hotPath, plainSessionCookie } from "../../worker/hot-path";
import { signSessionToken } from "../../worker/lib/tokens";
import { forwardRequest, isCanonicalPath, pathAndSearchOf, rawPathOf } from "../../worker/proxy";
import { SESSION_COOKIE } from "../../worker/session";
import { addMember } from "./admin-helpers";
import { deniedHeaderLeaks, DENIED_HEADERS } from "./denied-headers";
import { enrolledUser, GATEWAY, originHits, sessionClaimsOf, signIn, type Client } from "./helpers";
import { makeUser } from "./sms-helpers";

const config = () => getConfig(env as unknown as Record<string, unknown>);
const hot = (url: string, init: RequestInit = {}) => hotPath(new Request(url, init), env as never, config());

/** The origin stub's echo of what it received. */
type Echo = { method: string; path: string; search: string; headers: Record<string, string>; body: string };

/** A request through the Worker (the full application on first sight of a token). */
async function viaWorker(c: Client, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("cookie", c.cookie!);
  return SELF.fetch(`${GATEWAY}${path}`, { ...init, headers, redirect: "manual" });
}

describe("hot path", () => {
  it("forwards a signed-in request exactly as the full application does", async () => {
    const { client: c } = await enrolledUser("user@demo.test");
    const init = {
      method: "POST",
      headers: {
        cookie: `${c.cookie}; app=1`,
        "content-type": "application/json",
        "stepgate-assertion": "forged",
        "x-stepgate-anything": "forged",
        "x-forwarded-user": "admin@demo.test",
        "x-forwarded-for": "10.0.0.1",
        forwarded: "for=10.0.0.1",
        connection: "keep-alive, x-secret",
        "x-secret": "hop-by-hop",
        "cf-connecting-ip": "192.0.2.7",
        "x-app": "kept",
      },
      body: JSON.stringify({ amount: 1 }),
    };
    // First sight of the token: the full application verifies it (and caches the verification).
    const full = await SELF.fetch(`${GATEWAY}/hp/echo?q=1&r=%20`, init);
    expect(full.status).toBe(200);
    const fromFull = (await full.json()) as Echo;
    // Now the hot path takes the same request.
    const forwarded = hot(`${GATEWAY}/hp/echo?q=1&r=%20`, init);
    expect(forwarded).not.toBeNull();
    const fast = await forwarded!;
    expect(fast.status).toBe(200);
    const fromHot = (await fast.json()) as Echo;
    expect(fromHot).toEqual(fromFull); // same origin assertion too (cached per session)
    expect(fromHot.headers["stepgate-assertion"]?.split(".")).toHaveLength(3);
    expect(fromHot.headers["stepgate-assertion"]).not.toBe("forged");
    for (const name of ["x-stepgate-anything", "x-forwarded-user", "forwarded", "x-secret", "connection"]) expect(fromHot.headers[name], name).toBeUndefined();
    expect(fromHot.headers["x-forwarded-for"]).toBe("192.0.2.7");
    expect(fromHot.headers.cookie).toBe("app=1");
    expect(fromHot.headers["x-app"]).toBe("kept");
    expect(fromHot).toMatchObject({ method: "POST", path: "/hp/echo", search: "?q=1&r=%20", body: '{"amount":1}' });
    expect(await originHits("/hp/echo")).toBe(2);
  });

  it("takes a request that carries the device cookie too, and the device cookie never reaches the origin", async () => {
    const { client: c } = await enrolledUser((await makeUser("standard", "hp-device")).email);
    // The device cookie's name, from the rule: it must not contain the session cookie's name, or
    // every signed-in browser would be declined here (plainSessionCookie sees the name once only).
    const device = `__Host-device-stepgate=${"d".repeat(43)}`;
    expect(device.includes(SESSION_COOKIE)).toBe(false);
    await viaWorker(c, "/hp/device-warm");
    for (const cookie of [`${c.cookie}; ${device}`, `${device}; ${c.cookie}`, `${device}; ${c.cookie}; app=1`]) {
      const forwarded = hot(`${GATEWAY}/hp/device`, { headers: { cookie } });
      expect(forwarded, cookie).not.toBeNull();
      const echo = (await (await forwarded!).json()) as Echo;
      expect(echo.headers.cookie, cookie).toBe(cookie.endsWith("app=1") ? "app=1" : undefined);
    }
    expect(await originHits("/hp/device")).toBe(3);
  });

  it("rewrites the origin's redirects to the gateway and does not follow them", async () => {
    const { client: c } = await enrolledUser("payee@demo.test");
    await viaWorker(c, "/hp/warm");
    const response = await hot(`${GATEWAY}/redirect-hot`, { headers: { cookie: c.cookie! } })!;
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${GATEWAY}/elsewhere`);
  });

  it("sends the origin's answer on as it is unless a header must go or be rewritten", async () => {
    const now = Math.floor(Date.now() / 1000);
    const session = { sub: "demo-user", sid: "hot-path-test-session-0001", stg: "done", email: "user@demo.test", role: "standard", cid: "demo-builders", amr: ["pwd", "otp"], auth_time: now, iss: GATEWAY, aud: "stepgate:session", iat: now, exp: now + 120 } as const;
    const originAnswers = async (headers: Record<string, string>) => {
      const realFetch = globalThis.fetch;
      const upstream = new Response("body", { status: 203, statusText: "Fine", headers });
      globalThis.fetch = (async () => upstream) as typeof fetch;
      try {
        return { upstream, response: await forwardRequest(new Request(`${GATEWAY}/hp/answer`), config(), { ...session, amr: [...session.amr] }, Date.now()) };
      } finally {
        globalThis.fetch = realFetch;
      }
    };
    // Connection-level headers only: workerd's HTTP layer drops them when it writes the answer.
    const plain = await originAnswers({ "content-type": "text/plain", connection: "keep-alive", "keep-alive": "timeout=5", "x-app": "1" });
    expect(plain.response).toBe(plain.upstream);
    // A hop-by-hop header that layer would pass on: every hop-by-hop header is removed.
    const proxied = await originAnswers({ "proxy-authenticate": "Basic", "proxy-connection": "x", connection: "keep-alive", "keep-alive": "timeout=5", upgrade: "h2c", "x-app": "1" });
    for (const name of ["proxy-authenticate", "proxy-connection", "connection", "keep-alive", "upgrade"]) expect(proxied.response.headers.get(name), name).toBeNull();
    expect(proxied.response.headers.get("x-app")).toBe("1");
    expect([proxied.response.status, proxied.response.statusText, await proxied.response.text()]).toEqual([203, "Fine", "body"]);
    // The origin's own redirects point at the gateway; other locations are left alone.
    const redirect = await originAnswers({ location: "https://origin.test/next?x=1" });
    expect(redirect.response.headers.get("location")).toBe(`${GATEWAY}/next?x=1`);
    const elsewhere = await originAnswers({ location: "https://elsewhere.test/" });
    expect(elsewhere.response.headers.get("location")).toBe("https://elsewhere.test/");
  });

  it("declines every request the full application must decide", async () => {
    const { client: c } = await enrolledUser("admin@demo.test");
    await viaWorker(c, "/hp/warm");
    const cookie = c.cookie!;
    const token = cookie.slice(`${SESSION_COOKIE}=`.length);
    expect(hot(`${GATEWAY}/hp/ok`, { headers: { cookie } })).not.toBeNull();
    const declined: Array<[string, RequestInit]> = [
      [`${GATEWAY}/hp/ok`, { method: "HEAD", headers: { cookie } }],
      [`${GATEWAY}/_stepgate/api/me`, { headers: { cookie } }],
      [`${GATEWAY}/_STEPGATE/login`, { headers: { cookie } }],
      [`${GATEWAY}/_stepgate`, { headers: { cookie } }],
      [`${GATEWAY}/payments/`, { headers: { cookie } }],
      [`${GATEWAY}/PAYMENTS/x`, { headers: { cookie } }],
      [`${GATEWAY}/payments`, { headers: { cookie } }],
      [`${GATEWAY}/a%2fb`, { headers: { cookie } }],
      [`${GATEWAY}/a;b`, { headers: { cookie } }],
      [`${GATEWAY}/%70ayments/x`, { headers: { cookie } }],
      [`${GATEWAY}/app./payments/x`, { headers: { cookie } }], // trimmed by some origins (multi-segment payments prefix)
      [`${GATEWAY}/hp%20/ok`, { headers: { cookie } }],
      [`${GATEWAY}/hp/ok.`, { headers: { cookie } }],
      [`${GATEWAY}/hp/ok`, {}],
      [`${GATEWAY}/hp/ok`, { headers: { cookie: `${cookie}; ${cookie}` } }],
      [`${GATEWAY}/hp/ok`, { headers: { cookie: `${SESSION_COOKIE}="${token}"` } }],
      [`${GATEWAY}/hp/ok`, { headers: { cookie: `x${cookie}` } }],
      [`${GATEWAY}/hp/ok`, { headers: { cookie: `${cookie} x` } }],
      [`${GATEWAY}/hp/ok`, { headers: { cookie: `${cookie.slice(0, -2)}` } }], // never verified here
      [`${GATEWAY}/hp/ok`, { headers: { cookie: `${SESSION_COOKIE}=` } }],
    ];
    for (const [url, init] of declined) expect(hot(url, init), `${init.method ?? "GET"} ${url} ${JSON.stringify(init.headers)}`).toBeNull();
  });

  it("declines a session before MFA, a token due for re-mint, and a signed-out session", async () => {
    const { client: preMfa } = await signIn("payor@demo.test");
    expect((await viaWorker(preMfa, "/hp/pre", { headers: { accept: "application/json" } })).status).toBe(403);
    expect(hot(`${GATEWAY}/hp/pre`, { headers: { cookie: preMfa.cookie! } })).toBeNull();

    const { client: c } = await enrolledUser("payor@demo.test");
    const claims = sessionClaimsOf(c) as Parameters<typeof signSessionToken>[0] & { iss?: string; aud?: string; iat?: number; exp?: number };
    const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, ...input } = claims;
    const old = await signSessionToken(input, config(), Date.now() - (config().sessionRemintAfterSeconds + 5) * 1000);
    const due: Client = { cookie: `${SESSION_COOKIE}=${old}`, fetch: c.fetch };
    // The full application renews it (the account's Durable Object confirms the session) and the
    // new cookie rides on the origin's answer; the hot path never takes the old token.
    const renewed = await viaWorker(due, "/hp/remint");
    expect(renewed.status).toBe(200);
    expect(renewed.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_.-]+;`));
    expect(hot(`${GATEWAY}/hp/remint`, { headers: { cookie: due.cookie! } })).toBeNull();

    await viaWorker(c, "/hp/before-sign-out");
    expect(hot(`${GATEWAY}/hp/x`, { headers: { cookie: c.cookie! } })).not.toBeNull();
    const cookie = c.cookie!;
    expect((await c.fetch("/_stepgate/api/session", { method: "DELETE" })).status).toBeLessThan(300);
    expect(hot(`${GATEWAY}/hp/x`, { headers: { cookie } })).toBeNull();
    const after = await SELF.fetch(`${GATEWAY}/hp/after-sign-out`, { headers: { cookie, accept: "application/json" } });
    expect(after.status).toBe(401);
    expect(await originHits("/hp/after-sign-out")).toBe(0);
  });

  it("reads the session cookie as hono/cookie does whenever it reads one at all", async () => {
    const app = new Hono().get("/", (c) => c.text(getCookie(c, SESSION_COOKIE) ?? "\u0000none"));
    const hono = async (header: string) => {
      const text = await (await app.request("/", { headers: { cookie: header } })).text();
      return text === "\u0000none" ? undefined : text;
    };
    const piece = fc.oneof(
      fc.constantFrom(SESSION_COOKIE, `${SESSION_COOKIE}=`, "=", ";", "; ", " ", "\t", '"', "%41", "a=b", "x", ".", "-", "_", "eyJ", "__Host-", "stepgate"),
      fc.string({ maxLength: 4 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 8 }), async (pieces) => {
        const header = pieces.join("");
        const plain = plainSessionCookie(header);
        if (plain !== undefined) expect(await hono(header), header).toBe(plain);
      }),
      { numRuns: 400 },
    );
    expect(plainSessionCookie(`${SESSION_COOKIE}=a.b-c_d`)).toBe("a.b-c_d");
    expect(plainSessionCookie(`x=1; \t${SESSION_COOKIE}=abc; y=2`)).toBe("abc");
    expect(plainSessionCookie(null)).toBeUndefined();
  });

  it("keeps the canonical-path rules and the raw path exactly as before its fast check", () => {
    // The rules without the one-scan fast check (reference copies; encoded controls refused too).
    const canonicalBefore = (rawPath: string): boolean => {
      if (!rawPath.startsWith("/") || rawPath.includes("//") || rawPath.includes("\\")) return false;
      if (/%(2f|5c|2e|25|3b|[01][0-9a-f]|7f)/i.test(rawPath) || /[\x00-\x1f\x7f]/.test(rawPath)) return false;
      if (rawPath.includes(";")) return false;
      for (const match of rawPath.matchAll(/%([0-9a-f]{2})/gi)) {
        if (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(parseInt(match[1] ?? "0", 16)))) return false;
      }
      for (const segment of rawPath.split("/")) if (segment === "." || segment === "..") return false;
      try {
        decodeURIComponent(rawPath);
      } catch {
        return false;
      }
      return true;
    };
    const rawPathBefore = (url: string): string => {
      const afterScheme = url.indexOf("://");
      const pathStart = url.indexOf("/", afterScheme + 3);
      if (pathStart < 0) return "/";
      const end = url.slice(pathStart).search(/[?#]/);
      return end < 0 ? url.slice(pathStart) : url.slice(pathStart, pathStart + end);
    };
    const chars = fc.constantFrom("/", "/", "a", "Z", "0", "1", ".", "-", "_", "~", "%", "2", "f", "e", "5", "c", "7", ";", "\\", "?", "#", "!", "@", ":", "\u0000", "\u007f", "é", " ");
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }), (list) => {
        const path = list.join("");
        expect(isCanonicalPath(path), JSON.stringify(path)).toBe(canonicalBefore(path));
        const url = `https://gateway.test${path}`;
        expect(rawPathOf(url), url).toBe(rawPathBefore(url));
        const queryAt = url.indexOf("?");
        expect(pathAndSearchOf(url)).toBe(`${rawPathBefore(url)}${queryAt < 0 ? "" : url.slice(queryAt)}`);
      }),
      { numRuns: 3000 },
    );
    for (const path of ["/", "/a/b/", "/.well-known/x", "/a..b/c.d", "/~u/_x-y"]) expect(isCanonicalPath(path), path).toBe(true);
    for (const path of ["", "a", "//", "/a//b", "/.", "/..", "/a/./b", "/a/../b", "/a/.."]) expect(isCanonicalPath(path), path).toBe(false);
  });

  it("drops every deny-listed header (decision 0012) as the full application does", async () => {
    await addMember({ id: "hp-headers-1", email: "hp-headers-1@demo.test" });
    const { client: c } = await enrolledUser("hp-headers-1@demo.test");
    await viaWorker(c, "/hp/warm-denied");
    const forwarded = hot(`${GATEWAY}/hp/denied-headers`, { headers: { ...DENIED_HEADERS, cookie: c.cookie!, "x-app": "kept" } });
    expect(forwarded).not.toBeNull();
    const echo = (await (await forwarded!).json()) as Echo;
    expect(deniedHeaderLeaks(echo.headers, DENIED_HEADERS)).toEqual([]);
    expect(echo.headers["x-app"]).toBe("kept");
    expect(echo.headers["stepgate-assertion"]?.split(".")).toHaveLength(3);
  });

  it("in allow-list mode forwards exactly what the full application forwards: the listed headers only", async () => {
    await addMember({ id: "hp-headers-2", email: "hp-headers-2@demo.test" });
    const { client: c } = await enrolledUser("hp-headers-2@demo.test");
    await viaWorker(c, "/hp/warm-allow");
    const bindings = { ...(env as unknown as Record<string, unknown>), ALLOWED_REQUEST_HEADERS: "accept, x-app, cookie" };
    const allowConfig = getConfig(bindings);
    const init = { headers: { ...DENIED_HEADERS, cookie: `${c.cookie}; app=1`, accept: "text/html", "x-app": "kept", "x-other": "dropped", "cf-connecting-ip": "192.0.2.7" } };
    const forwarded = hotPath(new Request(`${GATEWAY}/hp/allow-list`, init), bindings as never, allowConfig);
    expect(forwarded).not.toBeNull();
    const fromHot = (await (await forwarded!).json()) as Echo;
    const full = await appFor(allowConfig).fetch(new Request(`${GATEWAY}/hp/allow-list`, init), bindings, createExecutionContext());
    const fromFull = (await full.json()) as Echo;
    expect(fromHot).toEqual(fromFull);
    // Listed: accept, x-app, cookie (the session cookie removed). Gateway: stepgate-assertion,
    // x-forwarded-proto, x-forwarded-for (from CF-Connecting-IP). Runtime: host, cf-worker.
    expect(Object.keys(fromHot.headers).sort()).toEqual(["accept", "cf-worker", "cookie", "host", "stepgate-assertion", "x-app", "x-forwarded-for", "x-forwarded-proto"]);
    expect(fromHot.headers).toMatchObject({ accept: "text/html", "x-app": "kept", cookie: "app=1", "x-forwarded-for": "192.0.2.7" });
  });
});
