/**
 * Replay across endpoints: a code accepted in one place is spent everywhere. An authenticator code
 * used at sign-in does not also verify identity in Settings (or the other way round), even when
 * both are sent at once; a recovery code used to verify identity no longer signs in; an SMS code
 * sent for a sign-in does not verify identity. Each refusal leaves the target session unchanged.
 */
import { describe, expect, it } from "vitest";
import { atLoginChallenge, enrolledUser, sessionClaimsOf, totpCode, verify } from "./helpers";
import { enrollSms, freshUsNumber, lastSmsCode, makeUser, post, signInAs } from "./sms-helpers";

describe("a code is spent everywhere once accepted", () => {
  it("an authenticator code used at sign-in does not verify identity in Settings, and vice versa, even concurrently", async () => {
    const { email } = await makeUser("standard", "replay-x");
    const { client: settings, secret } = await enrolledUser(email);
    const login = await atLoginChallenge(email);
    const now = Date.now();
    const code = await totpCode(secret, now);
    const [atLogin, atSettings] = await Promise.all([
      verify(login.client, login.challengeId, "totp", code),
      post(settings, "/settings/verify", { method: "totp", code }),
    ]);
    expect([atLogin.status, atSettings.status].sort()).toEqual([200, 401]);
    // Sequentially, with the next step's code: first Settings, then the same code at a new sign-in.
    const next = await totpCode(secret, now + 30_000);
    const again = await atLoginChallenge(email);
    const settingsStatus = (await post(settings, "/settings/verify", { method: "totp", code: next })).status;
    const loginStatus = (await verify(again.client, again.challengeId, "totp", next)).status;
    expect([settingsStatus, loginStatus]).toContain(200);
    expect([settingsStatus, loginStatus].filter((s) => s === 200)).toHaveLength(1);
    if (loginStatus !== 200) expect(sessionClaimsOf(again.client).stg).toBe("mfa"); // still at its step
  });

  it("a recovery code used to verify identity no longer signs in", async () => {
    const { email } = await makeUser("standard", "replay-rec");
    const { client: c, recoveryCode } = await enrolledUser(email);
    const used = await post(c, "/settings/verify", { method: "recovery", code: recoveryCode });
    expect(used.status).toBe(200);
    const login = await atLoginChallenge(email);
    expect((await verify(login.client, login.challengeId, "recovery", recoveryCode)).status).toBe(401);
    expect(sessionClaimsOf(login.client).stg).toBe("mfa");
  });

  it("a text-message code sent for a sign-in does not verify identity in Settings", async () => {
    const { email } = await makeUser("standard", "replay-sms");
    const phone = freshUsNumber();
    const { client: settings } = await enrollSms(email, phone);
    const login = await signInAs(email);
    expect((await post(login.client, `/challenges/${login.body.challenge!.id}/sms`)).status).toBe(200);
    const code = await lastSmsCode(phone);
    const refused = await post(settings, "/settings/verify", { method: "sms", code });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    // The sign-in it was sent for still takes it (once).
    expect((await verify(login.client, login.body.challenge!.id, "sms", code)).status).toBe(200);
    expect((await verify(login.client, login.body.challenge!.id, "sms", code)).status).toBeGreaterThanOrEqual(400);
  });
});
