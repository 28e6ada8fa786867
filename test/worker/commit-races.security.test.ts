/**
 * Check-then-commit races, made to happen. workerd runs the awaited crypto of a check without
 * letting another request in, so two verifications of one code never overlap by themselves; the
 * commit gate (worker/lib/test-hooks.ts) holds every verification that passed its check until all
 * have, then releases them together. Each test asserts that the race really happened (how many
 * were held) and that exactly one commit won, with the state to match: the TOTP step recorded,
 * the recovery code replaced once, the SMS code consumed once, the grant used once and the origin
 * called once. Distinct sessions where a session rotation alone would otherwise decide.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { holdCommits, releaseCommitsAfterEach } from "./commit-gate";
import { accountStub, atLoginChallenge, enrolledUser, originHits, PASSWORD, totpCode, verify, type Client } from "./helpers";
import { enrollSms, errorCode, freshUsNumber, lastSmsCode, makeUser, post, signInAs } from "./sms-helpers";

releaseCommitsAfterEach();

const STEP_MS = 30_000;
const api = { accept: "application/json" };

/** A TOTP code for the step after the last one the account accepted (inside the ±1 window). */
async function nextTotp(userId: string, secret: string): Promise<{ code: string; step: number }> {
  const last = await runInDurableObject(accountStub(userId), (_instance, state) => state.storage.kv.get<number>("totp_last_step"));
  const step = (last ?? Math.floor(Date.now() / STEP_MS) - 1) + 1;
  return { code: await totpCode(secret, step * STEP_MS), step };
}

/** A person with an authenticator app, and a second fully signed-in session of theirs. */
async function twoSessions(role: "standard" | "payor" = "standard") {
  const { id, email } = await makeUser(role);
  const { client: first, secret, recoveryCode } = await enrolledUser(email);
  const { client: second, challengeId } = await atLoginChallenge(email);
  expect((await verify(second, challengeId, "totp", (await nextTotp(id, secret)).code)).status).toBe(200);
  return { id, email, secret, recoveryCode, first, second };
}

const stored = <T>(userId: string, key: string) => runInDurableObject(accountStub(userId), (_instance, state) => state.storage.kv.get<T>(key));

