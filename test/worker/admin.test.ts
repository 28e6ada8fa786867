/**
 * The admin tool's JSON API: settings (validation, nothing forced at once), permissions (both
 * needed), fresh second factor, directory listing with enrollment counts, deactivation, audit.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { addMember, errorCode, forgeSessionToken, putSettings } from "./admin-helpers";
import { client, enrolledUser, signIn, type Client } from "./helpers";

let admin: Client;
beforeAll(async () => {
  ({ client: admin } = await enrolledUser("admin@demo.test"));
});

const DEMO_SETTINGS = { requireMfa: true, deadline: "2026-01-01", timeZone: "America/New_York" };

describe("company settings", () => {
  it("reads and saves Require MFA, the deadline and the admin's time zone, and audits the change", async () => {
    const read = await admin.fetch("/_stepgate/api/admin/settings");
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ ...DEMO_SETTINGS, enforcedNow: true, enforcementStartsAt: Date.parse("2026-01-01T05:00:00Z") });

    const saved = await putSettings(admin, { requireMfa: true, deadline: "2099-03-01", timeZone: "utc" });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ deadline: "2099-03-01", timeZone: "UTC", enforcedNow: false });
    expect(await env.KV.get("company:demo-builders", "json")).toMatchObject({ name: "Demo Builders", deadline: "2099-03-01", timeZone: "UTC" });
    const audit = (await (await admin.fetch("/_stepgate/api/admin/audit?event=settings_changed")).json()) as { entries: Array<{ reason: string; actorEmail: string }> };
    expect(audit.entries[0]).toMatchObject({ actorEmail: "admin@demo.test", reason: "requireMfa=true; deadline=2099-03-01; timeZone=UTC" });
    expect((await putSettings(admin, DEMO_SETTINGS)).status).toBe(200);
  });

  it.each([
    ["an impossible date", { ...DEMO_SETTINGS, deadline: "2026-02-30" }, "INVALID_SETTINGS"],
    ["a date in another format", { ...DEMO_SETTINGS, deadline: "01/03/2027" }, "INVALID_SETTINGS"],
    ["an unknown zone", { ...DEMO_SETTINGS, timeZone: "Mars/Olympus_Mons" }, "INVALID_SETTINGS"],
    ["Require MFA without a deadline", { ...DEMO_SETTINGS, deadline: null }, "INVALID_SETTINGS"],
    ["a missing field", { requireMfa: true, deadline: "2027-01-01" }, "BAD_REQUEST"],
    ["a wrong type", { ...DEMO_SETTINGS, requireMfa: "yes" }, "BAD_REQUEST"],
    ["an unknown field", { ...DEMO_SETTINGS, scope: "project-1" }, "BAD_REQUEST"],
  ])("refuses %s with 400 and changes nothing", async (_, body, code) => {
    const before = await env.KV.get("company:demo-builders");
    const response = await putSettings(admin, body);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe(code);
    expect(await env.KV.get("company:demo-builders")).toBe(before);
  });

  it("saving never ends a session or forces anyone at once", async () => {
    const { client: user } = await signIn("payor@demo.test"); // at the enroll step
    const { client: member } = await enrolledUser("payee@demo.test");
    expect((await putSettings(admin, { requireMfa: false, deadline: null, timeZone: "UTC" })).status).toBe(200);
    expect((await putSettings(admin, { requireMfa: true, deadline: "2020-01-01", timeZone: "Asia/Tokyo" })).status).toBe(200);
    expect((await member.fetch("/dash-after-save")).status).toBe(200);
    // A token due for re-mint proves the account's Durable Object still holds the session.
    const due = client();
    due.cookie = `__Host-stepgate=${await forgeSessionToken(member, {}, 120)}`;
    expect((await due.fetch("/dash-after-save-remint")).status).toBe(200);
    expect((await user.fetch("/_stepgate/api/me")).status).toBe(200);
    expect((await admin.fetch("/_stepgate/api/admin/settings")).status).toBe(200);
    expect((await putSettings(admin, DEMO_SETTINGS)).status).toBe(200);
  });

  it("a deadline in the future lets a standard user in without MFA; one in the past sends them to enrollment", async () => {
    await addMember({ id: "early-bird", email: "early@demo.test" });
    expect((await putSettings(admin, { ...DEMO_SETTINGS, deadline: "2099-01-01" })).status).toBe(200);
    expect((await signIn("early@demo.test")).body.next).toBe("done");
    expect((await putSettings(admin, DEMO_SETTINGS)).status).toBe(200);
    expect((await signIn("early@demo.test")).body.next).toBe("enroll");
  });
});

describe("who may act", () => {
  it.each([
    ["company-admin only", { companyAdmin: true, directory: false }],
    ["directory only", { companyAdmin: false, directory: true }],
    ["neither", undefined],
  ])("an admin with %s gets 403 ADMIN_PERMISSION_REQUIRED on every admin call", async (label, permissions) => {
    const id = `half-admin-${label.split(" ")[0]}`;
    await addMember({ id, email: `${id}@demo.test`, role: "company_admin", ...(permissions ? { permissions } : {}) });
    const { client: c } = await enrolledUser(`${id}@demo.test`);
    const calls: Array<[string, RequestInit & { json?: unknown }]> = [
      ["/_stepgate/api/admin/settings", {}],
      ["/_stepgate/api/admin/settings", { method: "PUT", json: DEMO_SETTINGS }],
      ["/_stepgate/api/admin/users", {}],
      ["/_stepgate/api/admin/users/demo-user/deactivate", { method: "POST", json: {} }],
      ["/_stepgate/api/admin/reset-mfa", { method: "POST", json: { email: "user@demo.test", verified: true } }],
      ["/_stepgate/api/admin/audit", {}],
    ];
    for (const [path, init] of calls) {
      const response = await c.fetch(path, init);
      expect([path, response.status]).toEqual([path, 403]);
      expect(await errorCode(response)).toBe("ADMIN_PERMISSION_REQUIRED");
    }
    expect(((await (await admin.fetch("/_stepgate/api/admin/users")).json()) as { users: Array<{ email: string; active: boolean }> }).users.find((u) => u.email === "user@demo.test")?.active).toBe(true);
  });

  it("needs a second factor from the last 10 minutes: REAUTH_REQUIRED otherwise", async () => {
    const stale = client();
    stale.cookie = `__Host-stepgate=${await forgeSessionToken(admin, { mfa_at: Math.floor(Date.now() / 1000) - 601 })}`;
    const response = await stale.fetch("/_stepgate/api/admin/users");
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("REAUTH_REQUIRED");
    const none = client();
    none.cookie = `__Host-stepgate=${await forgeSessionToken(admin, { mfa_at: undefined, amr: ["pwd"] })}`;
    expect(await errorCode(await none.fetch("/_stepgate/api/admin/settings"))).toBe("REAUTH_REQUIRED");
    const fresh = client();
    fresh.cookie = `__Host-stepgate=${await forgeSessionToken(admin, { mfa_at: Math.floor(Date.now() / 1000) - 590 })}`;
    expect((await fresh.fetch("/_stepgate/api/admin/users")).status).toBe(200);
  });

  it("refuses no session (401), sessions before their second factor (403 STEP_REQUIRED) and cross-site calls", async () => {
    expect(await errorCode(await client().fetch("/_stepgate/api/admin/settings"))).toBe("UNAUTHENTICATED");
    await addMember({ id: "admin-two", email: "admin2@demo.test", role: "company_admin", permissions: { companyAdmin: true, directory: true } });
    const { client: enrolling } = await signIn("admin2@demo.test");
    const response = await enrolling.fetch("/_stepgate/api/admin/users");
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("STEP_REQUIRED");
    const crossSite = await admin.fetch("/_stepgate/api/admin/settings", { method: "PUT", json: DEMO_SETTINGS, headers: { origin: "https://evil.test" } });
    expect(await errorCode(crossSite)).toBe("CROSS_SITE_REQUEST");
  });
});

describe("directory", () => {
  it("lists the company with role, status, enrollment and methods (never secrets), counting only active people", async () => {
    const response = await admin.fetch("/_stepgate/api/admin/users");
    expect(response.status).toBe(200);
    const text = await response.text();
    const body = JSON.parse(text) as { users: Array<Record<string, unknown>>; counts: Record<string, number> };
    const adminRow = body.users.find((u) => u.email === "admin@demo.test");
    expect(adminRow).toEqual({ userId: "demo-admin", email: "admin@demo.test", name: "Ada Admin", role: "company_admin", active: true, sso: false, enrolled: true, methods: ["totp", "recovery"], disabledMethods: [] });
    expect(body.users.find((u) => u.email === "user@demo.test")).toMatchObject({ enrolled: false, methods: [] });
    expect(text).not.toMatch(/secret|hash|box|password/i);
    const enrolledActive = body.users.filter((u) => u.active && u.enrolled).length;
    expect(body.counts).toEqual({ active: body.users.filter((u) => u.active).length, enrolled: enrolledActive, inactive: 0 });

    expect((await admin.fetch("/_stepgate/api/admin/users/demo-payee/deactivate", { method: "POST", json: {} })).status).toBe(200);
    const after = (await (await admin.fetch("/_stepgate/api/admin/users")).json()) as typeof body;
    expect(after.counts).toEqual({ active: body.counts.active! - 1, enrolled: enrolledActive - 1, inactive: 1 });
    expect((await admin.fetch("/_stepgate/api/admin/users/demo-payee/reactivate", { method: "POST", json: {} })).status).toBe(200);
  });

  it("refuses unknown ids and deactivating yourself", async () => {
    expect(await errorCode(await admin.fetch("/_stepgate/api/admin/users/nobody/deactivate", { method: "POST", json: {} }))).toBe("USER_NOT_IN_DIRECTORY");
    expect(await errorCode(await admin.fetch("/_stepgate/api/admin/users/demo-admin/deactivate", { method: "POST", json: {} }))).toBe("CANNOT_DEACTIVATE_SELF");
  });
});

describe("audit log", () => {
  it("filters by event, subject (email or id) and limit, newest first", async () => {
    const bySubject = (await (await admin.fetch("/_stepgate/api/admin/audit?subject=demo-payee&limit=500")).json()) as { entries: Array<{ event: string; subjectId: string }> };
    expect(bySubject.entries.length).toBeGreaterThan(2);
    expect(bySubject.entries.every((e) => e.subjectId === "demo-payee")).toBe(true);
    expect(bySubject.entries.slice(0, 2).map((e) => e.event)).toEqual(["user_reactivated", "user_deactivated"]);
    const byEmail = (await (await admin.fetch("/_stepgate/api/admin/audit?subject=payee%40demo.test&event=user_deactivated")).json()) as { entries: unknown[] };
    expect(byEmail.entries).toHaveLength(1);
    const limited = (await (await admin.fetch("/_stepgate/api/admin/audit?limit=1")).json()) as { entries: unknown[] };
    expect(limited.entries).toHaveLength(1);
    expect((await admin.fetch("/_stepgate/api/admin/audit?limit=abc")).status).toBe(400);
  });
});
