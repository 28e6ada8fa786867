/**
 * SMS codes as a second factor: stored only as a keyed hash, bound to the attempt that asked for
 * them, single use (also under a concurrent double use), valid for SMS_CODE_TTL_SECONDS (600 s:
 * accepted at 10:00, refused at 10:01), and a resend invalidates the previous code without
 * resetting the failure count. Time is injected by calling the account object with `nowMs`.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { accountStub, PASSWORD, verify } from "./helpers";
import { enrollSms, errorCode, freshUsNumber, lastSmsCode, makeUser, post, signInAs } from "./sms-helpers";

const MINUTE = 60_000;
const wrongFor = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

/** A person with SMS enrolled directly through the account object at `nowMs`. */
async function smsUser(nowMs: number) {
  const { id, email } = await makeUser("standard");
  const account = accountStub(id);
  const phone = freshUsNumber();
  const signedIn = await account.signIn(PASSWORD, true, nowMs);
  if (!signedIn.ok) throw new Error("sign-in failed");
  const sent = await account.beginSmsEnrollment(signedIn.session.sid, { e164: phone, country: "US" }, nowMs);
  if (!sent.ok) throw new Error(`send refused: ${sent.reason}`);
  const confirmed = await account.confirmSmsEnrollment(signedIn.session.sid, sent.code, nowMs);
  if (!confirmed.ok) throw new Error(`confirm refused: ${confirmed.reason}`);
  return { id, email, account, phone };
}

/** Signs in at `nowMs` and returns the session id and the login challenge id. */
async function loginChallenge(account: ReturnType<typeof accountStub>, nowMs: number) {
  const signedIn = await account.signIn(PASSWORD, true, nowMs);
  if (!signedIn.ok || !signedIn.challenge) throw new Error("expected a challenge");
  return { sid: signedIn.session.sid, challengeId: signedIn.challenge.id };
}

async function sendFor(account: ReturnType<typeof accountStub>, sid: string, challengeId: string, nowMs: number): Promise<string> {
  const sent = await account.sendChallengeSms(sid, challengeId, nowMs);
  if (!sent.ok) throw new Error(`send refused: ${sent.reason}`);
  return sent.code;
}

