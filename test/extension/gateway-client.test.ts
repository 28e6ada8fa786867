// Verification from the popup goes to the gateway's JSON endpoint with the person's session;
// each answer maps to one outcome, and a grant or recovery code in the answer is never kept.
import { beforeEach, describe, expect, test } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { sendChallengeSms, verifyChallenge } from "../../extension/lib/gateway-client";
import { handleMessage, safeNextPath, type RouterDeps } from "../../extension/lib/router";
import { gatewaysItem, snapshotsItem } from "../../extension/lib/storage";
import { describeVerifyError } from "../../extension/lib/verify-errors";
import { challenge, GATEWAY, NOW, OTHER, scriptedFetch } from "./fixtures";

const ID = "chal_0123456789abcdef";
const VERIFY = `/api/challenges/${ID}/verify`;
const error = (status: number, code: string, extra: object = {}) => ({ status, body: { error: { code, message: "m", ...extra } } });

describe("verifyChallenge", () => {
  test("POSTs JSON with credentials to the challenge's verify endpoint", async () => {
    const { fetch, calls } = scriptedFetch({ [VERIFY]: { status: 200, body: { next: "done" } } });
    expect(await verifyChallenge(fetch, GATEWAY, ID, "totp", "123456")).toEqual({ ok: true, next: "done", approvedAction: false });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe(`https://app.example.com/_stepgate${VERIFY}`);
    expect(calls[0]?.init).toMatchObject({ method: "POST", credentials: "include", body: '{"method":"totp","code":"123456"}' });
    expect(calls[0]?.init?.headers).toMatchObject({ "Content-Type": "application/json" });
    expect(calls[0]?.init?.headers).not.toHaveProperty("Stepgate-Passive"); // entering a code is activity
  });

  test("a grant only tells the popup an action was approved; its value is dropped", async () => {
    const { fetch } = scriptedFetch({ [VERIFY]: { status: 200, body: { next: "done", grant: "g-secret", recoveryCode: "1".repeat(32) } } });
    const outcome = await verifyChallenge(fetch, GATEWAY, ID, "totp", "123456");
    expect(outcome).toEqual({ ok: true, next: "done", approvedAction: true });
    expect(JSON.stringify(outcome)).not.toMatch(/g-secret|1{32}/);
  });

  test.each([
    [error(401, "INVALID_CODE"), { ok: false, code: "INVALID_CODE" }],
    [error(400, "INVALID_CODE_FORMAT"), { ok: false, code: "INVALID_CODE_FORMAT" }],
    [error(429, "TOO_MANY_ATTEMPTS", { retryAfterSeconds: 42 }), { ok: false, code: "TOO_MANY_ATTEMPTS", retryAfterSeconds: 42 }],
    [error(404, "CHALLENGE_NOT_FOUND"), { ok: false, code: "CHALLENGE_NOT_FOUND" }],
    [error(410, "CHALLENGE_EXPIRED"), { ok: false, code: "CHALLENGE_EXPIRED" }],
    [error(403, "METHOD_UNAVAILABLE"), { ok: false, code: "METHOD_UNAVAILABLE" }],
    [error(401, "UNAUTHENTICATED"), { ok: false, code: "UNAUTHENTICATED" }],
    [error(403, "CROSS_SITE_REQUEST"), { ok: false, code: "CROSS_SITE_REQUEST" }],
    [{ status: 502, body: "<html>bad gateway</html>" }, { ok: false, code: "UNKNOWN" }],
    ["network-error" as const, { ok: false, code: "NETWORK" }],
  ])("answer %j -> %j", async (route, expected) => {
    const { fetch } = scriptedFetch({ [VERIFY]: route });
    expect(await verifyChallenge(fetch, GATEWAY, ID, "totp", "123456")).toEqual(expected);
  });
});

describe("sendChallengeSms", () => {
  const SMS = `/api/challenges/${ID}/sms`;

  test("POSTs {} with credentials to the challenge's sms endpoint and keeps only the masked number", async () => {
    const { fetch, calls } = scriptedFetch({ [SMS]: { status: 200, body: { sent: true, phone: "•••• 0143", expiresInSeconds: 600 } } });
    expect(await sendChallengeSms(fetch, GATEWAY, ID)).toEqual({ ok: true, phone: "•••• 0143" });
    expect(calls[0]?.url).toBe(`https://app.example.com/_stepgate${SMS}`);
    expect(calls[0]?.init).toMatchObject({ method: "POST", credentials: "include", body: "{}" });
  });

  test.each([
    [error(429, "SMS_RATE_LIMITED", { retryAfterSeconds: 30 }), { ok: false, code: "SMS_RATE_LIMITED", retryAfterSeconds: 30 }],
    [error(502, "SMS_NOT_SENT"), { ok: false, code: "SMS_NOT_SENT" }],
    [error(400, "METHOD_UNAVAILABLE"), { ok: false, code: "METHOD_UNAVAILABLE" }],
    [{ status: 200, body: { sent: true, phone: "x".repeat(40) } }, { ok: false, code: "UNKNOWN" }],
    ["network-error" as const, { ok: false, code: "NETWORK" }],
  ])("answer %j -> %j", async (route, expected) => {
    const { fetch } = scriptedFetch({ [SMS]: route });
    expect(await sendChallengeSms(fetch, GATEWAY, ID)).toEqual(expected);
  });
});

