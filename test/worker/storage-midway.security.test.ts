/**
 * A storage failure in the middle of an operation, after the check and before (or during) the
 * commit: the client gets 503 SERVICE_UNAVAILABLE, nothing reaches the origin, the account is
 * left fully as before (never a code usable twice, never a factor without its recovery code,
 * never a recovery code the person was not shown), and the same request sent again works.
 * The failure is one throwing write or transaction inside the live account object
 * (storage-faults.ts).
 */
import { describe, expect, it } from "vitest";
import { accountStub, atLoginChallenge, enrolledUser, originHits, sessionClaimsOf, signIn, totpCode, verify, type Client } from "./helpers";
import { enrollSms, errorCode, freshUsNumber, lastSmsCode, makeUser, post } from "./sms-helpers";
import { failNextTransaction, failNextWrite, snapshot } from "./storage-faults";

const api = { accept: "application/json" };
const STEP_MS = 30_000;

async function expectUnavailable(response: Response) {
  expect(response.status).toBe(503);
  expect(await errorCode(response)).toBe("SERVICE_UNAVAILABLE");
  expect(response.headers.get("set-cookie")).toBeNull();
}

/** The account's state without the attempt counter (reserved before every check, by design). */
async function stateOf(userId: string) {
  const { failures: _failures, ...rest } = await snapshot(accountStub(userId));
  return rest;
}

/** A person with an authenticator app, signed in again up to the login challenge. */
async function atChallenge() {
  const { id, email } = await makeUser("standard");
  const { secret, recoveryCode } = await enrolledUser(email);
  const { client, challengeId } = await atLoginChallenge(email);
  return { id, email, secret, recoveryCode, client, challengeId };
}

/** A TOTP code for the step after the last accepted one. */
async function nextTotp(userId: string, secret: string) {
  const last = (await snapshot(accountStub(userId))).totp_last_step as number | undefined;
  return totpCode(secret, ((last ?? Math.floor(Date.now() / STEP_MS) - 1) + 1) * STEP_MS);
}

describe("sign-in: the commit of a verified code fails", () => {
  it("TOTP: recording the step fails; nothing changed, the same code then works once", async () => {
    const { id, email, secret, client, challengeId } = await atChallenge();
    const code = await nextTotp(id, secret);
    const before = await stateOf(id);
    const fired = await failNextWrite(accountStub(id), "put", "totp_last_step");
    await expectUnavailable(await verify(client, challengeId, "totp", code));
    expect(await fired()).toBe(true);
    expect(await stateOf(id)).toEqual(before);
    expect((await verify(client, challengeId, "totp", code)).status).toBe(200);
    const again = await atLoginChallenge(email);
    expect((await verify(again.client, again.challengeId, "totp", code)).status).toBe(401);
  });

  it("recovery: consuming the code fails; the code still works, once", async () => {
    const { id, recoveryCode, client, challengeId } = await atChallenge();
    const before = await stateOf(id);
    const fired = await failNextWrite(accountStub(id), "delete", "recovery");
    await expectUnavailable(await verify(client, challengeId, "recovery", recoveryCode));
    expect(await fired()).toBe(true);
    expect(await stateOf(id)).toEqual(before);
    const used = await verify(client, challengeId, "recovery", recoveryCode);
    expect(used.status).toBe(200);
    expect(((await used.json()) as { recoveryCode: string }).recoveryCode).toMatch(/^\d{32}$/);
  });

  it("recovery: storing the new code fails; the old code is not lost (no account left without one)", async () => {
    const { id, email, recoveryCode, client, challengeId } = await atChallenge();
    const before = await stateOf(id);
    const fired = await failNextWrite(accountStub(id), "put", "recovery");
    await expectUnavailable(await verify(client, challengeId, "recovery", recoveryCode));
    expect(await fired()).toBe(true);
    expect(await stateOf(id)).toEqual(before);
    const used = await verify(client, challengeId, "recovery", recoveryCode);
    expect(used.status).toBe(200);
    const { recoveryCode: issued } = (await used.json()) as { recoveryCode: string };
    const later = await atLoginChallenge(email);
    expect((await verify(later.client, later.challengeId, "recovery", recoveryCode)).status).toBe(401);
    expect((await verify(later.client, later.challengeId, "recovery", issued)).status).toBe(200);
  });

  it("SMS: consuming the texted code fails; the same code then works once", async () => {
    const { id, email } = await makeUser("standard");
    const phone = freshUsNumber();
    await enrollSms(email, phone);
    const { client, challengeId } = await atLoginChallenge(email);
    await post(client, `/challenges/${challengeId}/sms`);
    const code = await lastSmsCode(phone);
    const before = await stateOf(id);
    const fired = await failNextWrite(accountStub(id), "delete", `sms_code:challenge:${challengeId}`);
    await expectUnavailable(await verify(client, challengeId, "sms", code));
    expect(await fired()).toBe(true);
    expect(await stateOf(id)).toEqual(before);
    expect((await verify(client, challengeId, "sms", code)).status).toBe(200);
    expect(Object.keys(await snapshot(accountStub(id))).filter((key) => key.startsWith("sms_code:"))).toEqual([]);
  });
});

