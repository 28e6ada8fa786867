/**
 * The payments tool: a fresh second factor at every entry, a single-use grant bound to each
 * sensitive request, idle re-authentication after 30 minutes (Worker clock), and the origin never
 * called for a refused request.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../worker/config";
import { liveSession } from "../../worker/do/account-sessions";
import { accountStub, enrolledUser, originHits, sessionClaimsOf, totpCode, type Client } from "./helpers";

interface ChallengeBody {
  error: { code: string };
  challenge: { id: string; reason: string; methods: string[]; action?: { summary: string; method: string; path: string } };
}

const api = { accept: "application/json" };
let stepSkew = 0;
/** A TOTP code for a step no earlier than any used before in this file (±1 window). */
async function nextCode(secret: string) {
  return totpCode(secret, Date.now() + 30_000 * stepSkew++);
}

async function pass(c: Client, challengeId: string, secret: string) {
  const response = await c.fetch(`/_stepgate/api/challenges/${challengeId}/verify`, { method: "POST", json: { method: "totp", code: await nextCode(secret) } });
  expect(response.status).toBe(200);
  return (await response.json()) as { next: string; grant?: string };
}

async function enterPayments(c: Client, secret: string) {
  const first = await c.fetch("/payments/", { headers: api });
  expect(first.status).toBe(401);
  const body = (await first.json()) as ChallengeBody;
  expect(body.challenge.reason).toBe("payments_entry");
  await pass(c, body.challenge.id, secret);
}

