/**
 * Security notices: a factor added or changed, a recovery code used or replaced, and repeated
 * failed second-factor attempts after a correct password. They go by email (never the channel a
 * code was just sent on), fall back to SMS only without an email provider, and never contain a
 * code or secret.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../worker/config";
import { createNotifier } from "../../worker/notify";
import { accountStub, verify } from "./helpers";
import { enrollSms, freshUsNumber, lastSmsCode, makeUser, outbox, post, signInAs, type OutboxEntry } from "./sms-helpers";

const emailsTo = async (email: string) => (await outbox()).filter((m) => m.channel === "email" && m.to === email);
const noCodes = (messages: OutboxEntry[]) => messages.every((m) => !/\d{6}/.test(m.text));

describe("security notices", () => {
  it("adding a phone is told by email, without the code", async () => {
    const { email } = await makeUser("standard");
    await enrollSms(email, freshUsNumber());
    const notices = await emailsTo(email);
    expect(notices.map((m) => m.text)).toEqual([expect.stringContaining("A new two-factor authentication method was added")]);
    expect(noCodes(notices)).toBe(true);
  });

  it("changing the phone, using and replacing the recovery code are each told", async () => {
    const { email } = await makeUser("standard");
    const oldPhone = freshUsNumber();
    const { client: c, recoveryCode } = await enrollSms(email, oldPhone);
    await post(c, "/settings/verify/sms");
    await post(c, "/settings/verify", { method: "sms", code: await lastSmsCode(oldPhone) });
    const newPhone = freshUsNumber();
    await post(c, "/enroll/sms", { phone: newPhone });
    const changed = await post(c, "/enroll/sms/confirm", { code: await lastSmsCode(newPhone) });
    const { recoveryCode: second } = (await changed.json()) as { recoveryCode: string };
    await post(c, "/recovery-code/confirm", { saved: true });
    await post(c, "/settings/recovery-code");
    const later = await signInAs(email);
    expect((await verify(later.client, later.body.challenge?.id ?? "", "recovery", recoveryCode)).status).toBe(401);
    expect(second).toMatch(/^\d{32}$/);
    const texts = (await emailsTo(email)).map((m) => m.text).reverse();
    expect(texts).toEqual([
      expect.stringContaining("method was added"),
      expect.stringContaining("method on your account was changed"),
      expect.stringContaining("A new recovery code was issued"),
    ]);
    const notices = await emailsTo(email);
    expect(notices.every((m) => !m.text.includes(second) && !m.text.includes(recoveryCode))).toBe(true);
    expect(noCodes(notices)).toBe(true);
  });

  it("signing in with the recovery code is told", async () => {
    const { email } = await makeUser("standard");
    const { recoveryCode } = await enrollSms(email, freshUsNumber());
    const { client: c, body } = await signInAs(email);
    expect((await verify(c, body.challenge?.id ?? "", "recovery", recoveryCode)).status).toBe(200);
    expect((await emailsTo(email))[0]?.text).toContain("Your recovery code was used to sign in");
  });

  it("repeated failures after a correct password are told once at the fifth", async () => {
    const { email, id } = await makeUser("standard");
    const phone = freshUsNumber();
    await enrollSms(email, phone);
    const { client: c, body } = await signInAs(email);
    const challengeId = body.challenge?.id ?? "";
    await post(c, `/challenges/${challengeId}/sms`);
    const wrong = String((Number(await lastSmsCode(phone)) + 1) % 1_000_000).padStart(6, "0");
    for (let i = 0; i < 4; i++) await verify(c, challengeId, "sms", wrong);
    expect((await emailsTo(email)).filter((m) => m.text.includes("failed the second step"))).toHaveLength(0);
    await verify(c, challengeId, "sms", wrong);
    expect(await accountStub(id).consecutiveFailures()).toBe(5);
    expect((await emailsTo(email)).filter((m) => m.text.includes("failed the second step"))).toHaveLength(1);
  });

  it("without an email provider a notice goes by SMS; delivery failures never throw", async () => {
    const config = parseConfig({ ...env, EMAIL_PROVIDER: "none" });
    const notifier = createNotifier(env as never, config, () => Date.now());
    expect(notifier.channels()).toEqual(["sms"]);
    const user = { id: "n1", email: "n1@demo.test", name: "N", role: "standard" as const, companyId: "demo-builders", active: true, sso: false, phone: "+12025550177" };
    await notifier.notify(user, "factor_changed", "sms");
    expect((await outbox()).find((m) => m.to === "+12025550177")?.text).toContain("was changed");
    await expect(notifier.notify(user, "factor_changed", "email")).resolves.toBeUndefined(); // no provider: logged, not thrown
  });
});