describe("sign-in: one code, several challenges verified at once", () => {
  it("TOTP: of 20 sessions submitting one code, one passes and the step is recorded once", async () => {
    const { id, email } = await makeUser("standard");
    const { secret } = await enrolledUser(email);
    const attempts = [];
    for (let i = 0; i < 20; i++) attempts.push(await atLoginChallenge(email));
    const { code, step } = await nextTotp(id, secret);
    const gate = holdCommits("totp");
    const pending = attempts.map(({ client, challengeId }) => gate.track(verify(client, challengeId, "totp", code)));
    await gate.parked(2);
    gate.release();
    const statuses = (await Promise.all(pending)).map((r) => r.status);
    expect(gate.held).toBeGreaterThanOrEqual(2); // several passed the check: the race happened
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    for (const s of statuses.filter((s) => s !== 200)) expect([401, 429]).toContain(s);
    expect(await stored<number>(id, "totp_last_step")).toBe(step);
  });

  it("recovery: two sessions using one code: one passes, and the code is replaced once", async () => {
    const { email } = await makeUser("standard");
    const { recoveryCode } = await enrolledUser(email);
    const a = await atLoginChallenge(email);
    const b = await atLoginChallenge(email);
    const gate = holdCommits("recovery");
    const pending = [a, b].map(({ client, challengeId }) => gate.track(verify(client, challengeId, "recovery", recoveryCode)));
    await gate.parked(2);
    gate.release();
    const responses = await Promise.all(pending);
    expect(gate.held).toBe(2);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = responses.find((r) => r.status === 200)!;
    const { recoveryCode: issued } = (await winner.json()) as { recoveryCode: string };
    // The one new code is the stored one: the old code is gone, the new one works.
    const later = await atLoginChallenge(email);
    expect((await verify(later.client, later.challengeId, "recovery", recoveryCode)).status).toBe(401);
    expect((await verify(later.client, later.challengeId, "recovery", issued)).status).toBe(200);
  });

  it("SMS: two submissions of one texted code for one challenge: one passes, the code is consumed", async () => {
    const { id, email } = await makeUser("standard");
    const phone = freshUsNumber();
    await enrollSms(email, phone);
    const { client, challengeId } = await atLoginChallenge(email);
    expect((await post(client, `/challenges/${challengeId}/sms`)).status).toBe(200);
    const code = await lastSmsCode(phone);
    const gate = holdCommits("sms");
    const pending = [1, 2].map(() => gate.track(verify(client, challengeId, "sms", code)));
    await gate.parked(2);
    gate.release();
    const statuses = (await Promise.all(pending)).map((r) => r.status).sort();
    expect(gate.held).toBe(2);
    expect(statuses[0]).toBe(200);
    expect([401, 404]).toContain(statuses[1]);
    expect(await stored(id, `sms_code:challenge:${challengeId}`)).toBeUndefined();
  });

  it("SMS: a code re-sent while the previous one is being checked voids it (the commit re-reads the code)", async () => {
    const { id, email } = await makeUser("standard");
    const account = accountStub(id);
    const t0 = Date.now();
    await enrollSmsAt(account, t0);
    const signedIn = await account.signIn(PASSWORD, true, t0);
    if (!signedIn.ok || !signedIn.challenge) throw new Error("expected a challenge");
    const { sid } = signedIn.session;
    const challengeId = signedIn.challenge.id;
    const first = await account.sendChallengeSms(sid, challengeId, t0);
    if (!first.ok) throw new Error(first.reason);
    const gate = holdCommits("sms");
    const checking = gate.track(account.verifyChallenge(sid, challengeId, "sms", first.code, t0));
    await gate.parked(1);
    // SMS_RESEND_AFTER_SECONDS is 30 by default: the person asks for a new code 31 s later.
    const resent = await account.sendChallengeSms(sid, challengeId, t0 + 31_000);
    gate.release();
    expect(resent.ok).toBe(true);
    expect(await checking).toMatchObject({ ok: false, reason: "replayed" });
    if (resent.ok) expect(await account.verifyChallenge(sid, challengeId, "sms", resent.code, t0 + 32_000)).toMatchObject({ ok: true });
  });

  it("a sensitive action's challenge passed by two factors at once yields one grant (the challenge is re-read)", async () => {
    const { id, email } = await makeUser("payor");
    const { client, secret, recoveryCode } = await enrolledUser(email);
    await enterPayments(client, id, secret);
    const refused = await client.fetch("/payments/agreements/race-two-factors/accept", { method: "POST", json: {}, headers: api });
    const { challenge } = (await refused.json()) as { challenge: { id: string } };
    const { code } = await nextTotp(id, secret);
    const gate = holdCommits("totp", "recovery");
    const pending = [
      gate.track(verify(client, challenge.id, "totp", code)),
      gate.track(verify(client, challenge.id, "recovery", recoveryCode)),
    ];
    await gate.parked(2);
    gate.release();
    const responses = await Promise.all(pending);
    expect(gate.held).toBe(2);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 404]);
    expect(await errorCode(responses.find((r) => r.status !== 200)!)).toBe("CHALLENGE_NOT_FOUND");
    const grants = await runInDurableObject(accountStub(id), (_instance, state) => [...state.storage.kv.list({ prefix: "grant:" })].length);
    expect(grants).toBe(1);
  });
});