describe("payments entry", () => {
  it("asks for a fresh second factor right after sign-in, and at every entry after leaving", async () => {
    stepSkew = 0;
    const { client: c, secret } = await enrolledUser("payor@demo.test");
    const refused = await c.fetch("/payments/entry-check", { headers: api });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Stepgate challenge="[A-Za-z0-9_-]+"$/);
    const body = (await refused.json()) as ChallengeBody;
    expect(body.error.code).toBe("CHALLENGE_REQUIRED");
    expect(body.challenge).toMatchObject({ reason: "payments_entry", methods: ["totp", "recovery"] });
    expect(await originHits("/payments/entry-check")).toBe(0);

    const verified = await pass(c, body.challenge.id, secret);
    expect(verified).toEqual({ next: "done" });
    const inside = await c.fetch("/payments/entry-check", { headers: api });
    expect(inside.status).toBe(200);
    const echo = (await inside.json()) as { headers: Record<string, string> };
    const assertion = JSON.parse(atob(echo.headers["stepgate-assertion"]!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    expect(assertion.pay_at).toBeGreaterThan(0);
    expect(sessionClaimsOf(c).pay).toBe(1);

    // Still inside: sub-resources and API calls outside the prefix do not end the visit.
    expect((await c.fetch("/static/app.css", { headers: { "sec-fetch-mode": "no-cors" } })).status).toBe(200);
    expect((await c.fetch("/payments/entry-check", { headers: api })).status).toBe(200);
    // A page navigation elsewhere does: the next entry is challenged again.
    expect((await c.fetch("/dashboard", { headers: { "sec-fetch-mode": "navigate" } })).status).toBe(200);
    expect(sessionClaimsOf(c).pay).toBeUndefined();
    const again = await c.fetch("/payments/entry-check", { headers: api });
    expect(again.status).toBe(401);
    expect(((await again.json()) as ChallengeBody).challenge.reason).toBe("payments_entry");
  });

  it("a page navigation is sent to the challenge page and comes back to where it was going", async () => {
    const { client: c } = await enrolledUser("user@demo.test");
    const response = await c.fetch("/payments/agreements?tab=open", { headers: { "sec-fetch-mode": "navigate" } });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toMatch(/^\/_stepgate\/verify\?id=[A-Za-z0-9_-]+&next=%2Fpayments%2Fagreements%3Ftab%3Dopen$/);
    const page = await (await c.fetch(response.headers.get("location")!)).text();
    expect(page).toContain("Payments needs a fresh verification every time you enter it.");
  });
});

describe("sensitive actions", () => {
  it("each needs its own code; the grant works once, for that exact request only", async () => {
    stepSkew = 0;
    const { client: c, secret } = await enrolledUser("payee@demo.test");
    await enterPayments(c, secret);
    // The origin stub counts across test files: compare with the count before this test.
    const before = await originHits("/payments/disbursements");
    const create = { amount: "12400", payee: "Acme Drywall" };
    const refused = await c.fetch("/payments/disbursements", { method: "POST", json: create, headers: api });
    expect(refused.status).toBe(401);
    const { challenge } = (await refused.json()) as ChallengeBody;
    expect(challenge.reason).toBe("sensitive_action");
    expect(challenge.action).toEqual({ summary: "Create a disbursement of $12,400.00 to Acme Drywall", method: "POST", path: "/payments/disbursements" });
    expect(await originHits("/payments/disbursements")).toBe(before);

    const { grant } = await pass(c, challenge.id, secret);
    expect(grant).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    const withGrant = (json: unknown) => c.fetch("/payments/disbursements", { method: "POST", json, headers: { ...api, "stepgate-grant": grant! } });

    // Another amount or payee is another request: refused with a new challenge, grant untouched.
    expect((await withGrant({ ...create, amount: "99999" })).status).toBe(401);
    expect((await withGrant({ ...create, payee: "Mallory Inc" })).status).toBe(401);
    expect(await originHits("/payments/disbursements")).toBe(before);

    const approved = await withGrant(create);
    expect(approved.status).toBe(200);
    const echo = (await approved.json()) as { body: string; headers: Record<string, string> };
    expect(JSON.parse(echo.body)).toEqual(create);
    const assertion = JSON.parse(atob(echo.headers["stepgate-assertion"]!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    expect(assertion.grant).toBe(grant);
    expect(echo.headers["stepgate-grant"]).toBeUndefined();

    expect((await withGrant(create)).status).toBe(401); // used once
    // Case variants are the same action to a case-insensitive origin: same rules, no bypass.
    for (const path of ["/PAYMENTS/disbursements", "/Payments/Disbursements/"]) {
      const variant = await c.fetch(path, { method: "POST", json: create, headers: api });
      expect(variant.status, path).toBe(401);
      expect(((await variant.json()) as ChallengeBody).challenge.reason).toBe("sensitive_action");
    }
    expect(await originHits("/payments/disbursements")).toBe(before + 1);
  });

  it("twenty concurrent replays of one grant yield one success", async () => {
    stepSkew = 0;
    const { client: c, secret } = await enrolledUser("admin@demo.test");
    await enterPayments(c, secret);
    const refused = await c.fetch("/payments/agreements/a1/accept", { method: "POST", json: {}, headers: api });
    const { challenge } = (await refused.json()) as ChallengeBody;
    expect(challenge.action?.summary).toBe("Accept payments agreement a1");
    const { grant } = await pass(c, challenge.id, secret);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => c.fetch("/payments/agreements/a1/accept", { method: "POST", json: {}, headers: { ...api, "stepgate-grant": grant! } })),
    );
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(await originHits("/payments/agreements/a1/accept")).toBe(1);
  });
});

describe("payments idle and grant expiry (injected clock)", () => {
  async function sessionInsidePayments(userId: string, t0: number) {
    return runInDurableObject(accountStub(userId), async (_instance, state) => {
      const sid = `test-${crypto.randomUUID()}`.replace(/[^A-Za-z0-9_-]/g, "");
      state.storage.kv.put(`session:${sid}`, { sid, stage: "done", createdAtMs: t0, authTimeMs: t0, mfaAtMs: t0, amr: ["pwd", "otp"], lastSeenMs: t0, payments: { verifiedAtMs: t0, lastSeenMs: t0 } });
      return sid;
    });
  }

  it("29:59 without a request passes, 30:01 is challenged, and stays challenged until verified", async () => {
    const account = accountStub("demo-user");
    const t0 = Date.now();
    const sid = await sessionInsidePayments("demo-user", t0);
    const t1 = t0 + (29 * 60 + 59) * 1000;
    expect(await account.authorizePayments(sid, {}, t1)).toMatchObject({ kind: "allowed" });
    const late = await account.authorizePayments(sid, {}, t1 + (30 * 60 + 1) * 1000);
    expect(late).toMatchObject({ kind: "challenge", challenge: { reason: "idle" } });
    expect(await account.authorizePayments(sid, {}, t1 + (30 * 60 + 2) * 1000)).toMatchObject({ kind: "challenge", challenge: { reason: "idle" } });
    expect(await account.paymentsState(sid, t1)).toEqual({ verifiedAtMs: t0, lastSeenMs: t1 });
  });

  it("a grant is refused after it expires, for another session and for another media type", async () => {
    const account = accountStub("demo-user");
    const t0 = Date.now();
    const sid = await sessionInsidePayments("demo-user", t0);
    const other = await sessionInsidePayments("demo-user", t0);
    const action = { method: "POST", path: "/payments/disbursements/d1/submit", mediaType: "", bodyHash: "x", summary: "Submit disbursement d1" };
    await runInDurableObject(account, async (_instance, state) => {
      state.storage.kv.put("grant:GRANTEXPIRING0000000", { id: "GRANTEXPIRING0000000", sid, action, expiresAtMs: t0 + 120_000 });
    });
    expect(await account.authorizePayments(other, { action, grantId: "GRANTEXPIRING0000000" }, t0 + 1000)).toMatchObject({ kind: "challenge" });
    expect(await account.authorizePayments(sid, { action, grantId: "GRANTEXPIRING0000000" }, t0 + 120_001)).toMatchObject({ kind: "challenge" });
    // The same bytes under another media type are another request.
    expect(await account.authorizePayments(sid, { action: { ...action, mediaType: "application/json" }, grantId: "GRANTEXPIRING0000000" }, t0 + 1000)).toMatchObject({ kind: "challenge" });
    expect(await account.authorizePayments(sid, { action, grantId: "GRANTEXPIRING0000000" }, t0 + 119_000)).toMatchObject({ kind: "allowed", grantId: "GRANTEXPIRING0000000" });
  });
});

describe("standard sessions", () => {
  it("have no idle timeout by default; a deployment can set one", async () => {
    const t0 = Date.now();
    const config = getConfig(env as unknown as Record<string, unknown>);
    expect(config.idleTimeoutSeconds).toBe(0);
    const sid = await sessionInsidePayments2(t0);
    const hoursLater = t0 + 11 * 3600_000;
    expect(await accountStub("demo-admin").touchSession(sid, hoursLater)).not.toBeNull();
    await runInDurableObject(accountStub("demo-admin"), async (_instance, state) => {
      const withIdle = { ...config, idleTimeoutSeconds: 900 };
      expect(liveSession(state.storage.kv, withIdle, sid, hoursLater + 899_000)).not.toBeNull();
      expect(liveSession(state.storage.kv, withIdle, sid, hoursLater + 901_000)).toBeNull();
    });
    expect(config.sessionMaxAgeSeconds).toBe(12 * 3600);
    expect(await accountStub("demo-admin").touchSession(sid, t0 + 12 * 3600_000 + 1000)).toBeNull();
  });
});

async function sessionInsidePayments2(t0: number) {
  return runInDurableObject(accountStub("demo-admin"), async (_instance, state) => {
    const sid = "standardSessionNoIdle0001";
    state.storage.kv.put(`session:${sid}`, { sid, stage: "done", createdAtMs: t0, authTimeMs: t0, amr: ["pwd"], lastSeenMs: t0 });
    return sid;
  });
}