describe("enrollment: the factor and its recovery code are written together or not at all", () => {
  async function atTotpSetup() {
    const { id, email } = await makeUser("standard");
    const { client, body } = await signIn(email);
    expect(body.next).toBe("enroll");
    const { secret } = (await (await post(client, "/enroll/totp")).json()) as { secret: string };
    return { id, client, secret, code: await totpCode(secret) };
  }

  for (const [what, inject] of [
    ["writing the app", (id: string) => failNextWrite(accountStub(id), "put", "totp")],
    ["the transaction", (id: string) => failNextTransaction(accountStub(id))],
    ["storing the recovery code", (id: string) => failNextWrite(accountStub(id), "put", "recovery")],
    ["rotating the session", (id: string) => failNextWrite(accountStub(id), "put", /^session:/)],
  ] as const) {
    it(`authenticator app: ${what} fails; no app without a recovery code, and the retry enrolls`, async () => {
      const { id, client, code } = await atTotpSetup();
      const before = await stateOf(id);
      const fired = await inject(id);
      await expectUnavailable(await post(client, "/enroll/totp/confirm", { code }));
      expect(await fired()).toBe(true);
      expect(await stateOf(id)).toEqual(before);
      const retried = await post(client, "/enroll/totp/confirm", { code });
      expect(retried.status).toBe(200);
      const after = await snapshot(accountStub(id));
      expect(after.totp).toBeDefined();
      expect(after.recovery).toBeDefined();
    });
  }

  for (const [what, op, key] of [
    ["consuming the code", "delete", /^sms_code:enroll:/],
    ["writing the phone", "put", "sms"],
    ["storing the recovery code", "put", "recovery"],
  ] as const) {
    it(`SMS: ${what} fails; no phone without a recovery code, and the same code then enrolls`, async () => {
      const { id, email } = await makeUser("standard");
      const phone = freshUsNumber();
      const { client, body } = await signIn(email);
      expect(body.next).toBe("enroll");
      expect((await post(client, "/enroll/sms", { phone })).status).toBe(200);
      const code = await lastSmsCode(phone);
      const before = await stateOf(id);
      const fired = await failNextWrite(accountStub(id), op, key);
      await expectUnavailable(await post(client, "/enroll/sms/confirm", { code }));
      expect(await fired()).toBe(true);
      expect(await stateOf(id)).toEqual(before);
      expect((await post(client, "/enroll/sms/confirm", { code })).status).toBe(200);
      expect((await accountStub(id).smsFactor())?.phoneE164).toBe(phone);
      expect((await snapshot(accountStub(id))).recovery).toBeDefined();
    });
  }
});

describe("settings: a new recovery code is stored and shown together, or not at all", () => {
  it("asking for a new code: the session's save step fails; the old code still works, the retry replaces it", async () => {
    const { id, email } = await makeUser("standard");
    const { client, recoveryCode: old } = await enrollSms(email, freshUsNumber());
    const before = await stateOf(id);
    const fired = await failNextWrite(accountStub(id), "put", `session:${sessionClaimsOf(client).sid}`);
    await expectUnavailable(await post(client, "/settings/recovery-code"));
    expect(await fired()).toBe(true);
    expect(await stateOf(id)).toEqual(before);
    const retried = await post(client, "/settings/recovery-code");
    expect(retried.status).toBe(200);
    const { recoveryCode } = (await retried.json()) as { recoveryCode: string };
    await post(client, "/recovery-code/confirm", { saved: true });
    const later = await atLoginChallenge(email);
    expect((await verify(later.client, later.challengeId, "recovery", old)).status).toBe(401);
    expect((await verify(later.client, later.challengeId, "recovery", recoveryCode)).status).toBe(200);
  });

  it("verifying identity with the recovery code: storing its replacement fails; the code still works, once", async () => {
    const { id, email } = await makeUser("standard");
    const { client, recoveryCode } = await enrollSms(email, freshUsNumber());
    const before = await stateOf(id);
    const fired = await failNextWrite(accountStub(id), "put", "recovery");
    await expectUnavailable(await post(client, "/settings/verify", { method: "recovery", code: recoveryCode }));
    expect(await fired()).toBe(true);
    expect(await stateOf(id)).toEqual(before);
    const retried = await post(client, "/settings/verify", { method: "recovery", code: recoveryCode });
    expect(retried.status).toBe(200);
    const { recoveryCode: issued } = (await retried.json()) as { recoveryCode: string };
    await post(client, "/recovery-code/confirm", { saved: true });
    const later = await atLoginChallenge(email);
    expect((await verify(later.client, later.challengeId, "recovery", recoveryCode)).status).toBe(401);
    expect((await verify(later.client, later.challengeId, "recovery", issued)).status).toBe(200);
  });
});

describe("payments: using a grant fails half-way", () => {
  it("recording the visit fails after the grant was found: not forwarded, and the grant still works once", async () => {
    const { id, email } = await makeUser("payor");
    const { client, secret } = await enrolledUser(email);
    await passChallenge(client, id, secret, await challengeOf(client.fetch("/payments/", { headers: api })));
    const path = "/payments/agreements/midway/accept";
    const grant = (await passChallenge(client, id, secret, await challengeOf(client.fetch(path, { method: "POST", json: {}, headers: api })))).grant!;
    const withGrant = () => client.fetch(path, { method: "POST", json: {}, headers: { ...api, "stepgate-grant": grant } });
    const before = await stateOf(id);
    const fired = await failNextWrite(accountStub(id), "put", `session:${sessionClaimsOf(client).sid}`);
    await expectUnavailable(await withGrant());
    expect(await fired()).toBe(true);
    expect(await originHits(path)).toBe(0);
    expect(await stateOf(id)).toEqual(before);
    expect((await withGrant()).status).toBe(200);
    expect((await withGrant()).status).toBe(401);
    expect(await originHits(path)).toBe(1);
  });
});

async function challengeOf(response: Promise<Response>): Promise<string> {
  const body = (await (await response).json()) as { challenge: { id: string } };
  return body.challenge.id;
}

async function passChallenge(client: Client, userId: string, secret: string, challengeId: string) {
  const response = await verify(client, challengeId, "totp", await nextTotp(userId, secret));
  expect(response.status).toBe(200);
  return (await response.json()) as { grant?: string };
}
