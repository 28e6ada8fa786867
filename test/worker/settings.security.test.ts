/**
 * Settings → Password & Security: every change needs a fresh second factor in the session
 * (10 minutes), changing the phone first needs a code sent to the current number, a new recovery
 * code voids the old one at once and must be saved, any enrolled method passes a challenge, the
 * "always require 2FA" switch is locked where MFA is enforced, and cross-site calls are refused.
 */
import { describe, expect, it } from "vitest";
import { accountStub, client, GATEWAY, PASSWORD, totpCode, verify } from "./helpers";
import { enrollSms, errorCode, freshUsNumber, lastSmsCode, makeUser, post, signInAs } from "./sms-helpers";

const MINUTE = 60_000;

async function settings(c: ReturnType<typeof client>) {
  return (await (await c.fetch("/_stepgate/api/settings")).json()) as {
    methods: { totp: { enrolled: boolean }; sms: { enrolled: boolean; phone: string | null }; recovery: { enrolled: boolean } };
    usable: string[];
    mfaEnforced: boolean;
    alwaysRequire2fa: { on: boolean; locked: boolean };
    changesAllowedUntil: number | null;
  };
}

describe("settings → Password & Security", () => {
  it("shows the methods with the phone masked, and the 2FA switch locked where MFA is enforced", async () => {
    const { email } = await makeUser("standard");
    const phone = freshUsNumber();
    const { client: c } = await enrollSms(email, phone);
    const state = await settings(c);
    expect(state.methods.sms).toMatchObject({ enrolled: true, phone: `•••• ${phone.slice(-4)}` });
    expect(JSON.stringify(state)).not.toContain(phone);
    expect(state.mfaEnforced).toBe(true); // the demo company's deadline has passed
    expect(state.alwaysRequire2fa).toEqual({ on: true, locked: true });
    expect(state.changesAllowedUntil).not.toBeNull(); // just verified by enrolling
    const page = await (await c.fetch("/_stepgate/settings")).text();
    expect(page).toMatch(/<input type="checkbox" id="always-2fa" checked="" disabled=""/);
    expect(page).toContain("Locked");
  });

  it("is only for a fully signed-in session", async () => {
    expect((await client().fetch("/_stepgate/api/settings")).status).toBe(401);
    const { email } = await makeUser("standard");
    await enrollSms(email, freshUsNumber());
    const { client: atMfa } = await signInAs(email);
    const refused = await atMfa.fetch("/_stepgate/api/settings");
    expect(refused.status).toBe(403);
    expect(await errorCode(refused)).toBe("STEP_REQUIRED");
  });

  it("a new recovery code voids the old one at once and must be saved before going on", async () => {
    const { email } = await makeUser("standard");
    const { client: c, recoveryCode: old } = await enrollSms(email, freshUsNumber());
    const response = await post(c, "/settings/recovery-code");
    expect(response.status).toBe(200);
    const { recoveryCode, next } = (await response.json()) as { recoveryCode: string; next: string };
    expect(next).toBe("save_recovery_code");
    expect(recoveryCode).not.toBe(old);
    expect((await c.fetch("/reports", { headers: { accept: "application/json" } })).status).toBe(403);
    expect((await post(c, "/recovery-code/confirm", { saved: true })).status).toBe(200);
    const later = await signInAs(email);
    expect((await verify(later.client, later.body.challenge?.id ?? "", "recovery", old)).status).toBe(401);
    expect((await verify(later.client, later.body.challenge?.id ?? "", "recovery", recoveryCode)).status).toBe(200);
  });

  it("every change needs a second factor from the last 10 minutes (injected clock)", async () => {
    const t0 = Date.now();
    const { id } = await makeUser("standard");
    const account = accountStub(id);
    const first = await account.signIn(PASSWORD, true, t0);
    if (!first.ok) throw new Error("sign-in failed");
    const sent = await account.beginSmsEnrollment(first.session.sid, { e164: freshUsNumber(), country: "US" }, t0);
    if (!sent.ok) throw new Error("send refused");
    const enrolled = await account.confirmSmsEnrollment(first.session.sid, sent.code, t0);
    if (!enrolled.ok) throw new Error("confirm refused");
    const saved = await account.confirmRecoverySaved(enrolled.session.sid, t0);
    if (!saved.ok) throw new Error("save refused");
    const sid = saved.session.sid;
    expect(await account.replaceRecoveryCode(sid, t0 + 10 * MINUTE)).toMatchObject({ ok: true });
    const again = await account.confirmRecoverySaved(sid, t0 + 10 * MINUTE);
    expect(again.ok).toBe(true);
    expect(await account.replaceRecoveryCode(sid, t0 + 10 * MINUTE + 1)).toEqual({ ok: false, reason: "not_allowed" });
    expect(await account.beginTotpEnrollment(sid, t0 + 11 * MINUTE)).toEqual({ ok: false, reason: "not_allowed" });
    expect(await account.beginSmsEnrollment(sid, { e164: freshUsNumber(), country: "US" }, t0 + 11 * MINUTE)).toEqual({ ok: false, reason: "not_allowed" });
    // Verifying again (here with an SMS code to the current number) reopens the window.
    const identity = await account.sendIdentitySms(sid, t0 + 11 * MINUTE);
    if (!identity.ok) throw new Error("identity send refused");
    const fresh = await account.verifyIdentity(sid, "sms", identity.code, t0 + 11 * MINUTE);
    if (!fresh.ok) throw new Error("identity refused");
    expect(await account.replaceRecoveryCode(fresh.session.sid, t0 + 12 * MINUTE)).toMatchObject({ ok: true });
  });

  it("changing the phone first sends a code to the current number", async () => {
    const { email } = await makeUser("standard");
    const oldPhone = freshUsNumber();
    const { client: c } = await enrollSms(email, oldPhone);
    const newPhone = freshUsNumber();
    // A fresh MFA alone is not enough while the current number is active.
    const refused = await post(c, "/enroll/sms", { phone: newPhone });
    expect(refused.status).toBe(403);
    expect(await errorCode(refused)).toBe("CURRENT_NUMBER_UNVERIFIED");
    expect((await post(c, "/settings/verify/sms")).status).toBe(200);
    const proof = await post(c, "/settings/verify", { method: "sms", code: await lastSmsCode(oldPhone) });
    expect(await proof.json()).toEqual({ next: "done" });
    expect((await post(c, "/enroll/sms", { phone: newPhone })).status).toBe(200);
    const confirmed = await post(c, "/enroll/sms/confirm", { code: await lastSmsCode(newPhone) });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ next: "save_recovery_code", recoveryCode: expect.stringMatching(/^\d{32}$/) });
    await post(c, "/recovery-code/confirm", { saved: true });
    expect((await settings(c)).methods.sms.phone).toBe(`•••• ${newPhone.slice(-4)}`);
    // The next sign-in texts the new number.
    const later = await signInAs(email);
    expect((await post(later.client, `/challenges/${later.body.challenge?.id}/sms`)).status).toBe(200);
    expect(await verify(later.client, later.body.challenge?.id ?? "", "sms", await lastSmsCode(newPhone))).toHaveProperty("status", 200);
  });

  it("an SMS identity code is bound to its session: it does not verify another session", async () => {
    const { email } = await makeUser("standard");
    const phone = freshUsNumber();
    const { client: a } = await enrollSms(email, phone);
    const b = await signInAs(email);
    expect((await post(b.client, `/challenges/${b.body.challenge?.id}/sms`)).status).toBe(200);
    expect((await verify(b.client, b.body.challenge?.id ?? "", "sms", await lastSmsCode(phone))).status).toBe(200);
    expect((await post(a, "/settings/verify/sms")).status).toBe(200);
    const code = await lastSmsCode(phone);
    const other = await post(b.client, "/settings/verify", { method: "sms", code });
    expect(other.status).toBe(409);
    expect(await errorCode(other)).toBe("NO_CODE_SENT");
    expect((await post(a, "/settings/verify", { method: "sms", code })).status).toBe(200);
  });

  it("add an authenticator app next to SMS; then any method passes a challenge (pick one each time)", async () => {
    const { email } = await makeUser("standard");
    const phone = freshUsNumber();
    const { client: c, recoveryCode } = await enrollSms(email, phone);
    const start = (await (await post(c, "/enroll/totp")).json()) as { secret: string };
    const added = await post(c, "/enroll/totp/confirm", { code: await totpCode(start.secret, Date.now() - 30_000) });
    expect(added.status).toBe(200);
    await post(c, "/recovery-code/confirm", { saved: true });
    const state = await settings(c);
    expect(state.usable).toEqual(["totp", "sms", "recovery"]);

    const viaApp = await signInAs(email);
    expect(viaApp.body.challenge?.methods).toEqual(["totp", "sms", "recovery"]);
    expect((await verify(viaApp.client, viaApp.body.challenge?.id ?? "", "totp", await totpCode(start.secret))).status).toBe(200);
    const viaSms = await signInAs(email);
    await post(viaSms.client, `/challenges/${viaSms.body.challenge?.id}/sms`);
    expect((await verify(viaSms.client, viaSms.body.challenge?.id ?? "", "sms", await lastSmsCode(phone))).status).toBe(200);
    const viaRecovery = await signInAs(email);
    const used = await verify(viaRecovery.client, viaRecovery.body.challenge?.id ?? "", "recovery", recoveryCode);
    // The enrollment of the app issued a new recovery code, so the first one no longer works.
    expect(used.status).toBe(401);
  });

  it("a concurrent double use of one recovery code to verify identity succeeds once", async () => {
    const { email } = await makeUser("standard");
    const { client: c } = await enrollSms(email, freshUsNumber());
    const fresh = (await (await post(c, "/settings/recovery-code")).json()) as { recoveryCode: string };
    await post(c, "/recovery-code/confirm", { saved: true });
    const statuses = (await Promise.all([1, 2, 3].map(() => post(c, "/settings/verify", { method: "recovery", code: fresh.recoveryCode })))).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  });

  it("refuses changes from another site (JSON and forms)", async () => {
    const { email } = await makeUser("standard");
    const { client: c } = await enrollSms(email, freshUsNumber());
    const evil = { origin: "https://evil.test" };
    expect((await c.fetch("/_stepgate/api/settings/recovery-code", { method: "POST", json: {}, headers: evil })).status).toBe(403);
    expect((await c.fetch("/_stepgate/api/settings/verify/sms", { method: "POST", json: {}, headers: evil })).status).toBe(403);
    expect((await c.fetch("/_stepgate/api/enroll/sms", { method: "POST", json: { phone: "+12025550100" }, headers: evil })).status).toBe(403);
    const pageForm = { method: "POST", headers: { ...evil, "content-type": "application/x-www-form-urlencoded" }, body: "" };
    expect((await c.fetch("/_stepgate/settings/recovery-code", pageForm)).status).toBe(403);
    expect((await c.fetch("/_stepgate/settings/verify/sms", pageForm)).status).toBe(403);
    const simple = await c.fetch("/_stepgate/api/settings/recovery-code", { method: "POST", body: "x=1", headers: { "content-type": "text/plain", origin: GATEWAY } });
    expect(simple.status).toBe(415);
  });
});
