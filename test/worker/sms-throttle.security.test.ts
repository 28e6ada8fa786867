/**
 * SMS sending limits (SMS pumping): a resend for the same attempt waits SMS_RESEND_AFTER_SECONDS
 * (30 s), each account may send SMS_MAX_PER_HOUR_PER_ACCOUNT (10) codes per rolling hour, and
 * each number may receive SMS_MAX_PER_HOUR_PER_NUMBER (10) per hour whatever account asks. The
 * answer is 429 SMS_RATE_LIMITED with "try again in N s".
 */
import { describe, expect, it } from "vitest";
import { accountStub, PASSWORD } from "./helpers";
import { enrollSms, freshUsNumber, makeUser, post, signInAs } from "./sms-helpers";

const SECOND = 1000;

async function enrollingSession(nowMs: number) {
  const { id } = await makeUser("standard");
  const account = accountStub(id);
  const signedIn = await account.signIn(PASSWORD, true, nowMs);
  if (!signedIn.ok) throw new Error("sign-in failed");
  return { account, sid: signedIn.session.sid };
}

describe("SMS send limits", () => {
  it("a resend for the same challenge within 30 s gets 429 with the wait, in the body and Retry-After", async () => {
    const { email } = await makeUser("standard");
    await enrollSms(email, freshUsNumber());
    const { client: c, body } = await signInAs(email);
    const id = body.challenge?.id ?? "";
    expect((await post(c, `/challenges/${id}/sms`)).status).toBe(200);
    const again = await post(c, `/challenges/${id}/sms`);
    expect(again.status).toBe(429);
    const error = ((await again.json()) as { error: { code: string; retryAfterSeconds: number } }).error;
    expect(error.code).toBe("SMS_RATE_LIMITED");
    expect(error.retryAfterSeconds).toBeGreaterThan(25);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(again.headers.get("retry-after")).toBe(String(error.retryAfterSeconds));
  });

  it("the resend wait is exact: refused at 29 s (1 s left), allowed at 30 s", async () => {
    const t0 = Date.now();
    const { account, sid } = await enrollingSession(t0);
    const phone = { e164: freshUsNumber(), country: "US" };
    expect(await account.beginSmsEnrollment(sid, phone, t0)).toMatchObject({ ok: true });
    expect(await account.beginSmsEnrollment(sid, phone, t0 + 29 * SECOND)).toEqual({ ok: false, reason: "sms_rate_limited", retryAfterSeconds: 1 });
    expect(await account.beginSmsEnrollment(sid, phone, t0 + 30 * SECOND)).toMatchObject({ ok: true });
  });

  it("an account may send 10 codes per rolling hour", async () => {
    const t0 = Date.now();
    const { account, sid } = await enrollingSession(t0);
    for (let i = 0; i < 10; i++) {
      // A different number each time, so only the account's own limit applies.
      expect(await account.beginSmsEnrollment(sid, { e164: freshUsNumber(), country: "US" }, t0 + i * 60 * SECOND)).toMatchObject({ ok: true });
    }
    const refused = await account.beginSmsEnrollment(sid, { e164: freshUsNumber(), country: "US" }, t0 + 10 * 60 * SECOND);
    // The first send leaves the hour at t0 + 3600 s: 50 minutes from now.
    expect(refused).toEqual({ ok: false, reason: "sms_rate_limited", retryAfterSeconds: 3000 });
    expect(await account.beginSmsEnrollment(sid, { e164: freshUsNumber(), country: "US" }, t0 + 3601 * SECOND)).toMatchObject({ ok: true });
  });

  it("a number may receive 10 codes per hour, whatever account asks for them", async () => {
    const t0 = Date.now();
    const shared = { e164: freshUsNumber(), country: "US" };
    for (let i = 0; i < 10; i++) {
      const { account, sid } = await enrollingSession(t0);
      expect(await account.beginSmsEnrollment(sid, shared, t0 + i * SECOND)).toMatchObject({ ok: true });
    }
    const { account, sid } = await enrollingSession(t0);
    const refused = await account.beginSmsEnrollment(sid, shared, t0 + 10 * SECOND);
    expect(refused).toMatchObject({ ok: false, reason: "sms_rate_limited" });
    expect(refused.ok ? 0 : (refused as { retryAfterSeconds: number }).retryAfterSeconds).toBe(3590);
    // Another number is unaffected.
    expect(await account.beginSmsEnrollment(sid, { e164: freshUsNumber(), country: "US" }, t0 + 10 * SECOND)).toMatchObject({ ok: true });
  });
});
