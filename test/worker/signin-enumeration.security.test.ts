/**
 * No user enumeration by timing (issue #12, Low): a wrong-password sign-in does the same I/O
 * whether or not the email belongs to someone who may sign in with a password. Proved
 * structurally, not with a stopwatch: the sign-in flow runs over counting ports, and the storage
 * operations and Durable Object calls made before the answer are listed per path and must be
 * equal. Audit entries and notices must start only after the answer (never on the request's path),
 * and on the sign-in routes only once the answer has been read (deliverFirst).
 * The timing itself is measured by `npm run bench:enumeration` (docs/PERFORMANCE.md).
 */
import { SELF, env } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../worker/config";
import type { AppEnv } from "../../worker/env";
import * as flows from "../../worker/flows";
import { afterResponse, deliverFirst } from "../../worker/lib/after-response";
import { createPorts, type Ports } from "../../worker/ports";
import { accountStub, GATEWAY } from "./helpers";
import { makeUser } from "./sms-helpers";

type Phase = "before the answer" | "after the answer";

/** Ports that log every directory read, Durable Object call, audit write and notice, with the phase. */
function countingPorts(real: Ports, log: string[], phase: () => Phase): Ports {
  const note = (operation: string) => log.push(`${phase()}: ${operation}`);
  const stub = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, name) {
        const value = Reflect.get(object, name);
        if (typeof name !== "string" || typeof value !== "function") return value;
        return (...args: unknown[]) => {
          note(`durable object .${name}()`);
          return (object as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
        };
      },
    });
  return {
    ...real,
    directory: {
      ...real.directory,
      findUserIdByEmail: (email) => (note("kv read email index"), real.directory.findUserIdByEmail(email)),
      getUser: (id) => (note("kv read user"), real.directory.getUser(id)),
      getCompany: (id) => (note("kv read company"), real.directory.getCompany(id)),
    },
    account: (userId) => stub(real.account(userId)),
    decoyAccount: (email) => stub(real.decoyAccount(email)),
    company: (companyId) => stub(real.company(companyId)),
    audit: (companyId, entry) => (note("audit write"), real.audit(companyId, entry)),
    notifier: { ...real.notifier, notify: (...args) => (note("notice"), real.notifier.notify(...args)) },
  };
}

/** Runs one sign-in through flows.signIn over counting ports; returns the log once everything after the answer ran too. */
async function signInLog(email: string, password: string, deviceId = "A".repeat(43)): Promise<{ status: number; log: string[] }> {
  const log: string[] = [];
  let phase: Phase = "before the answer";
  const ports = countingPorts(createPorts(env as never), log, () => phase);
  const app = new Hono<AppEnv>();
  app.use("*", async (c, next) => {
    c.set("config", getConfig(c.env));
    c.set("ports", ports);
    c.set("session", null);
    await next();
  });
  app.post("/sign-in", async (c) => {
    const result = await flows.signIn(c, email, password, deviceId);
    phase = "after the answer"; // the route's own work is rendering the result
    return result.ok ? c.json({ next: result.next }) : c.json({ error: result.reason }, 401);
  });
  const pending: Promise<unknown>[] = [];
  const executionCtx = { waitUntil: (promise: Promise<unknown>) => void pending.push(promise), passThroughOnException: () => {}, props: {} };
  const response = await app.request("/sign-in", { method: "POST" }, env, executionCtx as never);
  while (pending.length) await pending.shift();
  return { status: response.status, log };
}

const before = (log: string[]) => log.filter((line) => line.startsWith("before"));
const after = (log: string[]) => log.filter((line) => line.startsWith("after"));

