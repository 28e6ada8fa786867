/**
 * Forced browsing to every route the gateway declares (enumerated from the app's route table), for
 * the two states pre-mfa-routes.security.test.ts does not cover: no session at all, and a session
 * that passed its second factor with the recovery code but has not yet saved the new one
 * (`save_recovery_code`). Neither may get a 2xx from any route except the few listed here, nor be
 * redirected anywhere but sign-in or its own step, nor reach the origin on any proxied path.
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { atLoginChallenge, client, enrolledUser, GATEWAY, originHits, verify, type Client } from "./helpers";
import { concrete, config, declaredRoutes, isJsonRoute, VALID_JSON } from "./route-table";

const P = config.prefix;
/** Development-mode tools (outbox, clock) are open there and absent (404) in production. */
const isDevTool = (key: string) => key.startsWith(`GET ${P}/dev/`) || key === `POST ${P}/dev/clock`;

/** Routes open to anyone (public keys and health, sign-in and static pages, sign-out). */
const OPEN_ANONYMOUS = new Set([
  `GET ${P}/healthz`,
  `GET ${P}/jwks.json`,
  `GET ${P}/login`,
  `POST ${P}/login`, // the form itself: with these fields a wrong password is a 401 page, so never 2xx here
  `POST ${P}/api/session`, // idem
  `POST ${P}/api/sso/start`, // "password" or the identity provider's address: no session
  `GET ${P}/signout`,
  `POST ${P}/signout`,
  `DELETE ${P}/api/session`,
  `GET ${P}/enroll`,
  `GET ${P}/enroll/select`,
]);

/** What a session that must first save its new recovery code may reach. */
const OPEN_SAVE_STEP = new Set([
  `GET ${P}/healthz`,
  `GET ${P}/jwks.json`,
  `GET ${P}/api/me`,
  `GET ${P}/api/challenges`,
  `GET ${P}/api/payments`,
  `GET ${P}/recovery-code`,
  `POST ${P}/recovery-code/new`,
  `POST ${P}/api/recovery-code`,
  `GET ${P}/settings/verify`, // verify it's you, for a new code after the 10-minute window (decision 0009)
  `POST ${P}/api/recovery-code/confirm`, // the step itself (tried last: it ends the step)
  `POST ${P}/recovery-code/confirm`,
  `POST ${P}/api/sso/start`, // no session involved
  `GET ${P}/signout`,
  `POST ${P}/signout`,
  `DELETE ${P}/api/session`,
  `GET ${P}/enroll`,
  `GET ${P}/enroll/select`,
]);

function requestFor(method: string, path: string): RequestInit & { json?: unknown } {
  if (method === "GET") return { method, headers: isJsonRoute(path) ? { accept: "application/json" } : { accept: "text/html", "sec-fetch-mode": "navigate" } };
  if (isJsonRoute(path)) {
    const valid = VALID_JSON[`${method} ${path}`];
    // Sign-in with a wrong password: forced browsing is about reaching things, not signing in.
    const json = path === `${P}/api/session` ? { email: "user@demo.test", password: "not-the-password" } : (valid ?? undefined);
    return json === undefined ? { method, headers: { accept: "application/json" } } : { method, json, headers: { accept: "application/json" } };
  }
  return {
    method,
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    body: "email=user%40demo.test&password=not-the-password&method=totp&code=123456&next=%2F",
  };
}

async function sweep(session: () => Promise<Client>, open: Set<string>, steps: string[]) {
  const leaks: string[] = [];
  // Routes that end the session go last, so the session is still there for every other route.
  const ends = (method: string, path: string) =>
    [`POST ${P}/signout`, `DELETE ${P}/api/session`, `POST ${P}/admin/reverify`, `POST ${P}/api/recovery-code/confirm`, `POST ${P}/recovery-code/confirm`].includes(`${method} ${path}`);
  const routes = [...declaredRoutes()].sort((a, b) => Number(ends(a.method, a.path)) - Number(ends(b.method, b.path)));
  for (const { method, path } of routes) {
    const key = `${method} ${path}`;
    const url = concrete(path);
    const response = await (await session()).fetch(url, requestFor(method, path));
    await response.arrayBuffer();
    const location = response.headers.get("location") ?? "";
    if (response.status >= 500) leaks.push(`${key} -> ${response.status}`);
    if (response.status >= 200 && response.status < 300 && !open.has(key) && !isDevTool(key)) leaks.push(`${key} -> ${response.status}`);
    if (response.status >= 300 && response.status < 400 && !steps.some((step) => location.startsWith(step))) leaks.push(`${key} -> ${location}`);
  }
  return leaks;
}

let saveStep: Client;
beforeAll(async () => {
  const { recoveryCode } = await enrolledUser("payor@demo.test");
  const { client: c, challengeId } = await atLoginChallenge("payor@demo.test");
  expect((await verify(c, challengeId, "recovery", recoveryCode)).status).toBe(200);
  saveStep = c; // its new recovery code is never confirmed, so it stays at this step
});

describe("forced browsing", () => {
  it("without a session: every declared route refuses or sends to sign-in", async () => {
    const routes = declaredRoutes();
    expect(routes.length).toBeGreaterThan(40);
    expect(await sweep(async () => client(), OPEN_ANONYMOUS, [`${P}/login`, `${P}/signout`])).toEqual([]);
  });

  it("at save_recovery_code: every declared route refuses or sends to the save step", async () => {
    expect(await sweep(async () => {
      const c = client();
      c.cookie = saveStep.cookie;
      return c;
    }, OPEN_SAVE_STEP, [`${P}/recovery-code`, `${P}/login`, `${P}/challenge?`])).toEqual([]);
  });

  it("neither reaches the origin on a proxied path, by any method", async () => {
    for (const [name, cookie] of [["anonymous", null], ["save-step", saveStep.cookie]] as const) {
      for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH"]) {
        const path = `/forced-${name}/${method.toLowerCase()}`;
        const headers: Record<string, string> = { accept: "application/json", "content-type": "application/json" };
        if (cookie) headers.cookie = cookie;
        const response = await SELF.fetch(`${GATEWAY}${path}`, { method, headers, body: method === "GET" ? null : "{}" });
        expect([401, 403], `${name} ${method}`).toContain(response.status);
        expect(await originHits(path)).toBe(0);
      }
      const payments = await SELF.fetch(`${GATEWAY}${config.paymentsPrefix}forced-${name}`, { headers: { accept: "application/json", ...(cookie ? { cookie } : {}) } });
      expect([401, 403]).toContain(payments.status);
      expect(await originHits(`${config.paymentsPrefix}forced-${name}`)).toBe(0);
    }
  });
});
