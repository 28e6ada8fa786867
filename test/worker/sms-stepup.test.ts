/** SMS at a payments step-up (payments entry): a payee admin with a US phone texts a code on /verify. */
import { describe, expect, it } from "vitest";
import { GATEWAY } from "./helpers";
import { enrollSms, freshUsNumber, lastSmsCode, makeUser } from "./sms-helpers";

const nav = { "sec-fetch-mode": "navigate", "content-type": "application/x-www-form-urlencoded", origin: GATEWAY };

describe("SMS at a step-up challenge", () => {
  it("payments entry: text me a code on the verify page, then enter it", async () => {
    const { email } = await makeUser("payee_admin");
    const phone = freshUsNumber();
    const { client: c } = await enrollSms(email, phone);
    const entry = await c.fetch("/payments/", { headers: { "sec-fetch-mode": "navigate" } });
    expect(entry.status).toBe(303);
    const location = entry.headers.get("location") ?? "";
    const url = new URL(location, GATEWAY);
    expect(url.pathname).toBe("/_stepgate/verify");
    const id = url.searchParams.get("id") ?? "";
    const next = url.searchParams.get("next") ?? "/";
    const choose = await (await c.fetch(`${location}&method=sms`)).text();
    expect(choose).toContain(`text a 6-digit code to •••• ${phone.slice(-4)}`);
    const send = await c.fetch("/_stepgate/challenge/sms", { method: "POST", headers: nav, body: new URLSearchParams({ challenge: id, next, return: "/verify" }).toString() });
    const back = send.headers.get("location") ?? "";
    expect(back).toContain("/_stepgate/verify?method=sms&sms=sent");
    expect(back).toContain(`id=${id}`);
    expect(await (await c.fetch(back)).text()).toContain("We texted a 6-digit code to");
    const body = new URLSearchParams({ challenge: id, method: "sms", code: await lastSmsCode(phone), next }).toString();
    const passed = await c.fetch("/_stepgate/verify", { method: "POST", headers: nav, body });
    expect(passed.status).toBe(303);
    expect(passed.headers.get("location")).toBe("/payments/");
  });
});
