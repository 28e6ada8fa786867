/**
 * One rule for a new recovery code (decision 0009, issue #12): the unsaved save page's "Show a new
 * recovery code" and Settings' button both need a second factor in the last 10 minutes. Exactly
 * 10:00 after it is allowed, a millisecond later is not (the account object, at exact times);
 * over HTTP both paths issue a code at once and refuse after the window until the person
 * verifies again, which a session at the save step may do.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AccountDO } from "../../worker/do/account";
import type { SessionRecord } from "../../worker/domain/records";
import { addMember } from "./admin-helpers";
import { accountStub, sessionClaimsOf, signIn, totpCode, type Client } from "./helpers";

/** The rule's window, pinned here (not imported from the code under test). */
const WINDOW_MS = 10 * 60 * 1000;

let members = 0;
async function freshMember(): Promise<{ id: string; email: string }> {
  const id = `recovery-rule-${++members}`;
  const email = `${id}@demo.test`;
  await addMember({ id, email });
  return { id, email };
}

/** Signs in a fresh person and enrolls an app, stopping on the "Save your recovery code" step. */
async function atSaveStep(): Promise<{ client: Client; secret: string; id: string }> {
  const { id, email } = await freshMember();
  const { client: c, body } = await signIn(email);
  expect(body.next).toBe("enroll");
  const { secret } = (await (await c.fetch("/_stepgate/api/enroll/totp", { method: "POST", json: {} })).json()) as { secret: string };
  const confirmed = await c.fetch("/_stepgate/api/enroll/totp/confirm", { method: "POST", json: { code: await totpCode(secret, Date.now() + (await clockOffsetMs(c))) } });
  expect(confirmed.status).toBe(200);
  expect(sessionClaimsOf(c).stg).toBe("save_recovery_code");
  return { client: c, secret, id };
}

/** A fresh person signed in with an app, the code saved: a `done` session with a fresh second factor. */
async function signedInWithApp(): Promise<{ client: Client; secret: string; id: string }> {
  const saving = await atSaveStep();
  expect((await saving.client.fetch("/_stepgate/api/recovery-code/confirm", { method: "POST", json: { saved: true } })).status).toBe(200);
  return saving;
}

/** The stored session and recovery-code hash of an account (what a refusal must leave alone). */
async function stored(id: string, sid: string): Promise<{ session: SessionRecord; recovery: unknown }> {
  return runInDurableObject(accountStub(id) as unknown as DurableObjectStub<AccountDO>, (_instance, state) => ({
    session: state.storage.kv.get<SessionRecord>(`session:${sid}`)!,
    recovery: state.storage.kv.get("recovery"),
  }));
}

async function clockOffsetMs(c: Client): Promise<number> {
  return ((await (await c.fetch("/_stepgate/dev/clock")).json()) as { offsetMs: number }).offsetMs;
}

async function advanceClock(c: Client, seconds: number): Promise<number> {
  const moved = await c.fetch("/_stepgate/dev/clock", { method: "POST", json: { advanceSeconds: seconds } });
  return ((await moved.json()) as { offsetMs: number }).offsetMs;
}

const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;
const pageForm = (body: string): RequestInit => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });

describe("the account object decides both paths with the same 10-minute rule", () => {
  it("the save page's reissue: allowed at exactly 10:00 after the second factor, refused at 10:00.001 and 10:01", async () => {
    const { client: c, id } = await atSaveStep();
    const { sid } = sessionClaimsOf(c);
    const before = await stored(id, sid);
    const mfaAtMs = before.session.mfaAtMs!;
    expect(mfaAtMs).toBeGreaterThan(0); // the enrollment recorded its second factor
    const account = accountStub(id);
    expect(await account.reissueRecoveryCode(sid, mfaAtMs + WINDOW_MS + 1)).toEqual({ ok: false, reason: "not_allowed" });
    expect(await account.reissueRecoveryCode(sid, mfaAtMs + WINDOW_MS + 60_000)).toEqual({ ok: false, reason: "not_allowed" });
    expect((await stored(id, sid)).recovery).toEqual(before.recovery); // nothing issued
    const atBoundary = await account.reissueRecoveryCode(sid, mfaAtMs + WINDOW_MS);
    expect(atBoundary).toMatchObject({ ok: true, recoveryCode: expect.stringMatching(/^\d{32}$/) });
    expect((await stored(id, sid)).recovery).not.toEqual(before.recovery);
  });

  it("Settings' replace: allowed at exactly 10:00 after the second factor, refused at 10:00.001 and 10:01", async () => {
    const { client: c, id } = await signedInWithApp();
    const { sid } = sessionClaimsOf(c);
    const before = await stored(id, sid);
    expect(before.session.stage).toBe("done");
    const mfaAtMs = before.session.mfaAtMs!;
    const account = accountStub(id);
    expect(await account.replaceRecoveryCode(sid, mfaAtMs + WINDOW_MS + 1)).toEqual({ ok: false, reason: "not_allowed" });
    expect(await account.replaceRecoveryCode(sid, mfaAtMs + WINDOW_MS + 60_000)).toEqual({ ok: false, reason: "not_allowed" });
    const unchanged = await stored(id, sid);
    expect([unchanged.recovery, unchanged.session.stage]).toEqual([before.recovery, "done"]);
    const atBoundary = await account.replaceRecoveryCode(sid, mfaAtMs + WINDOW_MS);
    expect(atBoundary).toMatchObject({ ok: true, recoveryCode: expect.stringMatching(/^\d{32}$/) });
  });

  it("the save page's reissue stays refused at another step, whatever the time", async () => {
    const { client: c, id } = await signedInWithApp();
    const { sid } = sessionClaimsOf(c);
    const { session } = await stored(id, sid);
    expect(await accountStub(id).reissueRecoveryCode(sid, session.mfaAtMs!)).toEqual({ ok: false, reason: "wrong_stage" });
  });
});

