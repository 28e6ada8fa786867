/**
 * How fast an ended session stops working (the documented trade-off of docs/API.md "Session cookie
 * and token"): a reset, a deactivation or a sign-out is refused on the very next request inside the
 * payments tool (the payments decision reads the account object); everywhere else the session's
 * token, trusted for its re-mint interval, stops within 60 s: the full application and the hot
 * path (this isolate's cache of verified tokens) both refuse it then. A sign-out in this isolate
 * is refused here at once. The development clock moves the 60 s.
 */
import { createExecutionContext, env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import { hotPath } from "../../worker/hot-path";
import { addMember } from "./admin-helpers";
import { accountStub, enrolledUser, GATEWAY, originHits, sessionClaimsOf, signIn, totpCode, verify, type Client } from "./helpers";

/** The re-mint interval the documentation promises (SESSION_REMINT_AFTER_SECONDS default), pinned. */
const BOUND_SECONDS = 60;

const bindings = env as unknown as Record<string, unknown>;
const config = () => getConfig(bindings);
const json = { accept: "application/json" };

/** Two sessions of one person: one inside the payments tool, one signed in elsewhere (hot path). */
interface Victim {
  id: string;
  email: string;
  inPayments: Client;
  /** The Cookie header of each session, kept as it was before the session ended. */
  payments: string;
  elsewhere: string;
}

let admin: Client;
const victims: Record<"reset" | "deactivated" | "signedOutElsewhere" | "signedOutHere", Victim> = {} as never;

async function victim(name: string): Promise<Victim> {
  const id = `ends-${name}`;
  const email = `${id}@demo.test`;
  await addMember({ id, email });
  const { client: inPayments, secret, recoveryCode } = await enrolledUser(email);
  const entry = await inPayments.fetch("/payments/", { headers: json });
  const { challenge } = (await entry.json()) as { challenge: { id: string } };
  expect((await verify(inPayments, challenge.id, "totp", await totpCode(secret, Date.now() + 30_000))).status).toBe(200);
  expect((await inPayments.fetch("/payments/ends-before", { headers: json })).status).toBe(200);
  // A second sign-in (with the recovery code: the app's next codes are spent above).
  const { client: second, body } = await signIn(email);
  expect((await verify(second, body.challenge!.id, "recovery", recoveryCode)).status).toBe(200);
  expect((await second.fetch("/_stepgate/api/recovery-code/confirm", { method: "POST", json: { saved: true } })).status).toBe(200);
  // First sight of its token: the full application verifies it, and this isolate caches that.
  expect((await SELF.fetch(`${GATEWAY}/ends-warm`, { headers: { cookie: second.cookie! } })).status).toBe(200);
  expect(hotPath(new Request(`${GATEWAY}/ends-hot-control`, { headers: { cookie: second.cookie! } }), env as never, config())).not.toBeNull();
  return { id, email, inPayments, payments: inPayments.cookie!, elsewhere: second.cookie! };
}

beforeAll(async () => {
  ({ client: admin } = await enrolledUser("admin@demo.test"));
  victims.reset = await victim("reset");
  victims.deactivated = await victim("deactivated");
  victims.signedOutElsewhere = await victim("signed-out-elsewhere");
  victims.signedOutHere = await victim("signed-out-here");

  expect((await admin.fetch("/_stepgate/api/admin/reset-mfa", { method: "POST", json: { email: victims.reset.email, verified: true } })).status).toBe(200);
  expect((await admin.fetch(`/_stepgate/api/admin/users/${victims.deactivated.id}/deactivate`, { method: "POST", json: {} })).status).toBe(200);
  // A sign-out handled by another isolate: the account object ends the session; this isolate is not told.
  const elsewhere = victims.signedOutElsewhere;
  for (const cookie of [elsewhere.payments, elsewhere.elsewhere]) await accountStub(elsewhere.id).endSession(sessionClaimsOf({ cookie } as Client).sid);
  // A sign-out in this isolate, from each session's own cookie.
  const here = victims.signedOutHere;
  expect((await here.inPayments.fetch("/_stepgate/api/session", { method: "DELETE" })).status).toBe(200);
  expect((await SELF.fetch(`${GATEWAY}/_stepgate/api/session`, { method: "DELETE", headers: { cookie: here.elsewhere, origin: GATEWAY } })).status).toBe(200);
});

describe("inside the payments tool: refused on the very next request", () => {
  it.each(["reset", "deactivated", "signedOutElsewhere", "signedOutHere"] as const)("after %s", async (name) => {
    const token = victims[name].payments; // a copy: the signed-out browser itself has cleared it
    const path = `/payments/ends-next-${name}`;
    const api = await SELF.fetch(`${GATEWAY}${path}`, { headers: { ...json, cookie: token }, redirect: "manual" });
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
    expect(api.headers.get("set-cookie")).toMatch(/__Host-stepgate=;/);
    const page = await SELF.fetch(`${GATEWAY}${path}`, { headers: { "sec-fetch-mode": "navigate", cookie: token }, redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toMatch(/^\/_stepgate\/login\?next=/);
    expect(await originHits(path)).toBe(0);
  });
});

describe(`elsewhere: the session ends within ${BOUND_SECONDS} s`, () => {
  it("a sign-out in this isolate is refused here at once, by the hot path and the full application", async () => {
    const { elsewhere } = victims.signedOutHere;
    expect(hotPath(new Request(`${GATEWAY}/ends-now`, { headers: { cookie: elsewhere } }), env as never, config())).toBeNull();
    const response = await appFor(config()).fetch(new Request(`${GATEWAY}/ends-now`, { headers: { ...json, cookie: elsewhere } }), bindings, createExecutionContext());
    expect(response.status).toBe(401);
    expect(await originHits("/ends-now")).toBe(0);
  });

  it(`after ${BOUND_SECONDS} s a reset, a deactivation and a sign-out elsewhere are refused by the hot path and the full application`, async () => {
    const moved = await admin.fetch("/_stepgate/dev/clock", { method: "POST", json: { advanceSeconds: BOUND_SECONDS } });
    expect(((await moved.json()) as { offsetMs: number }).offsetMs).toBeGreaterThanOrEqual(BOUND_SECONDS * 1000);
    for (const name of ["reset", "deactivated", "signedOutElsewhere"] as const) {
      const { elsewhere } = victims[name];
      const path = `/ends-after-${name}`;
      // The hot path no longer takes the token: it is due for its checked re-mint.
      expect(hotPath(new Request(`${GATEWAY}${path}`, { headers: { cookie: elsewhere } }), env as never, config()), name).toBeNull();
      // The full application re-mints against the account object, finds no session, clears the cookie.
      const full = await appFor(config()).fetch(new Request(`${GATEWAY}${path}`, { headers: { ...json, cookie: elsewhere } }), bindings, createExecutionContext());
      expect(full.status, name).toBe(401);
      expect(full.headers.get("set-cookie"), name).toMatch(/__Host-stepgate=;/);
      // And end to end through the Worker's entry (hot path first, then the application).
      const viaWorker = await SELF.fetch(`${GATEWAY}${path}`, { headers: { ...json, cookie: elsewhere } });
      expect(viaWorker.status, name).toBe(401);
      expect(await originHits(path), name).toBe(0);
    }
  });
});