test("every error code has its own message; unknown codes a generic one", () => {
  const codes = ["INVALID_CODE", "INVALID_CODE_FORMAT", "TOO_MANY_ATTEMPTS", "CHALLENGE_NOT_FOUND", "CHALLENGE_EXPIRED", "METHOD_UNAVAILABLE", "UNAUTHENTICATED", "CROSS_SITE_REQUEST", "NETWORK", "SMS_RATE_LIMITED", "SMS_NOT_SENT"];
  const messages = codes.map((code) => describeVerifyError(code));
  expect(new Set(messages).size).toBe(codes.length);
  expect(describeVerifyError("TOO_MANY_ATTEMPTS", 42)).toBe("Too many attempts. Try again in 42 s.");
  expect(describeVerifyError("SOMETHING_NEW")).toBe("Something went wrong. Try again on the site.");
});

describe("the verify message in the background", () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await gatewaysItem.setValue([GATEWAY]);
  });

  function routerDeps(routes: Parameters<typeof scriptedFetch>[0]): RouterDeps & { calls: ReturnType<typeof scriptedFetch>["calls"] } {
    const { fetch, calls } = scriptedFetch(routes);
    return { fetch, calls, now: () => NOW, hasAccess: async () => true, syncContentScript: async () => {} };
  }
  const verifyMessage = (origin: string) => ({ from: "page" as const, message: { type: "verify" as const, origin, challengeId: ID, method: "totp" as const, code: "123456" } });

  test("success refreshes the gateway (the badge clears) and moves waiting challenge tabs on", async () => {
    const d = routerDeps({ [VERIFY]: { status: 200, body: { next: "done" } }, "/api/challenges": { status: 200, body: { challenges: [] } } });
    await snapshotsItem.setValue({ [GATEWAY.origin]: { status: "ok", challenges: [challenge()], idleExpiresAt: null, checkedAt: NOW } });
    const signIn = await fakeBrowser.tabs.create({ url: `${GATEWAY.origin}/_stepgate/challenge?next=%2Fpayments%2F` });
    const stepUp = await fakeBrowser.tabs.create({ url: `${GATEWAY.origin}/_stepgate/verify?id=${ID}&next=%2Fpayments%2F` });
    const sneaky = await fakeBrowser.tabs.create({ url: `${GATEWAY.origin}/_stepgate/challenge?next=%2F%2Fevil.example.net%2F` });
    const other = await fakeBrowser.tabs.create({ url: `${GATEWAY.origin}/payments/` });
    const reloaded: number[] = [];
    Object.assign(fakeBrowser.tabs, { reload: async (id: number) => void reloaded.push(id) });
    expect(await handleMessage(d, verifyMessage(GATEWAY.origin))).toEqual({ ok: true, approvedAction: false });
    expect((await snapshotsItem.getValue())[GATEWAY.origin]?.challenges).toEqual([]);
    expect(await fakeBrowser.action.getBadgeText({})).toBe("");
    expect((await fakeBrowser.tabs.get(signIn.id!)).url).toBe(`${GATEWAY.origin}/payments/`);
    expect((await fakeBrowser.tabs.get(stepUp.id!)).url).toBe(`${GATEWAY.origin}/payments/`);
    expect((await fakeBrowser.tabs.get(sneaky.id!)).url).toContain("/_stepgate/challenge"); // never sent off-site: reloaded instead
    expect(reloaded).toEqual([sneaky.id]);
    expect((await fakeBrowser.tabs.get(other.id!)).url).toBe(`${GATEWAY.origin}/payments/`);
  });

  test("an approved sensitive action reloads only its own /verify tab, which then shows Continue", async () => {
    const d = routerDeps({ [VERIFY]: { status: 200, body: { next: "done", grant: "GrantGrantGrant0123" } }, "/api/challenges": { status: 200, body: { challenges: [] } } });
    const own = await fakeBrowser.tabs.create({ url: `${GATEWAY.origin}/_stepgate/verify?id=${ID}&next=%2Fpayments%2F` });
    const otherStepUp = await fakeBrowser.tabs.create({ url: `${GATEWAY.origin}/_stepgate/verify?id=AnotherChallenge0000&next=%2Fpayments%2F` });
    const signIn = await fakeBrowser.tabs.create({ url: `${GATEWAY.origin}/_stepgate/challenge?next=%2F` });
    const reloaded: number[] = [];
    Object.assign(fakeBrowser.tabs, { reload: async (id: number) => void reloaded.push(id) });
    const reply = await handleMessage(d, verifyMessage(GATEWAY.origin));
    expect(reply).toEqual({ ok: true, approvedAction: true });
    expect(JSON.stringify(reply)).not.toContain("GrantGrantGrant0123"); // the extension never holds it
    expect(reloaded).toEqual([own.id]);
    expect((await fakeBrowser.tabs.get(own.id!)).url).toContain(`/_stepgate/verify?id=${ID}`); // not sent to next
    expect((await fakeBrowser.tabs.get(own.id!)).active).toBe(true); // its Continue is the next step
    expect((await fakeBrowser.tabs.get(otherStepUp.id!)).url).toContain("id=AnotherChallenge0000");
    expect((await fakeBrowser.tabs.get(signIn.id!)).url).toContain("/_stepgate/challenge");
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toContain("GrantGrantGrant0123");
  });

  test("another gateway page refreshes when a challenge is shown (at once), or the idle countdown (at most every 2 s)", async () => {
    const d = routerDeps({ "/api/challenges": { status: 200, body: { challenges: [] } }, "/api/me": { status: 200, body: {} } });
    const pageShown = { from: "content" as const, gateway: GATEWAY, tabId: 1, message: { type: "page-shown" as const } };
    await handleMessage(d, pageShown); // nothing known yet: no call
    await snapshotsItem.setValue({ [GATEWAY.origin]: { status: "ok", challenges: [], idleExpiresAt: null, checkedAt: NOW - 60_000 } });
    await handleMessage(d, pageShown); // nothing shown: no call
    await snapshotsItem.setValue({ [GATEWAY.origin]: { status: "ok", challenges: [], idleExpiresAt: NOW + 60_000, checkedAt: NOW - 1_000 } });
    await handleMessage(d, pageShown); // the countdown alone, checked a second ago: no call
    expect(d.calls).toEqual([]);
    // A challenge checked a moment ago may just have been answered on this page: ask at once.
    await snapshotsItem.setValue({ [GATEWAY.origin]: { status: "ok", challenges: [challenge()], idleExpiresAt: null, checkedAt: NOW - 100 } });
    await fakeBrowser.action.setBadgeText({ text: "1" });
    await handleMessage(d, pageShown);
    expect(d.calls.map((call) => new URL(call.url).pathname).sort()).toEqual(["/_stepgate/api/challenges", "/_stepgate/api/me"]);
    expect((await snapshotsItem.getValue())[GATEWAY.origin]?.challenges).toEqual([]);
    expect(await fakeBrowser.action.getBadgeText({})).toBe("");
    await snapshotsItem.setValue({ [GATEWAY.origin]: { status: "ok", challenges: [], idleExpiresAt: NOW + 60_000, checkedAt: NOW - 5_000 } });
    await handleMessage(d, pageShown); // the countdown, checked 5 s ago: asked again
    expect(d.calls).toHaveLength(4);
  });

  test("safeNextPath accepts same-origin paths only", () => {
    expect(safeNextPath("/payments/?a=1")).toBe("/payments/?a=1");
    for (const bad of [null, "", "payments", "//evil.example.net", "/\\evil.example.net", "https://evil.example.net/"]) expect(safeNextPath(bad)).toBeNull();
  });

  test("a gateway that is not watched is never called", async () => {
    const d = routerDeps({});
    expect(await handleMessage(d, verifyMessage(OTHER.origin))).toEqual({ ok: false, code: "UNWATCHED_ORIGIN" });
    const sms = { from: "page" as const, message: { type: "send-sms" as const, origin: OTHER.origin, challengeId: ID } };
    expect(await handleMessage(d, sms)).toEqual({ ok: false, code: "UNWATCHED_ORIGIN" });
    expect(d.calls).toEqual([]);
  });

  test("a text message is asked for on the watched gateway, and a code from it verifies with method sms", async () => {
    const d = routerDeps({
      [`/api/challenges/${ID}/sms`]: { status: 200, body: { sent: true, phone: "•••• 0143", expiresInSeconds: 600 } },
      [VERIFY]: { status: 200, body: { next: "done" } },
      "/api/challenges": { status: 200, body: { challenges: [] } },
    });
    expect(await handleMessage(d, { from: "page", message: { type: "send-sms", origin: GATEWAY.origin, challengeId: ID } })).toEqual({ ok: true, phone: "•••• 0143" });
    const verified = await handleMessage(d, { from: "page", message: { type: "verify", origin: GATEWAY.origin, challengeId: ID, method: "sms", code: "654321" } });
    expect(verified).toEqual({ ok: true, approvedAction: false });
    expect(d.calls.find((call) => call.url.endsWith(VERIFY))?.init?.body).toBe('{"method":"sms","code":"654321"}');
  });
});