describe("over HTTP, on both sides of the window (development clock)", () => {
  it("the save page: a reload right after enrolling shows a new code; after the window it asks to verify first", async () => {
    const { client: c, secret, id } = await atSaveStep();
    // Within the window: the page's button and the API both issue at once.
    const page = await c.fetch("/_stepgate/recovery-code/new", pageForm("next=%2F"));
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/data-code="\d{32}"/);
    const api = await c.fetch("/_stepgate/api/recovery-code", { method: "POST", json: {} });
    expect(api.status).toBe(200);

    const offsetMs = await advanceClock(c, 601);
    const { sid } = sessionClaimsOf(c);
    const before = await stored(id, sid);
    const refusedPage = await c.fetch("/_stepgate/recovery-code/new", pageForm("next=%2F"));
    expect(refusedPage.status).toBe(303);
    expect(refusedPage.headers.get("location")).toBe("/_stepgate/settings/verify?then=recovery");
    const refusedApi = await c.fetch("/_stepgate/api/recovery-code", { method: "POST", json: {} });
    expect(refusedApi.status).toBe(403);
    expect(await errorCode(refusedApi)).toBe("NOT_ALLOWED");
    expect((await stored(id, sessionClaimsOf(c).sid)).recovery).toEqual(before.recovery);

    // The verification page is open at the save step; passing it keeps the step and reopens the window.
    expect((await c.fetch("/_stepgate/settings/verify?then=recovery", { headers: { "sec-fetch-mode": "navigate" } })).status).toBe(200);
    const verified = await c.fetch("/_stepgate/api/settings/verify", { method: "POST", json: { method: "totp", code: await totpCode(secret, Date.now() + offsetMs) } });
    expect(verified.status).toBe(200);
    expect(await verified.json()).toEqual({ next: "save_recovery_code" });
    expect(sessionClaimsOf(c).stg).toBe("save_recovery_code");
    const again = await c.fetch("/_stepgate/api/recovery-code", { method: "POST", json: {} });
    expect(again.status).toBe(200);
    // The rest of Settings stays closed until the code is saved.
    expect((await c.fetch("/_stepgate/api/settings")).status).toBe(403);
  });

  it("Settings: the button issues at once; after the window it asks to verify first, page and API alike", async () => {
    const { client: c, secret, id } = await signedInWithApp();
    const first = await c.fetch("/_stepgate/api/settings/recovery-code", { method: "POST", json: {} });
    expect(first.status).toBe(200);
    expect((await c.fetch("/_stepgate/api/recovery-code/confirm", { method: "POST", json: { saved: true } })).status).toBe(200);

    const offsetMs = await advanceClock(c, 601);
    const before = await stored(id, sessionClaimsOf(c).sid);
    const refusedApi = await c.fetch("/_stepgate/api/settings/recovery-code", { method: "POST", json: {} });
    expect(refusedApi.status).toBe(403);
    expect(await errorCode(refusedApi)).toBe("NOT_ALLOWED");
    const refusedPage = await c.fetch("/_stepgate/settings/recovery-code", pageForm(""));
    expect(refusedPage.status).toBe(303);
    expect(refusedPage.headers.get("location")).toBe("/_stepgate/settings/verify?then=recovery");
    const after = await stored(id, sessionClaimsOf(c).sid);
    expect([after.recovery, after.session.stage]).toEqual([before.recovery, "done"]);

    const verified = await c.fetch("/_stepgate/api/settings/verify", { method: "POST", json: { method: "totp", code: await totpCode(secret, Date.now() + offsetMs) } });
    expect(verified.status).toBe(200);
    expect((await c.fetch("/_stepgate/api/settings/recovery-code", { method: "POST", json: {} })).status).toBe(200);
  });
});