describe("settings: re-verifying identity from two sessions at once", () => {
  it("TOTP: one code, two sessions: one passes", async () => {
    const { id, secret, first, second } = await twoSessions();
    const { code, step } = await nextTotp(id, secret);
    const gate = holdCommits("totp");
    const pending = [first, second].map((c) => gate.track(post(c, "/settings/verify", { method: "totp", code })));
    await gate.parked(2);
    gate.release();
    const responses = await Promise.all(pending);
    expect(gate.held).toBe(2);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(await errorCode(responses.find((r) => r.status === 401)!)).toBe("INVALID_CODE");
    expect(await stored<number>(id, "totp_last_step")).toBe(step);
  });

  it("recovery: one code, two sessions: one passes, and one new code is issued", async () => {
    const { email, recoveryCode, first, second } = await twoSessions();
    const gate = holdCommits("recovery");
    const pending = [first, second].map((c) => gate.track(post(c, "/settings/verify", { method: "recovery", code: recoveryCode })));
    await gate.parked(2);
    gate.release();
    const responses = await Promise.all(pending);
    expect(gate.held).toBe(2);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 401]);
    const { recoveryCode: issued } = (await responses.find((r) => r.status === 200)!.json()) as { recoveryCode: string };
    const later = await atLoginChallenge(email);
    expect((await verify(later.client, later.challengeId, "recovery", recoveryCode)).status).toBe(401);
    expect((await verify(later.client, later.challengeId, "recovery", issued)).status).toBe(200);
  });

  it("SMS: a code re-sent to the current number while the previous one is being checked voids it", async () => {
    const { id } = await makeUser("standard");
    const account = accountStub(id);
    const t0 = Date.now();
    const sid = await enrollSmsAt(account, t0);
    expect(await account.confirmRecoverySaved(sid, t0)).toMatchObject({ ok: true });
    const first = await account.sendIdentitySms(sid, t0);
    if (!first.ok) throw new Error(first.reason);
    const gate = holdCommits("sms");
    const checking = gate.track(account.verifyIdentity(sid, "sms", first.code, t0));
    await gate.parked(1);
    const resent = await account.sendIdentitySms(sid, t0 + 31_000);
    gate.release();
    expect(resent.ok).toBe(true);
    expect(await checking).toMatchObject({ ok: false, reason: "replayed" });
    if (resent.ok) expect(await account.verifyIdentity(sid, "sms", resent.code, t0 + 32_000)).toMatchObject({ ok: true });
  });
});

describe("enrollment: the pending set-up changes while its code is checked", () => {
  it("SMS: a number switched while the first number's code is checked is not enrolled", async () => {
    const { id } = await makeUser("standard");
    const account = accountStub(id);
    const t0 = Date.now();
    const signedIn = await account.signIn(PASSWORD, true, t0);
    if (!signedIn.ok) throw new Error(signedIn.reason);
    const { sid } = signedIn.session;
    const [oldPhone, newPhone] = [freshUsNumber(), freshUsNumber()];
    const first = await account.beginSmsEnrollment(sid, { e164: oldPhone, country: "US" }, t0);
    if (!first.ok) throw new Error(first.reason);
    const gate = holdCommits("sms");
    const checking = gate.track(account.confirmSmsEnrollment(sid, first.code, t0));
    await gate.parked(1);
    const second = await account.beginSmsEnrollment(sid, { e164: newPhone, country: "US" }, t0 + 31_000);
    gate.release();
    expect(second.ok).toBe(true);
    expect(await checking).toMatchObject({ ok: false, reason: "replayed" });
    expect(await account.smsFactor()).toBeNull();
    if (second.ok) expect(await account.confirmSmsEnrollment(sid, second.code, t0 + 32_000)).toMatchObject({ ok: true, phoneE164: newPhone });
    expect((await account.smsFactor())?.phoneE164).toBe(newPhone);
  });

  it("SMS: one code confirmed twice at once enrolls once", async () => {
    const { id, email } = await makeUser("standard");
    const phone = freshUsNumber();
    const { client: c } = await signInAndSend(email, phone);
    const code = await lastSmsCode(phone);
    const gate = holdCommits("sms");
    const pending = [1, 2].map(() => gate.track(post(c, "/enroll/sms/confirm", { code })));
    await gate.parked(2);
    gate.release();
    const statuses = (await Promise.all(pending)).map((r) => r.status).sort();
    expect(gate.held).toBe(2);
    expect(statuses[0]).toBe(200);
    expect(statuses[1]).toBeGreaterThanOrEqual(400);
    expect((await accountStub(id).smsFactor())?.phoneE164).toBe(phone);
    expect(await pendingSmsCodes(id)).toEqual([]);
  });

  it("TOTP: a set-up restarted while the first secret's code is checked does not enroll the first secret", async () => {
    const { id } = await makeUser("standard");
    const account = accountStub(id);
    const t0 = Date.now();
    const signedIn = await account.signIn(PASSWORD, true, t0);
    if (!signedIn.ok) throw new Error(signedIn.reason);
    const { sid } = signedIn.session;
    const first = await account.beginTotpEnrollment(sid, t0);
    if (!first.ok) throw new Error(first.reason);
    const gate = holdCommits("totp_enroll");
    const checking = gate.track(account.confirmTotpEnrollment(sid, await totpCode(first.secret, t0), t0));
    await gate.parked(1);
    const second = await account.beginTotpEnrollment(sid, t0 + 1000);
    gate.release();
    expect(second.ok).toBe(true);
    expect(await checking).toMatchObject({ ok: false, reason: "no_pending" });
    expect((await account.describeFactors()).totp.enrolled).toBe(false);
    if (second.ok) expect(await account.confirmTotpEnrollment(sid, await totpCode(second.secret, t0 + 1000), t0 + 1000)).toMatchObject({ ok: true });
  });
});

