/**
 * Failed second-factor attempts are counted per account across sessions, with growing waits, and
 * 100 consecutive failures disable the factor until it is re-enrolled. Time is injected by calling
 * the account's Durable Object directly with `nowMs`.
 */
import { describe, expect, it } from "vitest";
import { FACTOR_DISABLE_AFTER, waitSecondsAfter } from "../../worker/domain/throttle";
import { accountStub, atLoginChallenge, enrolledUser, PASSWORD, totpCode, verify } from "./helpers";

const wrongCodeFor = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("second-factor attempt limits", () => {
  it("waits grow after the free attempts and are capped", () => {
    expect([1, 2, 3, 4].map(waitSecondsAfter)).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8].map(waitSecondsAfter)).toEqual([1, 2, 4, 8]);
    expect(waitSecondsAfter(99)).toBe(900);
  });

  it("counts failures per account across sessions: a second session inherits the wait", async () => {
    const { secret } = await enrolledUser("user@demo.test");
    const a = await atLoginChallenge("user@demo.test");
    const b = await atLoginChallenge("user@demo.test");
    const wrong = wrongCodeFor(await totpCode(secret));
    for (let i = 0; i < 5; i++) expect((await verify(a.client, a.challengeId, "totp", wrong)).status).toBe(401);
    const throttled = await verify(b.client, b.challengeId, "totp", await totpCode(secret));
    expect(throttled.status).toBe(429);
    const body = (await throttled.json()) as { error: { code: string; retryAfterSeconds: number } };
    expect(body.error.code).toBe("TOO_MANY_ATTEMPTS");
    expect(body.error.retryAfterSeconds).toBeGreaterThan(0);
    expect(throttled.headers.get("retry-after")).toBe(String(body.error.retryAfterSeconds));
  });

  it("a concurrent burst of wrong codes is counted in full and cannot skip the waits", async () => {
    const { secret } = await enrolledUser("payee@demo.test");
    const wrong = wrongCodeFor(await totpCode(secret));
    const sessions = [];
    for (let i = 0; i < 20; i++) sessions.push(await atLoginChallenge("payee@demo.test"));
    const statuses = (await Promise.all(sessions.map((s) => verify(s.client, s.challengeId, "totp", wrong)))).map((r) => r.status);
    // Only the attempts before the first wait are evaluated; the rest are refused unevaluated.
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it("disables the authenticator after 100 consecutive failures until it is re-enrolled", async () => {
    const { secret, recoveryCode } = await enrolledUser("payor@demo.test");
    const account = accountStub("demo-payor");
    let nowMs = Date.now() + 60_000;
    const signedIn = await account.signIn(PASSWORD, true, nowMs);
    if (!signedIn.ok || !signedIn.challenge) throw new Error("expected a challenge");
    let { sid } = signedIn.session;
    let challengeId = signedIn.challenge.id;
    expect(signedIn.challenge.methods).toEqual(["totp", "recovery"]);

    for (let failures = 1; failures <= FACTOR_DISABLE_AFTER; failures++) {
      const result = await account.verifyChallenge(sid, challengeId, "totp", wrongCodeFor(await totpCode(secret, nowMs)), nowMs);
      expect(result).toMatchObject({ ok: false, reason: "mismatch" });
      nowMs += waitSecondsAfter(failures) * 1000;
      // A fresh sign-in each time keeps the session and challenge alive while time runs on.
      const fresh = await account.signIn(PASSWORD, true, nowMs);
      if (!fresh.ok || !fresh.challenge) throw new Error("expected a challenge");
      ({ sid } = fresh.session);
      challengeId = fresh.challenge.id;
    }
    expect(await account.describeFactors()).toMatchObject({ totp: { enrolled: true, disabled: true } });
    const correct = await account.verifyChallenge(sid, challengeId, "totp", await totpCode(secret, nowMs), nowMs);
    expect(correct).toMatchObject({ ok: false, reason: "method_unavailable" });

    // The recovery code still works and opens a session that may re-enroll the app.
    const recovered = await account.verifyChallenge(sid, challengeId, "recovery", recoveryCode, nowMs);
    expect(recovered).toMatchObject({ ok: true, next: "save_recovery_code" });
    if (!recovered.ok) throw new Error("unreachable");
    const saved = await account.confirmRecoverySaved(recovered.session.sid, nowMs);
    if (!saved.ok) throw new Error("expected save to succeed");
    const begun = await account.beginTotpEnrollment(saved.session.sid, nowMs);
    if (!begun.ok) throw new Error("re-enrollment should be allowed right after MFA");
    const confirmed = await account.confirmTotpEnrollment(saved.session.sid, await totpCode(begun.secret, nowMs), nowMs);
    expect(confirmed.ok).toBe(true);
    expect(await account.describeFactors()).toMatchObject({ totp: { enrolled: true, disabled: false } });
  });
});
