/**
 * A storage error fails closed: 503, no session issued, nothing forwarded. The hot path (a fresh
 * valid session token) needs no storage at all, which is proven by taking storage away.
 */
import { createExecutionContext, env } from "cloudflare:test";
import { SignJWT, importJWK } from "jose";
import { describe, expect, it } from "vitest";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import { GATEWAY, originHits } from "./helpers";

const broken = () => Promise.reject(new Error("storage unavailable"));
const failingKv = { get: broken, put: broken, list: broken, delete: broken, getWithMetadata: broken };
const failingNamespace = {
  idFromName: (name: string) => env.ACCOUNT.idFromName(name),
  get: () => new Proxy({}, { get: () => () => Promise.reject(new Error("durable object unavailable")) }),
};

function brokenEnv(parts: { kv?: boolean; accounts?: boolean }) {
  return {
    ...(env as unknown as Record<string, unknown>),
    DEMO_SEED: "false",
    ...(parts.kv ? { KV: failingKv } : {}),
    ...(parts.accounts ? { ACCOUNT: failingNamespace, COMPANY: failingNamespace } : {}),
  } as never;
}

async function call(bindings: never, path: string, init: RequestInit = {}) {
  const app = appFor(getConfig(bindings));
  return app.fetch(new Request(`${GATEWAY}${path}`, init), bindings, createExecutionContext());
}

async function sessionToken(iatOffsetSeconds: number) {
  const key = JSON.parse(env.SESSION_SIGNING_JWK as string) as JsonWebKey & { kid: string };
  const now = Math.floor(Date.now() / 1000) + iatOffsetSeconds;
  return new SignJWT({ sub: "demo-user", sid: "B".repeat(22), stg: "done", email: "user@demo.test", role: "standard", cid: "demo-builders", amr: ["pwd", "otp"], auth_time: now })
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "stepgate-session+jwt" })
    .setIssuer(GATEWAY)
    .setAudience("stepgate:session")
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign((await importJWK(key, "EdDSA")) as CryptoKey);
}

const signInRequest = {
  method: "POST",
  headers: { "content-type": "application/json", origin: GATEWAY },
  body: JSON.stringify({ email: "user@demo.test", password: "stepgate-demo-password" }),
};

describe("storage failures fail closed", () => {
  for (const [name, parts] of [["KV", { kv: true }], ["Durable Objects", { accounts: true }]] as const) {
    it(`sign-in answers 503 with no cookie when ${name} fails`, async () => {
      const response = await call(brokenEnv(parts), "/_stepgate/api/session", signInRequest);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("SERVICE_UNAVAILABLE");
      expect(response.headers.get("set-cookie")).toBeNull();
    });
  }

  it("a session due for renewal answers 503 and is not forwarded when the account store fails", async () => {
    const token = await sessionToken(-120);
    const response = await call(brokenEnv({ kv: true, accounts: true }), "/sf/renewal", { headers: { cookie: `__Host-stepgate=${token}` } });
    expect(response.status).toBe(503);
    expect(await originHits("/sf/renewal")).toBe(0);
  });

  it("the hot path makes no storage call: a fresh token is forwarded with every store down", async () => {
    const token = await sessionToken(0);
    const response = await call(brokenEnv({ kv: true, accounts: true }), "/sf/hot", { headers: { cookie: `__Host-stepgate=${token}` } });
    expect(response.status).toBe(200);
    expect(await originHits("/sf/hot")).toBe(1);
  });
});
