/**
 * Enrolling a factor is never a way around MFA: only a session that is enrolling for the first
 * time, or one that passed MFA in the last 10 minutes, may add or replace an authenticator app;
 * a pending set-up belongs to the session that started it; the new app replaces the old.
 */
import { describe, expect, it } from "vitest";
import { accountStub, atLoginChallenge, enrolledUser, PASSWORD, sessionClaimsOf, signIn, totpCode, verify } from "./helpers";

describe("authenticator enrollment", () => {
  it("a session still at the MFA step cannot enroll a new app", async () => {
    await enrolledUser("user@demo.test");
    const { client: c } = await atLoginChallenge("user@demo.test");
    const response = await c.fetch("/_stepgate/api/enroll/totp", { method: "POST", json: {} });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_ALLOWED");
  });

  it("changing the app needs an MFA less than 10 minutes old", async () => {
    const { client: c } = await enrolledUser("admin@demo.test");
    const { sid } = sessionClaimsOf(c);
    const account = accountStub("demo-admin");
    expect((await account.beginTotpEnrollment(sid, Date.now())).ok).toBe(true);
    expect(await account.beginTotpEnrollment(sid, Date.now() + 11 * 60_000)).toMatchObject({ ok: false, reason: "not_allowed" });
  });

  it("a pending set-up cannot be confirmed from another session", async () => {
    const first = await signIn("payor@demo.test");
    const start = (await (await first.client.fetch("/_stepgate/api/enroll/totp", { method: "POST", json: {} })).json()) as { secret: string };
    const second = await signIn("payor@demo.test", PASSWORD);
    const confirm = await second.client.fetch("/_stepgate/api/enroll/totp/confirm", { method: "POST", json: { code: await totpCode(start.secret) } });
    expect(confirm.status).toBe(409);
    expect(((await confirm.json()) as { error: { code: string } }).error.code).toBe("NO_PENDING_ENROLLMENT");
    expect(await accountStub("demo-payor").describeFactors()).toMatchObject({ totp: { enrolled: false } });
  });

  it("a wrong confirmation code changes nothing; a confirmed new app replaces the old one", async () => {
    const { client: c, secret: oldSecret } = await enrolledUser("payee@demo.test");
    const start = (await (await c.fetch("/_stepgate/api/enroll/totp", { method: "POST", json: {} })).json()) as { secret: string };
    const wrong = await c.fetch("/_stepgate/api/enroll/totp/confirm", { method: "POST", json: { code: await totpCode(oldSecret) } });
    expect(wrong.status).toBe(401);
    const confirmed = await c.fetch("/_stepgate/api/enroll/totp/confirm", { method: "POST", json: { code: await totpCode(start.secret, Date.now() - 30_000) } });
    expect(confirmed.status).toBe(200);
    await c.fetch("/_stepgate/api/recovery-code/confirm", { method: "POST", json: { saved: true } });

    const later = await atLoginChallenge("payee@demo.test");
    expect((await verify(later.client, later.challengeId, "totp", await totpCode(oldSecret))).status).toBe(401);
    expect((await verify(later.client, later.challengeId, "totp", await totpCode(start.secret))).status).toBe(200);
  });
});