describe("payments: one grant replayed by concurrent requests", () => {
  it("20 requests carrying one grant: one reaches the origin, the grant is gone", async () => {
    const { id, email } = await makeUser("payor");
    const { client, secret } = await enrolledUser(email);
    await enterPayments(client, id, secret);
    const path = "/payments/agreements/race-grant/accept";
    const refused = await client.fetch(path, { method: "POST", json: {}, headers: api });
    const { challenge } = (await refused.json()) as { challenge: { id: string } };
    const passed = await verify(client, challenge.id, "totp", (await nextTotp(id, secret)).code);
    const { grant } = (await passed.json()) as { grant: string };
    const gate = holdCommits("grant");
    const pending = Array.from({ length: 20 }, () => gate.track(client.fetch(path, { method: "POST", json: {}, headers: { ...api, "stepgate-grant": grant } })));
    await gate.parked(2);
    gate.release();
    const statuses = (await Promise.all(pending)).map((r) => r.status);
    expect(gate.held).toBe(20); // every one found the grant before any used it
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(19); // a new challenge each
    expect(await originHits(path)).toBe(1);
    expect(await stored(id, `grant:${grant}`)).toBeUndefined();
  });
});

// --- helpers -------------------------------------------------------------------------------------

async function enterPayments(client: Client, userId: string, secret: string) {
  const entry = await client.fetch("/payments/", { headers: api });
  const { challenge } = (await entry.json()) as { challenge: { id: string; reason: string } };
  expect(challenge.reason).toBe("payments_entry");
  expect((await verify(client, challenge.id, "totp", (await nextTotp(userId, secret)).code)).status).toBe(200);
}

/** Enrolls a phone through the account object at `nowMs`; returns the session (at the save step). */
async function enrollSmsAt(account: ReturnType<typeof accountStub>, nowMs: number): Promise<string> {
  const signedIn = await account.signIn(PASSWORD, true, nowMs);
  if (!signedIn.ok) throw new Error(signedIn.reason);
  const sent = await account.beginSmsEnrollment(signedIn.session.sid, { e164: freshUsNumber(), country: "US" }, nowMs);
  if (!sent.ok) throw new Error(sent.reason);
  const confirmed = await account.confirmSmsEnrollment(signedIn.session.sid, sent.code, nowMs);
  if (!confirmed.ok) throw new Error(confirmed.reason);
  return confirmed.session.sid;
}

async function signInAndSend(email: string, phone: string) {
  const { client, body } = await signInAs(email);
  expect(body.next).toBe("enroll");
  expect((await post(client, "/enroll/sms", { phone })).status).toBe(200);
  return { client };
}

/** The storage keys of the account's SMS codes still waiting to be entered. */
function pendingSmsCodes(userId: string): Promise<string[]> {
  return runInDurableObject(accountStub(userId), (_instance, state) => [...state.storage.kv.list({ prefix: "sms_code:" })].map(([key]) => key));
}
