/**
 * Slow and hanging providers. Every call to an SMS provider (Twilio, signed webhook), an email
 * provider and an OpenID provider (discovery, token endpoint, key set) is limited to
 * PROVIDER_TIMEOUT_MS, lowered here so the tests are fast. A provider that never answers, or
 * answers after the limit, fails closed with a clear code (SMS_NOT_SENT, SSO_UNAVAILABLE) and no
 * session; a security notice never holds up or fails the person's action, and its loss is
 * logged. Elapsed times are checked only as upper bounds under the 10 s default, with room for a
 * loaded machine; each slow case has a control that passes when the same provider answers at once,
 * so a slow answer that was waited for shows in the status.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import { GATEWAY, PASSWORD } from "./helpers";
import { enrollSms, freshUsNumber, makeUser } from "./sms-helpers";

const LIMIT_MS = 300;
/** The slow providers answer this late: far past the limit, well under the 10 s default. */
const SLOW_MS = 3000;
/**
 * Upper bound for an answer: under the 10 s default, so a hang proves the configured limit was
 * used, with room for a loaded machine. A slow answer that was waited for would show in the
 * status instead (the same provider answering at once succeeds: the controls).
 */
const UNDER_DEFAULT_MS = 8000;
const SECRET = "w".repeat(40);

afterEach(() => vi.restoreAllMocks());

type Bindings = Record<string, unknown>;

function bindingsWith(extra: Bindings): Bindings {
  return { ...(env as unknown as Bindings), PROVIDER_TIMEOUT_MS: String(LIMIT_MS), ...extra };
}

const twilio = (base: string): Bindings => ({
  SMS_PROVIDER: "twilio",
  TWILIO_ACCOUNT_SID: `AC${"0123456789abcdef".repeat(2)}`,
  TWILIO_AUTH_TOKEN: "twilio-auth-token-for-tests",
  TWILIO_FROM: "+12025550100",
  TWILIO_API_BASE_URL: base,
});
const smsWebhook = (url: string): Bindings => ({ SMS_PROVIDER: "webhook", SMS_WEBHOOK_URL: url, SMS_WEBHOOK_SECRET: SECRET });
const emailWebhook = (url: string): Bindings => ({ EMAIL_PROVIDER: "webhook", EMAIL_WEBHOOK_URL: url, EMAIL_WEBHOOK_SECRET: SECRET });
const sso = (id: string, issuer: string, domain: string): Bindings => ({
  SSO_PROVIDERS: JSON.stringify([{ id, issuer, clientId: "stepgate", companyId: "demo-builders", domains: [domain] }]),
  [`SSO_CLIENT_SECRET_${id.toUpperCase().replace(/-/g, "_")}`]: "client-secret",
});

interface Answer {
  response: Response;
  elapsedMs: number;
  ctx: ExecutionContext;
}

/** A browser-like client of the gateway built from `bindings` (keeps every cookie it is given). */
function gateway(bindings: Bindings) {
  const app = appFor(getConfig(bindings));
  const cookies = new Map<string, string>();
  return {
    cookies,
    async fetch(path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
      const headers = new Headers(init.headers);
      headers.set("origin", GATEWAY);
      if (cookies.size) headers.set("cookie", [...cookies].map(([name, value]) => `${name}=${value}`).join("; "));
      if (init.json !== undefined) headers.set("content-type", "application/json");
      const request = new Request(`${GATEWAY}${path}`, { method: init.method ?? "GET", headers, body: init.json === undefined ? null : JSON.stringify(init.json), redirect: "manual" });
      const ctx = createExecutionContext();
      const started = Date.now();
      const response = await app.fetch(request, bindings, ctx);
      const elapsedMs = Date.now() - started;
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const [name, value] = (pair ?? "").split("=");
        if (name) cookies.set(name.trim(), value ?? "");
      }
      return { response, elapsedMs, ctx };
    },
  };
}

async function codeOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

async function providerCalls(prefix: string): Promise<number> {
  const response = await fetch(`https://origin.test/__provider_calls?prefix=${encodeURIComponent(prefix)}`);
  return ((await response.json()) as { calls: number }).calls;
}

/** Signs a fresh person in (no factor yet: the enrollment step) on `g`. */
async function atEnrollment(g: ReturnType<typeof gateway>) {
  const { email } = await makeUser("standard");
  const { response } = await g.fetch("/_stepgate/api/session", { method: "POST", json: { email, password: PASSWORD } });
  expect(((await response.json()) as { next: string }).next).toBe("enroll");
  return email;
}

