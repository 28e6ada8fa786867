/**
 * A failing storage binding on every route the gateway declares (enumerated from the app's route
 * table): each answers 503 with the generic SERVICE_UNAVAILABLE error, issues no session, and
 * forwards nothing; the only exceptions are routes that never touch storage (listed below, and
 * checked to need none). Proxied paths that need the account's Durable Object fail the same way.
 */
import { createExecutionContext, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import { addMember, forgeSessionToken } from "./admin-helpers";
import { enrolledUser, GATEWAY, originHits, type Client } from "./helpers";
import { concrete, config, declaredRoutes, isJsonRoute, VALID_JSON } from "./route-table";

const P = config.prefix;
const broken = () => Promise.reject(new Error("storage unavailable"));
const failingKv = { get: broken, put: broken, list: broken, delete: broken, getWithMetadata: broken };
const failingNamespace = {
  idFromName: (name: string) => env.ACCOUNT.idFromName(name),
  get: () => new Proxy({}, { get: () => () => Promise.reject(new Error("durable object unavailable")) }),
};

type Parts = { kv?: boolean; objects?: boolean; company?: boolean };
function brokenEnv(parts: Parts) {
  return {
    ...(env as unknown as Record<string, unknown>),
    DEMO_SEED: "false",
    ...(parts.kv ? { KV: failingKv } : {}),
    ...(parts.objects ? { ACCOUNT: failingNamespace, COMPANY: failingNamespace } : {}),
    ...(parts.company ? { COMPANY: failingNamespace } : {}),
  } as never;
}

async function call(bindings: never, path: string, init: RequestInit = {}) {
  const app = appFor(getConfig(bindings));
  return app.fetch(new Request(`${GATEWAY}${path}`, init), bindings, createExecutionContext());
}

/** Routes that need no storage at all, so they still answer (nothing to let through). */
const STORAGE_FREE = new Set([
  `GET ${P}/healthz`,
  `GET ${P}/jwks.json`,
  `GET ${P}/dev/clock`,
  `POST ${P}/dev/clock`,
  `GET ${P}/login`, // a signed-in session is sent on to its step: a redirect, nothing read
  `GET ${P}/enroll`,
  `GET ${P}/enroll/select`,
  `GET ${P}/enroll/sms`,
  `GET ${P}/signout`,
  `GET ${P}/verify`,
  `GET ${P}/settings/verify`,
  `GET ${P}`,
  `GET ${P}/challenge`, // a fully signed-in session is redirected away from the challenge page
  `POST ${P}/challenge`,
  `GET ${P}/enroll/totp`, // a session that has not just passed a second factor is sent to verify first
  `GET ${P}/recovery-code`,
  `POST ${P}/api/sso/start`, // an email outside every SSO domain is told "password" from configuration alone
]);

function requestFor(method: string, path: string, cookie: string): RequestInit {
  const headers: Record<string, string> = { cookie, origin: GATEWAY };
  if (method === "GET") return { method, headers: { ...headers, accept: isJsonRoute(path) ? "application/json" : "text/html" } };
  if (isJsonRoute(path)) {
    const valid = VALID_JSON[`${method} ${path}`];
    return { method, headers: { ...headers, "content-type": "application/json", accept: "application/json" }, body: valid ? JSON.stringify(valid) : null };
  }
  return {
    method,
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    body: "email=admin%40demo.test&password=stepgate-demo-password&method=totp&code=123456&next=%2F",
  };
}


const ENDS_SESSION = new Set([`POST ${P}/signout`, `DELETE ${P}/api/session`, `POST ${P}/admin/reverify`]);
/** The declared routes, the ones that end the session last. */
const routesInOrder = () => [...declaredRoutes()].sort((a, b) => Number(ENDS_SESSION.has(`${a.method} ${a.path}`)) - Number(ENDS_SESSION.has(`${b.method} ${b.path}`)));

describe.each([
  ["KV", { kv: true }],
  ["Durable Objects", { objects: true }],
  ["KV and Durable Objects", { kv: true, objects: true }],
] as const)("with %s failing", (_name, parts: Parts) => {
  // A company admin of its own, fully signed in: a sign-out route that works without the failing
  // store ends (and revokes in this isolate) the session, so that route test comes last.
  let admin: Client;
  beforeAll(async () => {
    const id = `sf-admin-${Object.keys(parts).join("-")}`;
    await addMember({ id, email: `${id}@demo.test`, role: "company_admin", permissions: { companyAdmin: true, directory: true } });
    ({ client: admin } = await enrolledUser(`${id}@demo.test`));
  });

  it("a session due for renewal gets 503 on every gateway route that reads the session, and on proxied paths", async () => {
    const token = await forgeSessionToken(admin, {}, 400); // older than the re-mint age: the account object must be asked
    const cookie = `__Host-stepgate=${token}`;
    const leaks: string[] = [];
    for (const { method, path } of routesInOrder()) {
      if (path === `${P}/healthz` || path === `${P}/jwks.json` || path.startsWith(`${P}/dev/`)) continue; // before the session is read
      const response = await call(brokenEnv(parts), concrete(path), requestFor(method, path, cookie));
      if (response.status !== 503) leaks.push(`${method} ${path} -> ${response.status}`);
    }
    expect(leaks).toEqual([]);
    const tag = Object.keys(parts).join("-");
    for (const path of [`/sfr/${tag}/page`, `/payments/sfr-${tag}`]) {
      const response = await call(brokenEnv(parts), path, { headers: { cookie, accept: "application/json" } });
      expect(response.status, path).toBe(503);
      expect(await originHits(path)).toBe(0);
    }
  });

  it("a fresh session inside the payments tool is not forwarded when the account object fails", async () => {
    const cookie = `__Host-stepgate=${await forgeSessionToken(admin, {})}`;
    const path = `${config.paymentsPrefix}sfr-fresh-${Object.keys(parts).join("-")}`;
    const response = await call(brokenEnv(parts), path, { method: "POST", headers: { cookie, "content-type": "application/json", accept: "application/json" }, body: "{}" });
    if (parts.objects) expect(response.status, await response.clone().text()).toBe(503);
    else expect(response.status).toBeLessThan(500); // KV is not read there; the account object decides
    expect(await originHits(path)).toBe(0);
  });

  it("every declared route answers 503 (or needs no storage), with no session issued", async () => {
    const routes = routesInOrder();
    expect(routes.length).toBeGreaterThan(40);
    const leaks: string[] = [];
    const all = parts.kv && parts.objects;
    let unavailable = 0;
    for (const { method, path } of routes) {
      const key = `${method} ${path}`;
      const response = await call(brokenEnv(parts), concrete(path), requestFor(method, path, admin.cookie!));
      const text = await response.text();
      const setCookie = response.headers.get("set-cookie") ?? "";
      if (/__Host-stepgate=[^;]/.test(setCookie)) leaks.push(`${key} issued a session`);
      if (response.status === 503) {
        unavailable++;
        if (!text.includes("SERVICE_UNAVAILABLE")) leaks.push(`${key} -> 503 without the generic error`);
        continue;
      }
      if (response.status >= 500) leaks.push(`${key} -> ${response.status}`);
      // With every store down only the storage-free routes may answer anything but 503; with one
      // store down a route that needs only the other may work, but it never answers 5xx other than 503.
      else if (all && !STORAGE_FREE.has(key)) {
        // Otherwise only a refusal decided from the request alone (a missing field or parameter).
        const location = response.headers.get("location") ?? "";
        const refused = (response.status >= 400 && response.status < 500) || (response.status === 303 && location.startsWith(`${P}/`));
        if (!refused) leaks.push(`${key} -> ${response.status} ${location}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(unavailable).toBeGreaterThan(all ? 35 : 10);
  });
});

describe("with only the company object failing (directory table, audit log, SSO logins)", () => {
  it("no route answers anything but 503 for an error, and the admin tool, which reads it, is refused", async () => {
    const id = "sf-admin-company";
    await addMember({ id, email: `${id}@demo.test`, role: "company_admin", permissions: { companyAdmin: true, directory: true } });
    const { client: admin } = await enrolledUser(`${id}@demo.test`);
    const leaks: string[] = [];
    for (const { method, path } of routesInOrder()) {
      const response = await call(brokenEnv({ company: true }), concrete(path), requestFor(method, path, admin.cookie!));
      await response.arrayBuffer();
      if (response.status >= 500 && response.status !== 503) leaks.push(`${method} ${path} -> ${response.status}`);
      // The admin tool reads the directory there: refused (503, or 403 when the admin cannot be confirmed), never served.
      if (path.startsWith(`${P}/api/admin/`) && !path.endsWith("/settings") && ![403, 503].includes(response.status)) leaks.push(`${method} ${path} -> ${response.status} (admin)`);
    }
    expect(leaks).toEqual([]);
  });
});
