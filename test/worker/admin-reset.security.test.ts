/**
 * Admin MFA reset and deactivation: every refusal has its own code and is audited; a reset
 * removes every factor and ends every session (old cookies die at their next re-mint), notifies
 * the person, and their next sign-in goes through enrollment. Deactivation ends sessions and
 * blocks sign-in at once.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { AccountDO } from "../../worker/do/account";
import { addMember, errorCode, forgeSessionToken, putSettings, resetMfa } from "./admin-helpers";
import { accountStub, client, enrolledUser, originHits, signIn, type Client } from "./helpers";

let admin: Client;
beforeAll(async () => {
  ({ client: admin } = await enrolledUser("admin@demo.test"));
  await addMember({ id: "sso-sam", email: "sam@sso.demo.test", sso: true });
  await addMember({ id: "mixed-case", email: "Mixed.Case@demo.test" });
  await addMember({ id: "admin-two", email: "admin2@demo.test", role: "company_admin", permissions: { companyAdmin: true, directory: true } });
});

async function storedKeys(userId: string): Promise<string[]> {
  return runInDurableObject(accountStub(userId) as unknown as DurableObjectStub<AccountDO>, (_instance, state) => [...state.storage.kv.list()].map(([key]) => key));
}

async function auditReasons(subject: string): Promise<string[]> {
  const body = (await (await admin.fetch(`/_stepgate/api/admin/audit?event=mfa_reset&subject=${encodeURIComponent(subject)}`)).json()) as { entries: Array<{ reason: string }> };
  return body.entries.map((entry) => entry.reason);
}

describe("reset refusals, each with its own code, each audited", () => {
  it.each([
    ["an email not in the directory", "nobody@demo.test", true, 404, "USER_NOT_IN_DIRECTORY"],
    ["an email in another case than the directory's", "mixed.case@demo.test", true, 404, "USER_NOT_IN_DIRECTORY"],
    ["an email with surrounding spaces", " user@demo.test", true, 404, "USER_NOT_IN_DIRECTORY"],
    ["the admin's own account", "admin@demo.test", true, 403, "CANNOT_RESET_SELF"],
    ["a payor", "payor@demo.test", true, 403, "PAYMENTS_USER"],
    ["a payee admin", "payee@demo.test", true, 403, "PAYMENTS_USER"],
    ["an SSO user", "sam@sso.demo.test", true, 403, "SSO_USER"],
    ["without the tick", "user@demo.test", false, 400, "REQUEST_NOT_VERIFIED"],
  ])("refuses %s", async (_, email, verified, status, code) => {
    const response = await resetMfa(admin, email, verified);
    expect(response.status).toBe(status);
    expect(await errorCode(response)).toBe(code);
  });

  it("the exact directory email works whatever its case", async () => {
    expect((await resetMfa(admin, "Mixed.Case@demo.test")).status).toBe(200);
  });

  it("refuses while the company does not enforce MFA (off, or deadline not reached)", async () => {
    const { secret } = await enrolledUser("user@demo.test");
    expect(secret).toBeTruthy();
    for (const settings of [
      { requireMfa: false, deadline: "2026-01-01", timeZone: "America/New_York" },
      { requireMfa: true, deadline: "2099-01-01", timeZone: "America/New_York" },
    ]) {
      expect((await putSettings(admin, settings)).status).toBe(200);
      const response = await resetMfa(admin, "user@demo.test");
      expect(response.status).toBe(409);
      expect(await errorCode(response)).toBe("MFA_NOT_ENFORCED");
    }
    expect((await putSettings(admin, { requireMfa: true, deadline: "2026-01-01", timeZone: "America/New_York" })).status).toBe(200);
    expect(await storedKeys("demo-user")).toContain("totp");
  });

  it("a missing or non-boolean tick is a bad request", async () => {
    expect(await errorCode(await admin.fetch("/_stepgate/api/admin/reset-mfa", { method: "POST", json: { email: "user@demo.test", verified: "yes" } }))).toBe("BAD_REQUEST");
    expect(await errorCode(await admin.fetch("/_stepgate/api/admin/reset-mfa", { method: "POST", json: { email: "user@demo.test" } }))).toBe("REQUEST_NOT_VERIFIED");
  });

  it("wrote every refusal to the audit log with its reason, and nothing secret", async () => {
    expect(await auditReasons("demo-payor")).toContain("refused: payments_user_reset");
    expect(await auditReasons("sso-sam")).toContain("refused: sso_user_reset");
    expect(await auditReasons("demo-admin")).toContain("refused: cannot_reset_self");
    expect(await auditReasons("demo-user")).toEqual(expect.arrayContaining(["refused: request_not_verified", "refused: mfa_not_enforced"]));
    const all = await (await admin.fetch("/_stepgate/api/admin/audit?limit=1000")).text();
    expect(all).toContain("refused: user_not_in_directory");
    expect(all).not.toMatch(/stepgate-demo-password|\b\d{6}\b(?!\d)|\b\d{32}\b|secret/);
  });

  it("another admin may reset an admin; an admin without a fresh second factor may not reset at all", async () => {
    const stale = client();
    stale.cookie = `__Host-stepgate=${await forgeSessionToken(admin, { mfa_at: Math.floor(Date.now() / 1000) - 3600 })}`;
    expect(await errorCode(await resetMfa(stale, "user@demo.test"))).toBe("REAUTH_REQUIRED");
    expect(await auditReasons("")).toContain("refused: reauth_required");
    const { client: other } = await enrolledUser("admin2@demo.test");
    expect((await resetMfa(other, "admin@demo.test")).status).toBe(200);
    expect(await errorCode(await admin.fetch("/_stepgate/api/admin/users"))).toBe("UNAUTHENTICATED");
    ({ client: admin } = await enrolledUser("admin@demo.test")); // signs in again: enrollment
  });
});

describe("a reset", () => {
  it("removes every factor and session, notifies the person, ends old cookies, and forces enrollment", async () => {
    const { client: user } = await signInEnrolled();
    const old = client();
    old.cookie = `__Host-stepgate=${await forgeSessionToken(user, {}, 120)}`; // due for re-mint
    expect((await old.fetch("/before-reset", { headers: { accept: "application/json" } })).status).toBe(200);
    expect(await storedKeys("demo-user")).toEqual(expect.arrayContaining(["totp", "recovery", "totp_last_step"]));

    const response = await resetMfa(admin, "user@demo.test");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ reset: true, email: "user@demo.test", sessionsEnded: expect.any(Number) });

    expect((await storedKeys("demo-user")).sort()).toEqual(["password"]);
    const dead = client();
    dead.cookie = `__Host-stepgate=${await forgeSessionToken(user, {}, 120)}`;
    expect((await dead.fetch("/after-reset", { headers: { accept: "application/json" } })).status).toBe(401);
    expect(await originHits("/after-reset")).toBe(0);

    const outbox = (await (await client().fetch("/_stepgate/dev/outbox")).json()) as Array<{ to: string; text: string }>;
    expect(outbox.find((m) => m.to === "user@demo.test")?.text).toMatch(/reset by a company administrator/);
    expect((await auditReasons("user@demo.test"))[0]).toMatch(/^reset by admin@demo.test; sessions ended: \d+$/);

    const again = await signIn("user@demo.test");
    expect(again.body).toEqual({ next: "enroll" });
  });
});

describe("deactivation", () => {
  it("ends every session at once, blocks sign-in, and reactivation lets the person back in", async () => {
    const { client: payee } = await enrolledUser("payee@demo.test");
    const response = await admin.fetch("/_stepgate/api/admin/users/demo-payee/deactivate", { method: "POST", json: {} });
    expect(response.status).toBe(200);
    expect((await storedKeys("demo-payee")).filter((key) => key.startsWith("session:"))).toEqual([]);
    const old = client();
    old.cookie = `__Host-stepgate=${await forgeSessionToken(payee, {}, 120)}`;
    expect((await old.fetch("/after-deactivation", { headers: { accept: "application/json" } })).status).toBe(401);
    expect(await originHits("/after-deactivation")).toBe(0);

    const refused = await signIn("payee@demo.test");
    expect(refused.response.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { code: "INVALID_CREDENTIALS" } });
    // The account DO refuses too, even if a KV read somewhere still says active.
    await env.KV.put("user:id:demo-payee", JSON.stringify({ ...(await env.KV.get("user:id:demo-payee", "json") as object), active: true }));
    expect((await signIn("payee@demo.test")).response.status).toBe(401);

    expect((await admin.fetch("/_stepgate/api/admin/users/demo-payee/reactivate", { method: "POST", json: {} })).status).toBe(200);
    expect((await signIn("payee@demo.test")).body.next).toBe("mfa");
  });
});

/** user@demo.test is enrolled by an earlier test; sign in through the challenge with the recovery code path avoided. */
async function signInEnrolled() {
  const keys = await storedKeys("demo-user");
  if (!keys.includes("totp")) return enrolledUser("user@demo.test");
  // Enrolled earlier in this file: reset first, then enroll afresh to get a signed-in client.
  await resetMfa(admin, "user@demo.test");
  return enrolledUser("user@demo.test");
}