describe("SMS provider", () => {
  for (const [name, provider, prefix] of [
    ["Twilio that never answers", twilio("https://hang.test"), "hang.test/2010-04-01/"],
    [`Twilio that answers after ${SLOW_MS} ms`, twilio(`https://slow.test/${SLOW_MS}`), `slow.test/${SLOW_MS}/2010-04-01/`],
    ["a signed webhook that never answers", smsWebhook("https://hang.test/sms-enroll"), "hang.test/sms-enroll"],
    [`a signed webhook that answers after ${SLOW_MS} ms`, smsWebhook(`https://slow.test/${SLOW_MS}/sms-enroll`), `slow.test/${SLOW_MS}/sms-enroll`],
  ] as const) {
    it(`enrollment: ${name} gives SMS_NOT_SENT within the limit`, async () => {
      const g = gateway(bindingsWith(provider));
      await atEnrollment(g);
      const before = await providerCalls(prefix);
      const { response, elapsedMs } = await g.fetch("/_stepgate/api/enroll/sms", { method: "POST", json: { phone: freshUsNumber() } });
      expect(response.status).toBe(502);
      expect(await codeOf(response)).toBe("SMS_NOT_SENT");
      expect(await providerCalls(prefix)).toBe(before + 1); // it was asked, and not waited for
      expect(elapsedMs).toBeLessThan(UNDER_DEFAULT_MS);
    });
  }

  it("control: the same Twilio and webhook answering at once send the code", async () => {
    for (const provider of [twilio("https://slow.test/0"), smsWebhook("https://slow.test/0/sms-enroll")]) {
      const g = gateway(bindingsWith(provider));
      await atEnrollment(g);
      const { response } = await g.fetch("/_stepgate/api/enroll/sms", { method: "POST", json: { phone: freshUsNumber() } });
      expect(response.status).toBe(200);
    }
  });

  it("sign-in: a hanging provider gives SMS_NOT_SENT within the limit, and the challenge stays open", async () => {
    const { email } = await makeUser("standard");
    await enrollSms(email, freshUsNumber()); // enrolled through the development outbox
    const g = gateway(bindingsWith(twilio("https://hang.test")));
    const signIn = await g.fetch("/_stepgate/api/session", { method: "POST", json: { email, password: PASSWORD } });
    const { challenge } = (await signIn.response.json()) as { challenge: { id: string } };
    const { response, elapsedMs } = await g.fetch(`/_stepgate/api/challenges/${challenge.id}/sms`, { method: "POST", json: {} });
    expect(response.status).toBe(502);
    expect(await codeOf(response)).toBe("SMS_NOT_SENT");
    expect(elapsedMs).toBeLessThan(UNDER_DEFAULT_MS);
    const pending = await g.fetch("/_stepgate/api/challenges", { headers: { accept: "application/json" } });
    expect(JSON.stringify(await pending.response.json())).toContain(challenge.id);
  });
});

describe("security notices by email", () => {
  it("a hanging email provider neither holds up nor fails a sign-in with the recovery code; the loss is logged", async () => {
    const { email } = await makeUser("standard");
    const { recoveryCode } = await enrollSms(email, freshUsNumber());
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    // A limit far above the notice's head start: the sign-in must not wait for it.
    const g = gateway({ ...bindingsWith(emailWebhook("https://hang.test/notice")), PROVIDER_TIMEOUT_MS: "9000" });
    const signIn = await g.fetch("/_stepgate/api/session", { method: "POST", json: { email, password: PASSWORD } });
    const { challenge } = (await signIn.response.json()) as { challenge: { id: string } };
    const before = await providerCalls("hang.test/notice");
    const { response, elapsedMs, ctx } = await g.fetch(`/_stepgate/api/challenges/${challenge.id}/verify`, { method: "POST", json: { method: "recovery", code: recoveryCode } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { next: string }).next).toBe("save_recovery_code");
    expect(elapsedMs).toBeLessThan(7000); // the provider's limit (9 s) was not waited for
    expect(await providerCalls("hang.test/notice")).toBe(before + 1);
    await waitOnExecutionContext(ctx); // the delivery goes on after the response, until the limit
    expect(errors.mock.calls.some((args) => String(args[0]).includes("notice not delivered"))).toBe(true);
  });

  it("control: an email provider that answers at once delivers the notice before the response", async () => {
    const { email } = await makeUser("standard");
    const { recoveryCode } = await enrollSms(email, freshUsNumber());
    const g = gateway(bindingsWith(emailWebhook("https://slow.test/0/notice-ok")));
    const signIn = await g.fetch("/_stepgate/api/session", { method: "POST", json: { email, password: PASSWORD } });
    const { challenge } = (await signIn.response.json()) as { challenge: { id: string } };
    const before = await providerCalls("slow.test/0/notice-ok");
    const { response } = await g.fetch(`/_stepgate/api/challenges/${challenge.id}/verify`, { method: "POST", json: { method: "recovery", code: recoveryCode } });
    expect(response.status).toBe(200);
    expect(await providerCalls("slow.test/0/notice-ok")).toBe(before + 1);
  });
});

