/**
 * Codes from another account: a valid TOTP, SMS or recovery code of one person never passes
 * another person's challenge, is audited on the target as a failure with its precise reason, and
 * is not used up by the attempt (its owner can still use it once). Also: spoofed forwarding and
 * identity headers on the gateway's own routes authenticate no one, reach no audit record, and do
 * not steer redirects.
 */
import { SELF, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { atLoginChallenge, client, enrolledUser, GATEWAY, PASSWORD, totpCode, verify } from "./helpers";
import { enrollSms, freshUsNumber, lastSmsCode, makeUser, post, signInAs } from "./sms-helpers";

const company = () => env.COMPANY.get(env.COMPANY.idFromName("company:demo-builders"));

/** The audit entries for `subjectId` (written after the response, so polled briefly). */
async function auditFor(subjectId: string, predicate: (entry: { event: string; outcome: string; reason?: string; ip?: string }) => boolean) {
  for (let i = 0; i < 40; i++) {
    const entries = await company().queryAudit({ subjectId, limit: 200 });
    const found = entries.filter(predicate);
    if (found.length > 0) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return [];
}

describe("codes from another account", () => {
  it("an authenticator code of another person fails here, is audited, and still works for its owner", async () => {
    const alice = await enrolledUser("user@demo.test");
    const bob = await enrolledUser("payor@demo.test");
    const aliceAt = await atLoginChallenge("user@demo.test");
    const bobAt = await atLoginChallenge("payor@demo.test");
    const bobsCode = await totpCode(bob.secret);
    if (bobsCode === (await totpCode(alice.secret))) return; // one chance in a million: nothing to prove
    const refused = await verify(aliceAt.client, aliceAt.challengeId, "totp", bobsCode);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("INVALID_CODE");
    expect(await auditFor("demo-user", (e) => e.event === "second_factor" && e.outcome === "failure" && e.reason === "totp: mismatch")).not.toHaveLength(0);
    expect((await verify(bobAt.client, bobAt.challengeId, "totp", bobsCode)).status).toBe(200);
  });

  it("a recovery code of another person fails here and still works for its owner", async () => {
    await enrolledUser("admin@demo.test");
    const payee = await enrolledUser("payee@demo.test");
    const adminAt = await atLoginChallenge("admin@demo.test");
    const payeeAt = await atLoginChallenge("payee@demo.test");
    const refused = await verify(adminAt.client, adminAt.challengeId, "recovery", payee.recoveryCode);
    expect(refused.status).toBe(401);
    expect(await auditFor("demo-admin", (e) => e.event === "second_factor" && e.outcome === "failure" && (e.reason ?? "").startsWith("recovery:"))).not.toHaveLength(0);
    expect((await verify(payeeAt.client, payeeAt.challengeId, "recovery", payee.recoveryCode)).status).toBe(200);
  });

  it("a text-message code sent to another person fails here and still works for its owner", async () => {
    const a = await makeUser("standard", "xa");
    const b = await makeUser("standard", "xb");
    const [phoneA, phoneB] = [freshUsNumber(), freshUsNumber()];
    await enrollSms(a.email, phoneA);
    await enrollSms(b.email, phoneB);
    const atA = await signInAs(a.email);
    const atB = await signInAs(b.email);
    expect((await post(atA.client, `/challenges/${atA.body.challenge!.id}/sms`)).status).toBe(200);
    expect((await post(atB.client, `/challenges/${atB.body.challenge!.id}/sms`)).status).toBe(200);
    const [codeA, codeB] = [await lastSmsCode(phoneA), await lastSmsCode(phoneB)];
    if (codeA === codeB) return; // one chance in a million
    const refused = await verify(atA.client, atA.body.challenge!.id, "sms", codeB);
    expect(refused.status).toBe(401);
    expect(await auditFor(a.id, (e) => e.event === "second_factor" && e.outcome === "failure" && e.reason === "sms: mismatch")).not.toHaveLength(0);
    expect((await verify(atB.client, atB.body.challenge!.id, "sms", codeB)).status).toBe(200);
    expect((await verify(atA.client, atA.body.challenge!.id, "sms", codeA)).status).toBe(200);
  });
});

describe("spoofed forwarding and identity headers on the gateway's own routes", () => {
  const spoofed = {
    "x-forwarded-user": "admin@demo.test",
    "x-forwarded-email": "admin@demo.test",
    "x-remote-user": "demo-admin",
    "remote-user": "demo-admin",
    "x-auth-request-user": "demo-admin",
    "stepgate-assertion": "forged",
    "stepgate-user": "demo-admin",
    "x-stepgate-session": "forged",
    authorization: "Bearer forged",
    "x-forwarded-for": "203.0.113.9",
    "x-real-ip": "203.0.113.9",
    "true-client-ip": "203.0.113.9",
    forwarded: "for=203.0.113.9;host=evil.test;proto=http",
    "x-forwarded-host": "evil.test",
    "x-forwarded-proto": "http",
    "x-original-url": "/_stepgate/api/admin/users",
    "x-rewrite-url": "/_stepgate/api/admin/users",
    "x-http-method-override": "DELETE",
  };

  it("authenticate no one: every API read and the admin tool stay closed without a session", async () => {
    for (const path of ["/_stepgate/api/me", "/_stepgate/api/settings", "/_stepgate/api/admin/users", "/_stepgate/api/admin/audit", "/_stepgate/api/challenges"]) {
      const response = await SELF.fetch(`${GATEWAY}${path}`, { headers: { ...spoofed, accept: "application/json" } });
      expect(response.status, path).toBe(401);
    }
    const page = await SELF.fetch(`${GATEWAY}/_stepgate/admin`, { headers: { ...spoofed, accept: "text/html", "sec-fetch-mode": "navigate" }, redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toMatch(/^\/_stepgate\/login/);
  });

  it("a method override or rewritten URL header changes nothing: the session stays its own, the admin API stays closed", async () => {
    const { email } = await makeUser("standard", "override");
    const { client: c } = await enrolledUser(email);
    const me = await c.fetch("/_stepgate/api/me", { headers: { ...spoofed, accept: "application/json" } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(email);
    const admin = await c.fetch("/_stepgate/api/admin/users", { headers: { ...spoofed, accept: "application/json" } });
    expect(admin.status).toBe(403);
  });

  it("do not reach the audit log as the client's address, and do not steer redirects or the cookie", async () => {
    const { id, email } = await makeUser("standard", "spoof");
    const response = await SELF.fetch(`${GATEWAY}/_stepgate/login?next=%2Fhome`, {
      method: "POST",
      headers: { ...spoofed, host: "evil.test", origin: GATEWAY, "content-type": "application/x-www-form-urlencoded" },
      body: `email=${encodeURIComponent(email)}&password=${PASSWORD}`,
      redirect: "manual",
    });
    expect(response.status).toBe(303);
    const location = response.headers.get("location")!;
    expect(location.startsWith("/") && !location.startsWith("//")).toBe(true);
    expect(location).not.toContain("evil.test");
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^__Host-stepgate=[^;]+;/);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).not.toMatch(/Domain=/i);
    const [entry] = await auditFor(id, (e) => e.event === "sign_in");
    expect(entry).toBeDefined();
    expect(entry!.ip ?? "").not.toBe("203.0.113.9");
    // The address recorded is the one Cloudflare's edge sets (CF-Connecting-IP), which a client cannot forge there.
    const viaEdge = client();
    await viaEdge.fetch("/_stepgate/api/session", { method: "POST", json: { email, password: PASSWORD }, headers: { ...spoofed, "cf-connecting-ip": "198.51.100.7" } });
    expect(await auditFor(id, (e) => e.event === "sign_in" && e.ip === "198.51.100.7")).not.toHaveLength(0);
  });
});