describe("wrong-password sign-in: the same I/O for every email", () => {
  it("existing, unknown, inactive, single sign-on and throttled accounts do exactly the same reads and calls before the answer, and the same after it", async () => {
    await SELF.fetch(`${GATEWAY}/_stepgate/login`); // demo data seeded
    const existing = await makeUser("standard", "enum-existing");
    const throttled = await makeUser("standard", "enum-throttled");
    for (let i = 0; i < 25; i++) await accountStub(throttled.id).signIn(`wrong-${i}`, true, Date.now());
    const inactive = await makeUser("standard", "enum-inactive");
    await env.KV.put(`user:id:${inactive.id}`, JSON.stringify({ ...(await env.KV.get(`user:id:${inactive.id}`, "json") as object), active: false }));
    const sso = await makeUser("standard", "enum-sso");
    await env.KV.put(`user:id:${sso.id}`, JSON.stringify({ ...(await env.KV.get(`user:id:${sso.id}`, "json") as object), sso: true }));

    const paths = {
      existing: await signInLog(existing.email, "not-the-password"),
      unknown: await signInLog(`nobody-${crypto.randomUUID()}@demo.test`, "not-the-password"),
      inactive: await signInLog(inactive.email, "not-the-password"),
      sso: await signInLog(sso.email, "not-the-password"),
      throttled: await signInLog(throttled.email, "stepgate-demo-password"),
    };
    const reference = before(paths.existing.log);
    expect(reference).toEqual([
      "before the answer: kv read email index",
      "before the answer: kv read user",
      "before the answer: kv read company",
      "before the answer: durable object .signIn()",
    ]);
    for (const [name, path] of Object.entries(paths)) {
      expect(path.status, name).toBe(401);
      expect(before(path.log), name).toEqual(reference);
      // And the same after it: one audit entry each (where the audit log shares the machine, work
      // after the answer can still delay the next one).
      expect(after(path.log), name).toEqual(["after the answer: audit write"]);
    }
  });

  it("the audit entry and the owner's notice are written only after the answer", async () => {
    await SELF.fetch(`${GATEWAY}/_stepgate/login`);
    const { email } = await makeUser("standard", "enum-after");
    // A success is audited after the answer as well.
    const success = await signInLog(email, "stepgate-demo-password", "B".repeat(43));
    expect(success.status).toBe(200);
    expect(success.log.filter((line) => line.includes("audit"))).toEqual(["after the answer: audit write"]);
    const logs: string[][] = [];
    for (let i = 0; i < 20; i++) logs.push((await signInLog(email, `wrong-${i}`, crypto.randomUUID().replace(/-/g, "").padEnd(43, "x"))).log);
    for (const log of logs) {
      expect(log).toContain("after the answer: audit write"); // the counting sees audit writes at all
      expect(log.filter((line) => line.includes("audit") || line.includes("notice"))).toEqual(log.filter((line) => line.startsWith("after") && (line.includes("audit") || line.includes("notice"))));
    }
    // The twentieth stranger's failure notifies the owner, after the answer too.
    expect(logs.flat().filter((line) => line.endsWith("notice"))).toEqual(["after the answer: notice"]);
  });
});

describe("deliverFirst: work queued during a sign-in waits until the answer has been read", () => {
  it("the task does not start while the answer is unread, starts once it is read, and the answer keeps its length, status and cookies", async () => {
    const started: string[] = [];
    const app = new Hono();
    app.post("/answer", deliverFirst, (c) => {
      afterResponse(c, async () => void started.push("audit"));
      c.header("set-cookie", "a=1; Path=/", { append: true });
      c.header("set-cookie", "b=2; Path=/", { append: true });
      return c.json({ error: { code: "INVALID_CREDENTIALS" } }, 401);
    });
    const pending: Promise<unknown>[] = [];
    const executionCtx = { waitUntil: (promise: Promise<unknown>) => void pending.push(promise), passThroughOnException: () => {}, props: {} };
    const response = await app.request("/answer", { method: "POST" }, {}, executionCtx as never);
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(started).toEqual([]); // the answer is still unread
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "INVALID_CREDENTIALS" } });
    await Promise.all(pending);
    expect(started).toEqual(["audit"]);
  });

  it("the sign-in answers for an existing and an unknown email are the same: status, headers, body (random values aside)", async () => {
    const answer = async (email: string) => {
      const response = await SELF.fetch(`${GATEWAY}/_stepgate/api/session`, { method: "POST", headers: { "content-type": "application/json", origin: GATEWAY }, body: JSON.stringify({ email, password: "not-the-password" }) });
      // Random per answer: the device cookie's value and the CSP nonce.
      const headers = [...response.headers].map(([name, value]) => `${name}: ${value.replace(/^([^=]+)=[^;]*/, "$1=<value>").replace(/'nonce-[^']*'/g, "'nonce'")}`);
      return { status: response.status, headers, body: await response.text() };
    };
    const existing = await answer((await makeUser("standard", "enum-answer")).email);
    const unknown = await answer(`nobody-${crypto.randomUUID()}@demo.test`);
    expect(existing.status).toBe(401);
    expect(existing).toEqual(unknown);
    const page = async (email: string) => {
      const response = await SELF.fetch(`${GATEWAY}/_stepgate/login`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: GATEWAY }, body: `email=${encodeURIComponent(email)}&password=not-the-password` });
      await response.arrayBuffer();
      return { status: response.status, headers: [...response.headers.keys()] };
    };
    expect(await page((await makeUser("standard", "enum-page")).email)).toEqual(await page(`nobody-${crypto.randomUUID()}@demo.test`));
  });
});
