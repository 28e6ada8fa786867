/** The settings pages: overview, a new recovery code, and changing the phone through the current number. */
import { describe, expect, it } from "vitest";
import { client, GATEWAY } from "./helpers";
import { enrollSms, freshUsNumber, lastSmsCode, makeUser } from "./sms-helpers";

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", origin: GATEWAY },
  body: new URLSearchParams(fields).toString(),
});

describe("settings pages", () => {
  it("send people without a finished sign-in elsewhere", async () => {
    const anonymous = await client().fetch("/_stepgate/settings");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/_stepgate/login?next=%2F_stepgate%2Fsettings");
  });

  it("show the methods and give a new recovery code to save", async () => {
    const { email } = await makeUser("standard");
    const phone = freshUsNumber();
    const { client: c } = await enrollSms(email, phone);
    const page = await (await c.fetch("/_stepgate/settings")).text();
    expect(page).toContain("Password &amp; Security");
    expect(page).toContain(`•••• ${phone.slice(-4)}`);
    expect(page).toContain("Add authenticator app");
    expect(page).toContain("Change phone number");
    const recovery = await c.fetch("/_stepgate/settings/recovery-code", form({}));
    const html = await recovery.text();
    expect(html).toContain("Your previous recovery code no longer works.");
    expect(html).toMatch(/data-code="\d{32}"/);
    expect(html).toContain('name="next" value="/_stepgate/settings"');
    const done = await c.fetch("/_stepgate/recovery-code/confirm", form({ saved: "yes", next: "/_stepgate/settings" }));
    expect(done.headers.get("location")).toBe("/_stepgate/settings");
  });

  it("change the phone: a code to the current number first, then the new number", async () => {
    const { email } = await makeUser("standard");
    const oldPhone = freshUsNumber();
    const { client: c } = await enrollSms(email, oldPhone);
    const verifyPage = await (await c.fetch("/_stepgate/settings/verify?then=phone&method=sms")).text();
    expect(verifyPage).toContain("first enter a code we text to your current number");
    expect(verifyPage).not.toContain("Use your recovery code"); // only the current number proves it
    const sent = await (await c.fetch("/_stepgate/settings/verify/sms", form({ then: "phone" }))).text();
    expect(sent).toContain("We texted a 6-digit code to");
    const verified = await c.fetch("/_stepgate/settings/verify", form({ then: "phone", method: "sms", code: await lastSmsCode(oldPhone) }));
    expect(verified.status).toBe(303);
    expect(verified.headers.get("location")).toBe("/_stepgate/enroll/sms?next=%2F_stepgate%2Fsettings");
    expect(await (await c.fetch("/_stepgate/enroll/sms?next=%2F_stepgate%2Fsettings")).text()).toContain("Change your phone number");
    const newPhone = freshUsNumber();
    const codePage = await c.fetch("/_stepgate/enroll/sms", form({ phone: newPhone, country: "US", next: "/_stepgate/settings" }));
    expect(codePage.status).toBe(200);
    const saved = await c.fetch("/_stepgate/enroll/sms/confirm", form({ phone: newPhone, country: "US", code: await lastSmsCode(newPhone), next: "/_stepgate/settings" }));
    expect(await saved.text()).toContain("I have securely saved this code");
  });
});
