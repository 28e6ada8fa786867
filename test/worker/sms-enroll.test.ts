/**
 * SMS enrollment: numbers normalised to E.164 (clear error when invalid), availability by role ×
 * country with a refusal that says why, the text's origin-bound code line, and the recovery code
 * that ends every enrollment.
 */
import { describe, expect, it } from "vitest";
import { accountStub, client, PASSWORD } from "./helpers";
import { enrollSms, errorCode, freshUsNumber, lastSmsCode, makeUser, outbox, post, signInAs } from "./sms-helpers";

describe("SMS enrollment", () => {
  it("texts a 6-digit code ending in the @host #code line, then enrolls and issues a recovery code", async () => {
    const { email } = await makeUser("standard");
    const { client: c, body } = await signInAs(email);
    expect(body.next).toBe("enroll");
    const sent = await post(c, "/enroll/sms", { phone: "(202) 555-0187", country: "US" });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({ sent: true, phone: "•••• 0187" });
    const [message] = await outbox();
    expect(message).toMatchObject({ to: "+12025550187", channel: "sms" });
    expect(message?.text).toMatch(/\n@gateway\.test #\d{6}$/);
    expect(message?.text).toContain("Never share it");

    const confirm = await post(c, "/enroll/sms/confirm", { code: await lastSmsCode("+12025550187") });
    expect(confirm.status).toBe(200);
    const confirmed = (await confirm.json()) as { recoveryCode: string; next: string };
    expect(confirmed).toMatchObject({ next: "save_recovery_code" });
    expect(confirmed.recoveryCode).toMatch(/^\d{32}$/);
    await post(c, "/recovery-code/confirm", { saved: true });
    const me = (await (await c.fetch("/_stepgate/api/me")).json()) as { methods: Record<string, boolean>; amr: string[] };
    expect(me.methods).toEqual({ totp: false, sms: true, recovery: true });
    expect(me.amr).toContain("sms");
  });

  it("refuses an invalid number with a clear error and sends nothing", async () => {
    const { email } = await makeUser("standard");
    const { client: c } = await signInAs(email);
    const before = (await outbox()).length;
    for (const phone of ["12345", "+1 202 555", "not a number", "+999 1234 5678"]) {
      const response = await post(c, "/enroll/sms", { phone });
      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe("INVALID_PHONE_NUMBER");
    }
    expect((await outbox()).length).toBe(before);
  });

  it.each([
    ["standard", "+44 20 7946 0958", 200],
    ["standard", "+61 2 9374 4000", 200],
    ["company_admin", "+33 1 42 68 53 00", 200],
    ["standard", "+81 3-3224-5000", 403], // Japan: not an SMS country
    ["standard", "+55 11 3030-4000", 403], // Brazil
    ["payee_admin", "+1 202 555 0199", 200],
    ["payee_admin", "+1 416 555 0199", 403], // Canada: payee admins are US-only
    ["payee_admin", "+44 20 7946 0959", 403],
    ["payor", "+1 202 555 0198", 403],
  ] as const)("role %s with %s → %i", async (role, phone, status) => {
    const { email } = await makeUser(role);
    const { client: c } = await signInAs(email);
    const response = await post(c, "/enroll/sms", { phone });
    expect(response.status).toBe(status);
    if (status === 403) {
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("SMS_NOT_AVAILABLE");
      expect(body.error.message).toMatch(/authenticator app/);
    }
  });

  it("the refusal says why: payors never, payee admins US only, others the SMS countries", async () => {
    const payor = await signInAs((await makeUser("payor")).email);
    const payorRefusal = (await (await post(payor.client, "/enroll/sms", { phone: "+12025550170" })).json()) as { error: { message: string } };
    expect(payorRefusal.error.message).toMatch(/payors/i);
    const payee = await signInAs((await makeUser("payee_admin")).email);
    const payeeRefusal = (await (await post(payee.client, "/enroll/sms", { phone: "+442079460961" })).json()) as { error: { message: string } };
    expect(payeeRefusal.error.message).toMatch(/US/);
    const standard = await signInAs((await makeUser("standard")).email);
    const countryRefusal = (await (await post(standard.client, "/enroll/sms", { phone: "+81332245000" })).json()) as { error: { message: string } };
    expect(countryRefusal.error.message).toMatch(/country/);
  });

  it("a national number is read in the given country", async () => {
    const { email } = await makeUser("standard");
    const { client: c } = await signInAs(email);
    expect((await post(c, "/enroll/sms", { phone: "020 7946 0960", country: "GB" })).status).toBe(200);
    expect((await outbox())[0]?.to).toBe("+442079460960");
  });

  it("a wrong code is refused, and a malformed one is refused before counting", async () => {
    const { email } = await makeUser("standard");
    const { client: c } = await signInAs(email);
    const first = freshUsNumber();
    await post(c, "/enroll/sms", { phone: first });
    const firstCode = await lastSmsCode(first);
    const wrong = String((Number(firstCode) + 1) % 1_000_000).padStart(6, "0");
    const refused = await post(c, "/enroll/sms/confirm", { code: wrong });
    expect(refused.status).toBe(401);
    expect(await errorCode(refused)).toBe("INVALID_CODE");
    expect(await errorCode(await post(c, "/enroll/sms/confirm", { code: "12" }))).toBe("INVALID_CODE_FORMAT");
  });

  it("asking for another number replaces the code: the first number's code no longer enrolls", async () => {
    const t0 = Date.now();
    const { id } = await makeUser("standard");
    const account = accountStub(id);
    const signedIn = await account.signIn(PASSWORD, true, t0);
    if (!signedIn.ok) throw new Error("sign-in failed");
    const sid = signedIn.session.sid;
    const a = await account.beginSmsEnrollment(sid, { e164: freshUsNumber(), country: "US" }, t0);
    const bPhone = freshUsNumber();
    const b = await account.beginSmsEnrollment(sid, { e164: bPhone, country: "US" }, t0 + 30_000);
    if (!a.ok || !b.ok) throw new Error("send refused");
    if (a.code !== b.code) expect(await account.confirmSmsEnrollment(sid, a.code, t0 + 31_000)).toMatchObject({ ok: false, reason: "mismatch" });
    expect(await account.confirmSmsEnrollment(sid, b.code, t0 + 31_000)).toMatchObject({ ok: true, phoneE164: bPhone });
    expect(await account.smsFactor()).toMatchObject({ phoneE164: bPhone, country: "US", disabled: false });
  });

  it("is refused without a session and needs a fresh MFA once a factor exists", async () => {
    expect((await post(client(), "/enroll/sms", { phone: "+12025550111" })).status).toBe(401);
    const { email } = await makeUser("standard");
    await enrollSms(email, freshUsNumber());
    // A new sign-in at the MFA step may not enroll anything.
    const { client: c, body } = await signInAs(email);
    expect(body.next).toBe("mfa");
    const response = await post(c, "/enroll/sms", { phone: freshUsNumber() });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("NOT_ALLOWED");
  });
});