describe("single sign-on (OpenID provider)", () => {
  const start = (g: ReturnType<typeof gateway>, email: string) => g.fetch("/_stepgate/api/sso/start", { method: "POST", json: { email } });

  for (const [name, issuer] of [
    ["whose discovery never answers", "https://hang.test/idp"],
    [`whose discovery answers after ${SLOW_MS} ms`, `https://slow.test/${SLOW_MS}/0/0`],
  ] as const) {
    it(`starting a login with a provider ${name} gives SSO_UNAVAILABLE within the limit`, async () => {
      const domain = `start-${name.length}-${issuer.length}.test`;
      const g = gateway(bindingsWith(sso("slow-start", issuer, domain)));
      const { response, elapsedMs } = await start(g, `pat@${domain}`);
      expect(response.status).toBe(502);
      expect(await codeOf(response)).toBe("SSO_UNAVAILABLE");
      expect(elapsedMs).toBeLessThan(UNDER_DEFAULT_MS);
      expect(g.cookies.has("__Host-stepgate-sso")).toBe(false);
    });
  }

  it("control: the same provider answering at once starts the login", async () => {
    const g = gateway(bindingsWith(sso("fast-start", "https://slow.test/0/0/0", "fast-start.test")));
    const { response } = await start(g, "pat@fast-start.test");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { next: string }).next).toBe("sso");
  });

  for (const [name, issuer] of [
    ["token endpoint never answers", "https://slow.test/0/hang/0"],
    [`token endpoint answers after ${SLOW_MS} ms`, `https://slow.test/0/${SLOW_MS}/0`],
    ["key set never answers", "https://slow.test/0/0/hang"],
    [`key set answers after ${SLOW_MS} ms`, `https://slow.test/0/0/${SLOW_MS}`],
  ] as const) {
    it(`the callback, when the provider's ${name}, answers SSO_UNAVAILABLE (502) within the limit and opens no session`, async () => {
      const domain = `cb-${issuer.split("/").slice(3).join("-")}.test`;
      const g = gateway(bindingsWith(sso("slow-cb", issuer, domain)));
      const started = await start(g, `pat@${domain}`);
      expect(started.response.status).toBe(200);
      const { redirect } = (await started.response.json()) as { redirect: string };
      const state = new URL(redirect).searchParams.get("state") ?? "";
      const { response, elapsedMs } = await g.fetch(`/_stepgate/sso/callback?code=abc&state=${encodeURIComponent(state)}`, { headers: { accept: "text/html" } });
      expect(response.status).toBe(502); // SSO_UNAVAILABLE's status; SSO_FAILED would be 401
      expect(g.cookies.get("__Host-stepgate") ?? "").toBe("");
      expect(elapsedMs).toBeLessThan(UNDER_DEFAULT_MS);
    });
  }
});

it("configuration: PROVIDER_TIMEOUT_MS must be an integer between 100 and 30000", () => {
  for (const bad of ["99", "30001", "1.5", "ten"]) expect(() => getConfig({ ...(env as unknown as Bindings), PROVIDER_TIMEOUT_MS: bad })).toThrow(/PROVIDER_TIMEOUT_MS/);
  expect(getConfig({ ...(env as unknown as Bindings), PROVIDER_TIMEOUT_MS: "100" }).providerTimeoutMs).toBe(100);
  expect(getConfig(env as unknown as Bindings).providerTimeoutMs).toBe(10_000);
});

