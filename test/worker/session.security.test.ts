/** Session ids rotate after the password step and again after MFA; sign-out ends the session. */
import { describe, expect, it } from "vitest";
import { accountStub, atLoginChallenge, client, enrolledUser, sessionClaimsOf, signIn, totpCode, verify } from "./helpers";

describe("session identifiers", () => {
  it("a new sign-in gets a new session id and ends the session the browser had", async () => {
    const { client: c, secret } = await enrolledUser("user@demo.test");
    const before = sessionClaimsOf(c);
    const response = await c.fetch("/_stepgate/api/session", { method: "POST", json: { email: "user@demo.test", password: "stepgate-demo-password" } });
    expect(response.status).toBe(200);
    const after = sessionClaimsOf(c);
    expect(after.sid).not.toBe(before.sid);
    expect(after.stg).toBe("mfa");
    expect(await accountStub("demo-user").touchSession(before.sid, Date.now())).toBeNull();
    void secret;
  });

  it("passing MFA replaces the session id and ends the pre-MFA one", async () => {
    const { secret } = await enrolledUser("admin@demo.test");
    const { client: c, challengeId } = await atLoginChallenge("admin@demo.test");
    const preMfa = sessionClaimsOf(c);
    expect((await verify(c, challengeId, "totp", await totpCode(secret))).status).toBe(200);
    const postMfa = sessionClaimsOf(c);
    expect(postMfa.sid).not.toBe(preMfa.sid);
    expect(postMfa.stg).toBe("done");
    expect(await accountStub("demo-admin").touchSession(preMfa.sid, Date.now())).toBeNull();
  });

  it("enrollment (a completed second factor) also replaces the session id", async () => {
    const { client: c } = await signIn("payee@demo.test");
    const beforeEnroll = sessionClaimsOf(c);
    const start = (await (await c.fetch("/_stepgate/api/enroll/totp", { method: "POST", json: {} })).json()) as { secret: string };
    await c.fetch("/_stepgate/api/enroll/totp/confirm", { method: "POST", json: { code: await totpCode(start.secret) } });
    expect(sessionClaimsOf(c).sid).not.toBe(beforeEnroll.sid);
  });

  it("after sign-out the session is gone in the account's Durable Object", async () => {
    const { client: c } = await enrolledUser("payor@demo.test");
    const { sid } = sessionClaimsOf(c);
    const cookieBefore = c.cookie;
    expect(await accountStub("demo-payor").touchSession(sid, Date.now())).not.toBeNull();
    const out = await c.fetch("/_stepgate/api/session", { method: "DELETE" });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(/__Host-stepgate=;/);
    expect(await accountStub("demo-payor").touchSession(sid, Date.now())).toBeNull();
    const fresh = client();
    expect((await fresh.fetch("/_stepgate/api/me")).status).toBe(401);
    // A copy of the signed-out token is refused at once by this isolate (elsewhere: at re-mint).
    const copy = client();
    copy.cookie = cookieBefore;
    expect((await copy.fetch("/_stepgate/api/me")).status).toBe(401);
  });
});
