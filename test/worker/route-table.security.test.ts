/**
 * Attacks run against every state-changing route the gateway declares, enumerated from the app's
 * own route table (a route added later is attacked without editing this file; a JSON route without
 * a known-valid body below fails the completeness check):
 *  - cross-site requests (foreign or missing Origin, Sec-Fetch-Site: cross-site, simple content
 *    types, a spoofed Host) are refused with the CSRF answer;
 *  - malformed and oversized JSON (empty, not JSON, arrays and objects in place of values,
 *    non-ASCII digits, duplicate and extra members, 1 MB) and form bodies (duplicate fields, 1 MB)
 *    are refused with a 4xx;
 * and in every case nothing changed: the acting and target accounts' Durable Objects, the
 * company's Durable Object (directory, SSO logins, audit log) and KV are byte-for-byte the same.
 */
import { SELF, env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { accountStub, atLoginChallenge, enrolledUser, GATEWAY, type Client } from "./helpers";
import { concrete, config, declaredRoutes, isJsonRoute, VALID_JSON, writeRoutes } from "./route-table";

const P = config.prefix;

const MEGABYTE = "x".repeat(1024 * 1024);
const NON_ASCII_DIGITS = ["١٢٣٤٥٦", "１２３４５６", "۱۲۳۴۵۶", "१२३४५६"];

/** Members a route may omit, or send as null: leaving them out is not malformed. */
const OPTIONAL = new Set(["country", "next", "verified"]);
const NULLABLE = new Set(["deadline"]);
/** Members with a format (free text such as a password or `next` is not checked for one). */
const FORMATTED = new Set(["code", "phone", "email", "method", "timeZone", "deadline", "country"]);

/** Malformed variants of a valid body, each as raw request text. */
function malformedBodies(valid: Record<string, unknown>): string[] {
  const json = JSON.stringify(valid);
  const bodies = ["null", "[]", "1", '"x"', "true", "{", `{"a":1}}`, `[${json}]`, JSON.stringify({ ...valid, extra: 1 }), JSON.stringify({ ...valid, pad: MEGABYTE })];
  if (Object.keys(valid).length > 0) bodies.push("", "{}");
  for (const [field, value] of Object.entries(valid)) {
    if (!OPTIONAL.has(field)) bodies.push(JSON.stringify(Object.fromEntries(Object.entries(valid).filter(([key]) => key !== field))));
    const replacements: unknown[] = [[value], { value }, [], {}];
    if (!NULLABLE.has(field)) replacements.push(null);
    if (typeof value !== "number") replacements.push(12);
    if (typeof value !== "boolean") replacements.push(true);
    if (typeof value !== "string") replacements.push("x", "1");
    if (typeof value === "string") replacements.push(MEGABYTE);
    // Digits in another script, or a NUL after a valid value, where a field has a format.
    if (FORMATTED.has(field)) replacements.push(...NON_ASCII_DIGITS, `${value}\u0000`);
    for (const replacement of replacements) bodies.push(JSON.stringify({ ...valid, [field]: replacement }));
    // The same member twice: parsers disagree about which one wins.
    bodies.push(`${json.slice(0, -1)},${JSON.stringify(field)}:${JSON.stringify(value)}}`);
  }
  return bodies;
}

/** Everything the attacks could have changed. */
async function snapshot(): Promise<string> {
  const accounts = await Promise.all(
    ["demo-admin", "demo-user"].map((id) =>
      runInDurableObject(accountStub(id), async (_instance, state) => JSON.stringify([...state.storage.kv.list()])),
    ),
  );
  const company = await runInDurableObject(env.COMPANY.get(env.COMPANY.idFromName("company:demo-builders")), async (_instance, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf%' AND name NOT LIKE 'sqlite%' ORDER BY name")
      .toArray()
      .map((row) => row.name);
    // The audit log may grow (refusals are recorded with their reason); a success there would not.
    const successes = state.storage.sql.exec("SELECT event FROM audit WHERE outcome = 'success'").toArray();
    return JSON.stringify([successes, tables.filter((table) => table !== "audit").map((table) => [table, state.storage.sql.exec(`SELECT * FROM "${table}"`).toArray()])]);
  });
  const listed = await env.KV.list();
  const kv = await Promise.all(listed.keys.map(async (key) => [key.name, await env.KV.get(key.name)]));
  // A session's last activity moves with any request the session makes (idle timeouts): not a change.
  return JSON.stringify({ accounts, company, kv }).replace(/\\"lastSeenMs\\":\d+/g, "lastSeenMs");
}

let admin: Client;
let atChallenge: { client: Client; challengeId: string };
beforeAll(async () => {
  // A company admin with a second factor of seconds ago: every route would act for this session;
  // a second sign-in of the same admin waits at a real challenge, for the challenge routes.
  ({ client: admin } = await enrolledUser("admin@demo.test"));
  atChallenge = await atLoginChallenge("admin@demo.test");
  // A pending app set-up, so that its confirmation gets as far as reading the code.
  expect((await admin.fetch(`${P}/api/enroll/totp`, { method: "POST", json: {} })).status).toBe(200);
});

/** Who attacks a route: the challenge routes need a session at a real pending challenge. */
function actorFor(path: string): { cookie: string; url: string } {
  if (path.includes("/challenges/:id")) return { cookie: atChallenge.client.cookie!, url: path.replace(":id", atChallenge.challengeId) };
  return { cookie: admin.cookie!, url: concrete(path) };
}

async function errorCodeOf(response: Response): Promise<string> {
  const text = await response.text();
  try {
    return (JSON.parse(text) as { error: { code: string } }).error.code;
  } catch {
    return text;
  }
}

describe("the route table", () => {
  it("lists every JSON route with a valid body (a new route must be added here to be attacked)", () => {
    const json = writeRoutes().filter(({ path }) => isJsonRoute(path)).map(({ method, path }) => `${method} ${path}`);
    expect(json.length).toBeGreaterThan(15);
    expect(json.filter((key) => !(key in VALID_JSON))).toEqual([]);
    expect(writeRoutes().filter(({ path }) => !isJsonRoute(path)).length).toBeGreaterThan(15);
  });
});

describe("CSRF on every state-changing route", () => {
  it("JSON routes refuse a foreign Origin, a cross-site fetch and a simple content type; nothing changes", async () => {
    const before = await snapshot();
    const leaks: string[] = [];
    for (const { method, path } of writeRoutes().filter(({ path }) => isJsonRoute(path))) {
      const url = concrete(path);
      const valid = VALID_JSON[`${method} ${path}`];
      const body = valid === null || valid === undefined ? null : JSON.stringify(valid);
      const attacks: Array<[string, Record<string, string>, string]> = [
        ["foreign Origin", { origin: "https://evil.test", "content-type": "application/json" }, "CROSS_SITE_REQUEST"],
        ["look-alike Origin", { origin: "https://gateway.test.evil.test", "content-type": "application/json" }, "CROSS_SITE_REQUEST"],
        ["http Origin", { origin: "http://gateway.test", "content-type": "application/json" }, "CROSS_SITE_REQUEST"],
        ["null Origin", { origin: "null", "content-type": "application/json" }, "CROSS_SITE_REQUEST"],
        ["spoofed Host", { origin: "https://evil.test", host: "evil.test", "x-forwarded-host": "evil.test", "content-type": "application/json" }, "CROSS_SITE_REQUEST"],
        ["cross-site fetch", { "sec-fetch-site": "cross-site", "content-type": "application/json" }, "CROSS_SITE_REQUEST"],
      ];
      if (method !== "DELETE") {
        for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json-patch+json", "text/plain; application/json"]) {
          attacks.push([`content-type ${type}`, { origin: GATEWAY, "content-type": type }, "UNSUPPORTED_MEDIA_TYPE"]);
        }
      }
      for (const [name, headers, expected] of attacks) {
        const response = await SELF.fetch(`${GATEWAY}${url}`, { method, headers: { cookie: admin.cookie!, accept: "application/json", ...headers }, body, redirect: "manual" });
        const code = await errorCodeOf(response);
        if (code !== expected || response.status < 400 || response.status >= 500) leaks.push(`${method} ${path} (${name}) -> ${response.status} ${code}`);
        if (response.headers.get("set-cookie")) leaks.push(`${method} ${path} (${name}) set a cookie`);
      }
    }
    expect(leaks).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it("page forms refuse a missing, foreign, null, look-alike or downgraded Origin; nothing changes", async () => {
    const before = await snapshot();
    const leaks: string[] = [];
    const forms = writeRoutes().filter(({ path }) => !isJsonRoute(path));
    for (const { method, path } of forms) {
      for (const origin of [undefined, "https://evil.test", "null", "https://gateway.test.evil.test", "http://gateway.test", "https://gateway.test:8443"]) {
        const headers: Record<string, string> = { cookie: admin.cookie!, "content-type": "application/x-www-form-urlencoded", accept: "text/html" };
        if (origin) headers.origin = origin;
        if (origin === "https://evil.test") headers.host = "evil.test";
        const body = "email=admin%40demo.test&password=stepgate-demo-password&method=totp&code=123456&next=%2F&then=recovery-code&saved=on&confirm=on";
        const response = await SELF.fetch(`${GATEWAY}${concrete(path)}`, { method, headers, body, redirect: "manual" });
        const text = await response.text();
        if (response.status !== 403 || !text.includes("another site")) leaks.push(`${method} ${path} (Origin ${origin}) -> ${response.status}`);
        if (response.headers.get("set-cookie")) leaks.push(`${method} ${path} (Origin ${origin}) set a cookie`);
      }
    }
    expect(leaks).toEqual([]);
    expect(await snapshot()).toBe(before);
  });
});

/** The refusals a malformed body may get: the generic one, or a field's own format error. */
const REFUSALS = new Set(["BAD_REQUEST", "PAYLOAD_TOO_LARGE", "INVALID_CODE_FORMAT", "INVALID_SETTINGS", "INVALID_PHONE_NUMBER"]);

describe("malformed and oversized input on every state-changing route", () => {
  it("every JSON route answers 400/413 to each malformed body, and nothing changes", async () => {
    const before = await snapshot();
    const leaks: string[] = [];
    let tried = 0;
    for (const { method, path } of writeRoutes().filter(({ path }) => isJsonRoute(path))) {
      const valid = VALID_JSON[`${method} ${path}`];
      if (!valid) continue;
      for (const body of malformedBodies(valid)) {
        tried++;
        const actor = actorFor(path);
        const response = await SELF.fetch(`${GATEWAY}${actor.url}`, {
          method,
          headers: { cookie: actor.cookie, origin: GATEWAY, "content-type": "application/json", accept: "application/json" },
          body,
        });
        const code = await errorCodeOf(response);
        // The reset form's email is free text looked up in the directory: an odd one is not found.
        const notFound = path.endsWith("/reset-mfa") && response.status === 404 && code === "USER_NOT_IN_DIRECTORY";
        if (!notFound && (!REFUSALS.has(code) || ![400, 413].includes(response.status))) {
          leaks.push(`${method} ${path} ${body.slice(0, 60)} -> ${response.status} ${code.slice(0, 40)}`);
        }
        if (response.headers.get("set-cookie")) leaks.push(`${method} ${path} ${body.slice(0, 60)} set a cookie`);
      }
    }
    expect(tried).toBeGreaterThan(200);
    expect(leaks).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it("every page form answers 400 to duplicate fields and to a 1 MB body, and nothing changes", async () => {
    const before = await snapshot();
    const leaks: string[] = [];
    const forms = writeRoutes().filter(({ path }) => !isJsonRoute(path));
    const valid = "method=totp&code=123456&next=%2F&then=recovery-code&email=admin%40demo.test&password=stepgate-demo-password";
    const bodies = [
      "code=123456&code=654321&method=totp&email=admin%40demo.test&password=stepgate-demo-password",
      "method=totp&method=recovery&code=123456",
      "email=admin%40demo.test&email=user%40demo.test&password=stepgate-demo-password&requireMfa=on&deadline=2026-01-01&timeZone=UTC",
      "next=%2F&next=%2F%2Fevil.test&then=recovery-code&then=recovery-code&id=x&id=y",
      `${valid}&pad=${MEGABYTE}`,
    ];
    for (const { method, path } of forms) {
      for (const body of bodies) {
        const response = await SELF.fetch(`${GATEWAY}${concrete(path)}`, {
          method,
          headers: { cookie: admin.cookie!, origin: GATEWAY, "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
          body,
          redirect: "manual",
        });
        await response.arrayBuffer();
        if (response.status !== 400) leaks.push(`${method} ${path} ${body.slice(0, 50)} -> ${response.status} ${response.headers.get("location") ?? ""}`);
        if (response.headers.get("set-cookie")) leaks.push(`${method} ${path} ${body.slice(0, 50)} set a cookie`);
      }
    }
    expect(leaks).toEqual([]);
    expect(await snapshot()).toBe(before);
  });
});

describe("hostile query strings on every read route", () => {
  it("never cause a 5xx, a redirect off the site, or a change", async () => {
    const before = await snapshot();
    const queries = [
      "next=%2F%2Fevil.test&then=..%2F..&method=%00&id=%3Cscript%3E",
      "next=https%3A%2F%2Fevil.test&limit=-1&event=..%2Fetc&subject=%27%20OR%201%3D1",
      "limit=99999999999999999999&event=A&subject=" + "x".repeat(3000),
      "next=%2F%5Cevil.test&id=AAAAAAAAAAAAAAAAAAAAAA&method=sms&sms=sent",
      "next=javascript%3Aalert(1)&next=%2F&then=phone&then=recovery",
      "state=x&code=y&error=access_denied&error_description=%3Cb%3E",
    ];
    const leaks: string[] = [];
    for (const { method, path } of declaredRoutes().filter((route) => route.method === "GET")) {
      for (const query of queries) {
        const response = await SELF.fetch(`${GATEWAY}${concrete(path)}?${query}`, {
          headers: { cookie: admin.cookie!, accept: isJsonRoute(path) ? "application/json" : "text/html" },
          redirect: "manual",
        });
        const body = await response.text();
        const location = response.headers.get("location") ?? "";
        if (response.status >= 500) leaks.push(`${method} ${path}?${query.slice(0, 40)} -> ${response.status}`);
        if (location && (!location.startsWith("/") || location.startsWith("//") || location.startsWith("/\\"))) leaks.push(`${method} ${path} -> ${location}`);
        if (/<script>|<b>|evil\.test"/i.test(body)) leaks.push(`${method} ${path}?${query.slice(0, 40)} reflected input unescaped`);
      }
    }
    expect(leaks).toEqual([]);
    expect(await snapshot()).toBe(before);
  });
});
