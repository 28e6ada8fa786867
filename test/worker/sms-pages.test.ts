/**
 * The SMS pages: the method choice by role, phone form → code → recovery code, and "Use a phone
 * number" at a challenge (text me a code, resend, verify). Code inputs offer one-time-code
 * autofill and a numeric keypad; forms from another site are refused.
 */
import { describe, expect, it } from "vitest";
import { client, GATEWAY, PASSWORD } from "./helpers";
import { enrollSms, freshUsNumber, lastSmsCode, makeUser } from "./sms-helpers";

const form = (fields: Record<string, string>, origin = GATEWAY) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", origin },
  body: new URLSearchParams(fields).toString(),
});

async function pageSession(email: string) {
  const c = client();
  const login = await c.fetch("/_stepgate/login", form({ email, password: PASSWORD, next: "/reports" }));
  return { c, location: login.headers.get("location") ?? "" };
}

describe("SMS pages", () => {
  it("offer SMS by role: standard users see the SMS countries, payee admins US only, payors never", async () => {
    const standard = await pageSession((await makeUser("standard")).email);
    const standardHtml = await (await standard.c.fetch("/_stepgate/enroll/select")).text();
    expect(standardHtml).toContain("Use a phone number");
    expect(standardHtml).toContain("Hong Kong");
    const payee = await pageSession((await makeUser("payee_admin")).email);
    expect(await (await payee.c.fetch("/_stepgate/enroll/select")).text()).toContain("US numbers only");
    const payeeForm = await (await payee.c.fetch("/_stepgate/enroll/sms")).text();
    expect(payeeForm.match(/<option/g)).toHaveLength(1);
    const payor = await pageSession((await makeUser("payor")).email);
    const payorHtml = await (await payor.c.fetch("/_stepgate/enroll/select")).text();
    expect(payorHtml).not.toContain("Use a phone number");
    expect(payorHtml).toContain("not available for payments payors");
  });

  it("walk phone form → code page → recovery code, with a resend in between", async () => {
    const { c } = await pageSession((await makeUser("standard")).email);
    const phoneForm = await (await c.fetch("/_stepgate/enroll/sms?next=%2Freports")).text();
    expect(phoneForm).toContain('type="tel"');
    const bad = await c.fetch("/_stepgate/enroll/sms", form({ phone: "555", country: "US", next: "/reports" }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("That phone number is not valid");
    const phone = freshUsNumber();
    const national = phone.slice(2);
    const sent = await c.fetch("/_stepgate/enroll/sms", form({ phone: national, country: "US", next: "/reports" }));
    expect(sent.status).toBe(200);
    const codePage = await sent.text();
    expect(codePage).toContain(`•••• ${phone.slice(-4)}`);
    expect(codePage).toContain('autocomplete="one-time-code"');
    expect(codePage).toContain('inputmode="numeric"');
    expect(codePage).toContain("It expires in 10 minutes");
    expect(codePage).toContain("Keep your codes private");
    const first = await lastSmsCode(phone);
    const tooSoon = await c.fetch("/_stepgate/enroll/sms", form({ phone: national, country: "US", next: "/reports" }));
    expect(tooSoon.status).toBe(429);
    expect(await tooSoon.text()).toMatch(/Try again in \d+ s\./);
    // Pasted with a space and a dash: still the code.
    const pasted = `${first.slice(0, 3)} -${first.slice(3)}`;
    const confirmed = await c.fetch("/_stepgate/enroll/sms/confirm", form({ code: pasted, phone: national, country: "US", next: "/reports" }));
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("I have securely saved this code");
  });

  it("a challenge offers 'Use a phone number': text me a code, then verify", async () => {
    const { email } = await makeUser("standard");
    const phone = freshUsNumber();
    await enrollSms(email, phone);
    const { c, location } = await pageSession(email);
    expect(location).toBe("/_stepgate/challenge?next=%2Freports");
    const choose = await (await c.fetch("/_stepgate/challenge?method=sms&next=%2Freports")).text();
    expect(choose).toContain("Use a phone number");
    expect(choose).toContain("Text me a code");
    const challengeId = /name="challenge" value="([A-Za-z0-9_-]+)"/.exec(choose)?.[1] ?? "";
    const send = await c.fetch("/_stepgate/challenge/sms", form({ challenge: challengeId, next: "/reports", return: "/challenge" }));
    expect(send.status).toBe(303);
    const back = send.headers.get("location") ?? "";
    expect(back).toBe("/_stepgate/challenge?method=sms&sms=sent&next=%2Freports");
    const sentPage = await (await c.fetch(back)).text();
    expect(sentPage).toContain("We texted a 6-digit code to");
    expect(sentPage).toContain("Resend a new code");
    const resend = await c.fetch("/_stepgate/challenge/sms", form({ challenge: challengeId, next: "/reports", return: "/challenge" }));
    const wait = resend.headers.get("location") ?? "";
    expect(wait).toMatch(/sms=sms_rate_limited&wait=\d+/);
    expect(await (await c.fetch(wait)).text()).toMatch(/Try again in \d+ s\./);
    const verified = await c.fetch("/_stepgate/challenge", form({ challenge: challengeId, method: "sms", code: await lastSmsCode(phone), next: "/reports" }));
    expect(verified.status).toBe(303);
    expect(verified.headers.get("location")).toBe("/reports");
    expect((await c.fetch("/reports")).status).toBe(200);
  });

  it("refuse SMS forms from another site", async () => {
    const { c } = await pageSession((await makeUser("standard")).email);
    const response = await c.fetch("/_stepgate/enroll/sms", form({ phone: "2025550100", country: "US" }, "https://evil.test"));
    expect(response.status).toBe(403);
  });

  it("the development outbox page lists the texts sent", async () => {
    const { email } = await makeUser("standard");
    const phone = freshUsNumber();
    await enrollSms(email, phone);
    const page = await client().fetch("/_stepgate/dev/messages");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Development outbox");
    expect(html).toContain(phone);
    expect(html).toContain("@gateway.test #");
  });
});
