/**
 * A session before its second factor (stage `mfa` or `enroll`) reaches only its own step,
 * enrollment and sign-out. Every route the gateway app declares is enumerated from the app
 * itself, so a route added later is covered without editing this file: it must refuse a
 * pre-MFA session (no 2xx; a redirect only to sign-in or the step) unless listed below.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import type { Bindings } from "../../worker/env";
import { enrolledUser, originHits, signIn, type Client } from "./helpers";

const config = getConfig(env as unknown as Bindings);
const P = config.prefix;

/** Routes that may answer 2xx to a pre-MFA session, and why. */
const OPEN_TO_BOTH = new Set([
  `GET ${P}/healthz`, // public
  `GET ${P}/jwks.json`, // public
  `GET ${P}/api/me`, // the session's own stage, so a client knows its next step
  `GET ${P}/api/challenges`, // the session's own pending challenges (its step)
  `GET ${P}/api/payments`, // the session's payments idle state: null before the second factor
  `GET ${P}/signout`,
  `POST ${P}/signout`,
  `DELETE ${P}/api/session`,
  `GET ${P}/enroll`, // static "Two-Factor Authentication Required" page
  `GET ${P}/enroll/select`, // static method list
]);
const OPEN_TO_STAGE: Record<"mfa" | "enroll", Set<string>> = {
  mfa: new Set([`GET ${P}/challenge`]),
  enroll: new Set([`POST ${P}/api/enroll/totp`, `POST ${P}/enroll/totp`, `GET ${P}/enroll/sms`]),
};
/** Development-mode tools (outbox, clock, …) are public there and absent (404) in production. */
const isDevTool = (key: string) => key.startsWith(`GET ${P}/dev/`);
const STEP_TARGETS = [`${P}/login`, `${P}/challenge`, `${P}/enroll`];

function declaredRoutes(): Array<{ method: string; path: string }> {
  const seen = new Set<string>();
  const routes: Array<{ method: string; path: string }> = [];
  for (const route of appFor(config).routes) {
    if (route.path.includes("*")) continue; // middleware and catch-alls
    const methods = route.method === "ALL" ? ["GET", "POST"] : [route.method];
    for (const method of methods) {
      const key = `${method} ${route.path}`;
      if (!seen.has(key)) routes.push({ method, path: route.path });
      seen.add(key);
    }
  }
  return routes;
}

function requestFor(method: string, path: string): RequestInit & { json?: unknown } {
  const isApi = path.startsWith(`${P}/api/`);
  const accept = isApi ? "application/json" : "text/html";
  if (method === "GET" || method === "HEAD") return { method, headers: { accept, ...(isApi ? {} : { "sec-fetch-mode": "navigate" }) } };
  if (isApi) return { method, json: {} };
  return { method, headers: { "content-type": "application/x-www-form-urlencoded", accept }, body: "next=%2F" };
}

let mfaEmail = "payor@demo.test";
beforeAll(async () => {
  await enrolledUser(mfaEmail); // from now on payor@demo.test signs in to the `mfa` step
});

async function sessionAt(stage: "mfa" | "enroll"): Promise<Client> {
  const { client, body } = await signIn(stage === "mfa" ? mfaEmail : "user@demo.test");
  expect(body.next).toBe(stage);
  return client;
}

describe.each(["mfa", "enroll"] as const)("a session at the %s step", (stage) => {
  it("is refused by every gateway route except its step, enrollment and sign-out", async () => {
    const routes = declaredRoutes();
    expect(routes.length).toBeGreaterThan(20);
    const leaks: string[] = [];
    for (const { method, path } of routes) {
      const concrete = path.replace(/:[A-Za-z]+/g, "AAAAAAAAAAAAAAAAAAAAAA");
      const response = await (await sessionAt(stage)).fetch(concrete, requestFor(method, concrete));
      const key = `${method} ${path}`;
      const open = OPEN_TO_BOTH.has(key) || OPEN_TO_STAGE[stage].has(key) || isDevTool(key);
      const location = response.headers.get("location") ?? "";
      if (response.status >= 500) leaks.push(`${key} -> ${response.status}`);
      if (!open && response.status >= 200 && response.status < 300) leaks.push(`${key} -> ${response.status}`);
      if (response.status >= 300 && response.status < 400 && !STEP_TARGETS.some((target) => location.startsWith(target))) leaks.push(`${key} -> ${location}`);
    }
    expect(leaks).toEqual([]);
  });

  it("never reaches the origin on a proxied path, by navigation, fetch or a state-changing call", async () => {
    const c = await sessionAt(stage);
    const page = await c.fetch(`/pre-mfa-${stage}`, { headers: { accept: "text/html", "sec-fetch-mode": "navigate" } });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe(stage === "mfa" ? `${P}/challenge?next=%2Fpre-mfa-${stage}` : `${P}/enroll?next=%2Fpre-mfa-${stage}`);
    const fetched = await c.fetch(`/pre-mfa-${stage}`, { headers: { accept: "application/json" } });
    expect(fetched.status).toBe(stage === "mfa" ? 401 : 403);
    // A path of this test's own: the origin stub counts hits across test files.
    const post = await c.fetch(`/pre-mfa-${stage}/disbursements`, { method: "POST", json: { amount: 1, payee: "x" }, headers: { accept: "application/json" } });
    expect([401, 403]).toContain(post.status);
    expect(await originHits(`/pre-mfa-${stage}`)).toBe(0);
    expect(await originHits(`/pre-mfa-${stage}/disbursements`)).toBe(0);
  });
});
