/** Helpers for Worker tests: a tiny cookie-carrying client for the gateway and TOTP codes. */
import { SELF, env } from "cloudflare:test";
import { decodeBase32 } from "../../shared/base32";
import { generateTotp } from "../../shared/totp";

export const GATEWAY = "https://gateway.test";
export const PASSWORD = "stepgate-demo-password";

export interface Client {
  cookie: string | null;
  fetch(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

/** A browser-like client: same-origin JSON calls, keeps the session cookie it is given. */
export function client(): Client {
  const state: Client = {
    cookie: null,
    async fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (state.cookie && !headers.has("cookie")) headers.set("cookie", state.cookie);
      if (!headers.has("origin")) headers.set("origin", GATEWAY);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(init.json);
      }
      const response = await SELF.fetch(`${GATEWAY}${path}`, { ...init, headers, body: body ?? null, redirect: "manual" });
      const setCookie = response.headers.get("set-cookie");
      if (setCookie) {
        const match = /__Host-stepgate=([^;]*)/.exec(setCookie);
        if (match) state.cookie = match[1] ? `__Host-stepgate=${match[1]}` : null;
      }
      return response;
    },
  };
  return state;
}

export async function signIn(email: string, password = PASSWORD) {
  const c = client();
  const response = await c.fetch("/_stepgate/api/session", { method: "POST", json: { email, password } });
  const body = (await response.json()) as { next: string; challenge?: { id: string; methods: string[] } };
  return { client: c, response, body };
}

export async function totpCode(base32: string, nowMs = Date.now()): Promise<string> {
  const secret = decodeBase32(base32);
  if (!secret) throw new Error("bad secret");
  return generateTotp(secret, nowMs);
}

/** Signs in a demo user and enrolls an authenticator app; returns the secret and recovery code. */
export async function enrolledUser(email: string) {
  const { client: c, body } = await signIn(email);
  if (body.next !== "enroll" && body.next !== "done") throw new Error(`unexpected next ${body.next}`);
  const start = (await (await c.fetch("/_stepgate/api/enroll/totp", { method: "POST", json: {} })).json()) as { secret: string };
  // Use the previous step for confirmation so a later sign-in can use the current step.
  let confirm = await c.fetch("/_stepgate/api/enroll/totp/confirm", {
    method: "POST",
    json: { code: await totpCode(start.secret, Date.now() - 30_000) },
  });
  // A step boundary crossed between computing that code and the Worker checking it (a loaded
  // machine) leaves it two steps back: confirm with the current step's code instead.
  if (confirm.status === 401) confirm = await c.fetch("/_stepgate/api/enroll/totp/confirm", { method: "POST", json: { code: await totpCode(start.secret) } });
  if (confirm.status !== 200) throw new Error(`enrollment confirmation failed: ${confirm.status}`);
  const { recoveryCode } = (await confirm.json()) as { recoveryCode: string };
  await c.fetch("/_stepgate/api/recovery-code/confirm", { method: "POST", json: { saved: true } });
  return { client: c, secret: start.secret, recoveryCode };
}

export function accountStub(userId: string) {
  return env.ACCOUNT.get(env.ACCOUNT.idFromName(`user:${userId}`));
}

export async function originHits(path: string): Promise<number> {
  const response = await fetch(`https://origin.test/__hits?path=${encodeURIComponent(path)}`);
  return ((await response.json()) as { hits: number }).hits;
}

/** The claims inside the client's session cookie (decoded, not verified). */
export function sessionClaimsOf(c: Client): { sid: string; stg: string; sub: string; [k: string]: unknown } {
  const token = c.cookie?.split("=")[1];
  const payload = token?.split(".")[1];
  if (!payload) throw new Error("no session cookie");
  return JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
}

/** Signs in an enrolled user up to the login challenge; returns the client and challenge id. */
export async function atLoginChallenge(email: string) {
  const { client: c, body } = await signIn(email);
  if (body.next !== "mfa" || !body.challenge) throw new Error(`expected an MFA challenge, got ${body.next}`);
  return { client: c, challengeId: body.challenge.id };
}

export function verify(c: Client, challengeId: string, method: string, code: string) {
  return c.fetch(`/_stepgate/api/challenges/${challengeId}/verify`, { method: "POST", json: { method, code } });
}
