/**
 * The boundary: cross-site requests are refused on every state-changing endpoint, and malformed
 * or oversized input gets a clear 4xx and changes nothing.
 */
import { SELF, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { safeNext } from "../../worker/routes/pages";
import { accountStub, atLoginChallenge, enrolledUser, GATEWAY, signIn, totpCode, verify } from "./helpers";

const STATE_CHANGING = [
  ["POST", "/_stepgate/api/session"],
  ["DELETE", "/_stepgate/api/session"],
  ["POST", "/_stepgate/api/challenges/AAAAAAAAAAAAAAAAAAAAAA/verify"],
  ["POST", "/_stepgate/api/enroll/totp"],
  ["POST", "/_stepgate/api/enroll/totp/confirm"],
  ["POST", "/_stepgate/api/recovery-code"],
  ["POST", "/_stepgate/api/recovery-code/confirm"],
] as const;

const PAGE_FORMS = ["/login", "/challenge", "/enroll/totp", "/enroll/totp/confirm", "/recovery-code/new", "/recovery-code/confirm", "/signout"];

async function errorCode(response: Response) {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe("cross-site requests", () => {
  it("every JSON endpoint refuses a foreign Origin and a cross-site fetch", async () => {
    const { client: c } = await signIn("user@demo.test");
    for (const [method, path] of STATE_CHANGING) {
      const foreign = await c.fetch(path, { method, json: {}, headers: { origin: "https://evil.test" } });
      expect(foreign.status, `${method} ${path}`).toBe(403);
      expect(await errorCode(foreign)).toBe("CROSS_SITE_REQUEST");
      const crossSite = await SELF.fetch(`${GATEWAY}${path}`, {
        method,
        headers: { cookie: c.cookie!, "content-type": "application/json", "sec-fetch-site": "cross-site" },
        body: method === "DELETE" ? null : "{}",
      });
      expect(crossSite.status, `${method} ${path}`).toBe(403);
    }
  });

  it("a simple (form-encodable) content type is refused on the JSON API", async () => {
    const response = await SELF.fetch(`${GATEWAY}/_stepgate/api/session`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ email: "user@demo.test", password: "stepgate-demo-password" }),
    });
    expect(response.status).toBe(415);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("every page form refuses a missing or foreign Origin", async () => {
    for (const path of PAGE_FORMS) {
      for (const origin of [undefined, "https://evil.test", "null"]) {
        const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
        if (origin) headers.origin = origin;
        const response = await SELF.fetch(`${GATEWAY}/_stepgate${path}`, { method: "POST", headers, body: "email=user%40demo.test&password=stepgate-demo-password" });
        expect(response.status, `${path} from ${origin}`).toBe(403);
        expect(response.headers.get("set-cookie")).toBeNull();
      }
    }
  });
});

describe("malformed input", () => {
  it("sign-in bodies that are not exactly {email, password} are refused with 400 and no session", async () => {
    const bodies = ["", "not json", "[]", "null", '{"email":"user@demo.test"}', '{"email":["user@demo.test"],"password":"x"}',
      '{"email":"user@demo.test","password":"stepgate-demo-password","admin":true}', '{"email":"user@demo.test","password":{"$ne":""}}',
      '{"email":"not-an-email","password":"x"}',
      '{"email":"user@demo.test","password":"wrong","password":"stepgate-demo-password"}'];
    for (const body of bodies) {
      const response = await SELF.fetch(`${GATEWAY}/_stepgate/api/session`, { method: "POST", headers: { "content-type": "application/json", origin: GATEWAY }, body });
      expect(response.status, body).toBe(400);
      expect(await errorCode(response)).toBe("BAD_REQUEST");
      expect(response.headers.get("set-cookie")).toBeNull();
    }
  });

  it("a 1 MB body is refused with 413", async () => {
    const big = JSON.stringify({ email: "user@demo.test", password: "x".repeat(1024 * 1024) });
    const response = await SELF.fetch(`${GATEWAY}/_stepgate/api/session`, { method: "POST", headers: { "content-type": "application/json", origin: GATEWAY }, body: big });
    expect(response.status).toBe(413);
  });

  it("malformed codes are refused without counting an attempt or consuming anything", async () => {
    const { secret } = await enrolledUser("admin@demo.test");
    const { client: c, challengeId } = await atLoginChallenge("admin@demo.test");
    const malformed = ["", "12345", "1234567", "١٢٣٤٥٦", "12a456", " ".repeat(6), "1".repeat(65)];
    for (const code of malformed) {
      const response = await verify(c, challengeId, "totp", code);
      expect(response.status, JSON.stringify(code)).toBe(400);
    }
    expect((await c.fetch(`/_stepgate/api/challenges/${challengeId}/verify`, { method: "POST", json: { method: "push", code: "123456" } })).status).toBe(400);
    expect((await c.fetch(`/_stepgate/api/challenges/${challengeId}/verify`, { method: "POST", json: [{ method: "totp", code: "123456" }] })).status).toBe(400);
    await runInDurableObject(accountStub("demo-admin"), async (_instance, state) => {
      expect(state.storage.kv.get("failures")).toBeUndefined();
    });
    expect((await verify(c, challengeId, "totp", await totpCode(secret))).status).toBe(200);
  });

  it("a challenge of another session or another account is not found", async () => {
    await enrolledUser("payor@demo.test");
    await enrolledUser("payee@demo.test");
    const mine = await atLoginChallenge("payor@demo.test");
    const theirs = await atLoginChallenge("payee@demo.test");
    const other = await atLoginChallenge("payor@demo.test");
    expect((await verify(mine.client, theirs.challengeId, "totp", "123456")).status).toBe(404);
    expect((await verify(mine.client, other.challengeId, "totp", "123456")).status).toBe(404);
  });

  it("destinations after sign-in are same-site paths only", () => {
    for (const evil of ["//evil.test", "https://evil.test", "/\\evil.test", "javascript:alert(1)", "/a/%2e%2e/b", "", null]) expect(safeNext(evil)).toBe("/");
    expect(safeNext("/payments/?tab=2")).toBe("/payments/?tab=2");
  });
});