describe("SMS codes", () => {
  it("sign-in: 'use a phone number' texts a code for the challenge; the code passes it once", async () => {
    const { email } = await makeUser("standard");
    const phone = freshUsNumber();
    await enrollSms(email, phone);
    const { client: c, body } = await signInAs(email);
    expect(body.challenge?.methods).toEqual(["sms", "recovery"]);
    const id = body.challenge?.id ?? "";
    const sent = await post(c, `/challenges/${id}/sms`);
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({ sent: true, phone: `•••• ${phone.slice(-4)}` });
    const code = await lastSmsCode(phone);
    const passed = await verify(c, id, "sms", code.replace(/(\d{3})/, "$1 "));
    expect(passed.status).toBe(200);
    expect(await passed.json()).toEqual({ next: "done" });
    const me = (await (await c.fetch("/_stepgate/api/me")).json()) as { amr: string[] };
    expect(me.amr).toEqual(["pwd", "sms"]);
  });

  it("is stored only as a keyed hash, never in plain text", async () => {
    const t0 = Date.now();
    const { account } = await smsUser(t0);
    const { sid, challengeId } = await loginChallenge(account, t0 + MINUTE);
    const code = await sendFor(account, sid, challengeId, t0 + MINUTE);
    await runInDurableObject(account, async (_instance, state) => {
      const everything = JSON.stringify([...state.storage.kv.list()]);
      expect(everything).not.toContain(`"${code}"`);
      expect(everything).not.toMatch(new RegExp(`[^0-9]${code}[^0-9]`));
      const pending = state.storage.kv.get<{ hash: string }>(`sms_code:challenge:${challengeId}`);
      expect(pending?.hash).toMatch(/^[A-Za-z0-9_-]{43}$/); // HMAC-SHA-256, base64url
    });
  });

  it("is accepted at exactly 10:00 after sending and refused at 10:01 (enrollment)", async () => {
    const t0 = Date.now();
    for (const [elapsedMs, expected] of [
      [10 * MINUTE, { ok: true }],
      [10 * MINUTE + 1000, { ok: false, reason: "code_expired" }],
    ] as const) {
      const { id } = await makeUser("standard");
      const account = accountStub(id);
      const signedIn = await account.signIn(PASSWORD, true, t0);
      if (!signedIn.ok) throw new Error("sign-in failed");
      const sent = await account.beginSmsEnrollment(signedIn.session.sid, { e164: freshUsNumber(), country: "US" }, t0);
      if (!sent.ok) throw new Error("send refused");
      expect(await account.confirmSmsEnrollment(signedIn.session.sid, sent.code, t0 + elapsedMs)).toMatchObject(expected);
    }
  });

  it("is accepted at 10:00 and refused at 10:01 at a challenge, whatever the challenge's own lifetime", async () => {
    const t0 = Date.now();
    const { account } = await smsUser(t0);
    for (const [elapsedMs, status] of [
      [10 * MINUTE, true],
      [10 * MINUTE + 1000, false],
    ] as const) {
      const start = t0 + (status ? 1 : 20) * MINUTE;
      const { sid, challengeId } = await loginChallenge(account, start);
      // Keep the challenge alive past the code, so the code's own expiry is what is tested.
      await runInDurableObject(account, async (_instance, state) => {
        const challenge = state.storage.kv.get<{ expiresAtMs: number }>(`challenge:${challengeId}`);
        if (challenge) state.storage.kv.put(`challenge:${challengeId}`, { ...challenge, expiresAtMs: start + 60 * MINUTE });
      });
      const code = await sendFor(account, sid, challengeId, start);
      const result = await account.verifyChallenge(sid, challengeId, "sms", code, start + elapsedMs);
      expect(result).toMatchObject(status ? { ok: true, next: "done" } : { ok: false, reason: "code_expired" });
    }
  });

  it("is bound to the attempt that asked for it: a code for one sign-in does not pass another", async () => {
    const t0 = Date.now();
    const { account } = await smsUser(t0);
    const a = await loginChallenge(account, t0 + MINUTE);
    const b = await loginChallenge(account, t0 + MINUTE);
    const codeA = await sendFor(account, a.sid, a.challengeId, t0 + MINUTE);
    expect(await account.verifyChallenge(b.sid, b.challengeId, "sms", codeA, t0 + MINUTE)).toMatchObject({ ok: false, reason: "no_code_sent" });
    const codeB = await sendFor(account, b.sid, b.challengeId, t0 + 2 * MINUTE);
    if (codeB !== codeA) {
      expect(await account.verifyChallenge(b.sid, b.challengeId, "sms", codeA, t0 + 2 * MINUTE)).toMatchObject({ ok: false, reason: "mismatch" });
    }
    expect(await account.verifyChallenge(b.sid, b.challengeId, "sms", codeB, t0 + 2 * MINUTE)).toMatchObject({ ok: true });
    // Another session's challenge id is not this session's: the code cannot be moved across.
    expect(await account.verifyChallenge(b.sid, a.challengeId, "sms", codeA, t0 + 2 * MINUTE)).toMatchObject({ ok: false });
  });

  it("a resend invalidates the previous code but does not reset the failure count", async () => {
    const t0 = Date.now();
    const { account } = await smsUser(t0);
    const { sid, challengeId } = await loginChallenge(account, t0 + MINUTE);
    const first = await sendFor(account, sid, challengeId, t0 + MINUTE);
    for (let i = 0; i < 3; i++) {
      expect(await account.verifyChallenge(sid, challengeId, "sms", wrongFor(first), t0 + MINUTE)).toMatchObject({ reason: "mismatch" });
    }
    expect(await account.consecutiveFailures()).toBe(3);
    const second = await sendFor(account, sid, challengeId, t0 + 2 * MINUTE);
    expect(await account.consecutiveFailures()).toBe(3); // the resend did not reset it
    if (second !== first) {
      expect(await account.verifyChallenge(sid, challengeId, "sms", first, t0 + 2 * MINUTE)).toMatchObject({ reason: "mismatch" });
      expect(await account.consecutiveFailures()).toBe(4);
      // The fifth failure in a row starts the growing waits, resend or not.
      expect(await account.verifyChallenge(sid, challengeId, "sms", wrongFor(second), t0 + 2 * MINUTE)).toMatchObject({ reason: "mismatch" });
      expect(await account.verifyChallenge(sid, challengeId, "sms", second, t0 + 2 * MINUTE)).toMatchObject({ reason: "throttled", retryAfterSeconds: 1 });
    }
    expect(await account.verifyChallenge(sid, challengeId, "sms", second, t0 + 3 * MINUTE)).toMatchObject({ ok: true });
    expect(await account.consecutiveFailures()).toBe(0);
  });

  it("a concurrent double use of one code succeeds exactly once", async () => {
    const { email } = await makeUser("standard");
    const phone = freshUsNumber();
    await enrollSms(email, phone);
    const { client: c, body } = await signInAs(email);
    const id = body.challenge?.id ?? "";
    expect((await post(c, `/challenges/${id}/sms`)).status).toBe(200);
    const code = await lastSmsCode(phone);
    const statuses = (await Promise.all(Array.from({ length: 10 }, () => verify(c, id, "sms", code)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 401 || s === 404)).toBe(true);
  });

  it("a concurrent double use through the account object commits once", async () => {
    const t0 = Date.now();
    const { account } = await smsUser(t0);
    const { sid, challengeId } = await loginChallenge(account, t0 + MINUTE);
    const code = await sendFor(account, sid, challengeId, t0 + MINUTE);
    const results = await Promise.all([1, 2, 3, 4].map(() => account.verifyChallenge(sid, challengeId, "sms", code, t0 + MINUTE)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("wrong, expired and never-sent codes get clear, distinct errors", async () => {
    const { email } = await makeUser("standard");
    const phone = freshUsNumber();
    await enrollSms(email, phone);
    const { client: c, body } = await signInAs(email);
    const id = body.challenge?.id ?? "";
    const notSent = await verify(c, id, "sms", "123456");
    expect(notSent.status).toBe(409);
    expect(await errorCode(notSent)).toBe("NO_CODE_SENT");
    await post(c, `/challenges/${id}/sms`);
    const wrong = await verify(c, id, "sms", wrongFor(await lastSmsCode(phone)));
    expect(wrong.status).toBe(401);
    expect(await errorCode(wrong)).toBe("INVALID_CODE");
  });

  it("sending for an unknown, foreign or malformed challenge is refused", async () => {
    const { email } = await makeUser("standard");
    await enrollSms(email, freshUsNumber());
    const { client: c } = await signInAs(email);
    expect((await post(c, "/challenges/AAAAAAAAAAAAAAAAAAAAAA/sms")).status).toBe(404);
    expect((await post(c, "/challenges/bad!/sms")).status).toBe(404);
    const other = await signInAs(email);
    const foreign = other.body.challenge?.id ?? "";
    expect((await post(c, `/challenges/${foreign}/sms`)).status).toBe(404);
  });

  it("sending is refused for a person without a phone", async () => {
    const { email } = await makeUser("standard");
    const { client: enrolling } = await signInAs(email);
    const start = (await (await post(enrolling, "/enroll/totp")).json()) as { secret: string };
    const { totpCode } = await import("./helpers");
    await post(enrolling, "/enroll/totp/confirm", { code: await totpCode(start.secret, Date.now() - 30_000) });
    const { client: c, body } = await signInAs(email);
    const response = await post(c, `/challenges/${body.challenge?.id}/sms`);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("METHOD_UNAVAILABLE");
  });
});
