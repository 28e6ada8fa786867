/**
 * The admin tool's pure rules (docs/decisions/0007-admin-policy-and-reset.md, SPEC "Administration"):
 * who may act (both permissions, a done session, a second factor within 10 minutes), when the
 * company enforces MFA (the deadline's first instant in the admin's zone), which resets are refused
 * and in which order, and which settings are stored. Literals come from the rules, not the code.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import type { SessionClaims } from "../../shared/claims";
import { AuditQueryParams, ResetRequest, SettingsRequest, adminAccessRefusal, hasAdminPermissions, isEnforcingNow, resetRefusal, validSettings, type ResetInput } from "../../worker/domain/admin";
import type { CompanyRecord, UserRecord } from "../../worker/domain/records";

const NOW_MS = Date.parse("2026-12-10T12:00:00Z");
const NOW_S = NOW_MS / 1000;

function user(overrides: Partial<UserRecord> = {}): UserRecord {
  return { id: "u-admin", email: "admin@demo.test", name: "Admin", role: "company_admin", companyId: "c1", active: true, sso: false, permissions: { companyAdmin: true, directory: true }, ...overrides };
}

function session(overrides: Partial<SessionClaims> = {}): SessionClaims {
  return { iss: "i", aud: "a", sub: "u-admin", sid: "s".repeat(22), stg: "done", email: "admin@demo.test", role: "company_admin", cid: "c1", amr: ["pwd", "otp"], auth_time: NOW_S - 60, mfa_at: NOW_S - 60, iat: NOW_S, exp: NOW_S + 300, ...overrides };
}

const company = (overrides: Partial<CompanyRecord> = {}): CompanyRecord => ({ id: "c1", name: "Demo Builders", requireMfa: true, deadline: "2026-12-01", timeZone: "America/Los_Angeles", ...overrides });

describe("hasAdminPermissions: both the company-admin and the directory permission", () => {
  it.each([
    [{ companyAdmin: true, directory: true }, true],
    [{ companyAdmin: true, directory: false }, false],
    [{ companyAdmin: false, directory: true }, false],
    [undefined, false],
  ])("%j -> %s", (permissions, expected) => {
    const person = user();
    if (permissions) person.permissions = permissions;
    else delete person.permissions;
    expect(hasAdminPermissions(person)).toBe(expected);
  });
});

describe("adminAccessRefusal", () => {
  it("allows a done session of an active admin whose second factor is fresh", () => {
    expect(adminAccessRefusal(session(), user(), NOW_MS)).toBeNull();
  });

  it.each([
    ["no session", null, user(), "unauthenticated"],
    ["no directory record", session(), null, "unauthenticated"],
    ["a deactivated admin", session(), user({ active: false }), "unauthenticated"],
    ["a session of someone else", session({ sub: "u-other" }), user(), "unauthenticated"],
    ["a session at the mfa step", session({ stg: "mfa" }), user(), "wrong_stage"],
    ["a session saving its recovery code", session({ stg: "save_recovery_code" }), user(), "wrong_stage"],
    ["one permission only", session(), user({ permissions: { companyAdmin: true, directory: false } }), "admin_permission_required"],
    ["no permissions", session(), user({ role: "standard", permissions: undefined }), "admin_permission_required"],
    ["no second factor in this session", session({ mfa_at: undefined }), user(), "reauth_required"],
  ] as const)("refuses %s", (_name, claims, person, reason) => {
    expect(adminAccessRefusal(claims, person, NOW_MS)).toBe(reason);
  });

  it("accepts a second factor exactly 10 minutes old and refuses it a second later", () => {
    expect(adminAccessRefusal(session({ mfa_at: NOW_S - 600 }), user(), NOW_MS)).toBeNull();
    expect(adminAccessRefusal(session({ mfa_at: NOW_S - 600 }), user(), NOW_MS + 999)).toBeNull(); // same second
    expect(adminAccessRefusal(session({ mfa_at: NOW_S - 601 }), user(), NOW_MS)).toBe("reauth_required");
    expect(adminAccessRefusal(session({ mfa_at: NOW_S - 600 }), user(), NOW_MS + 1_000)).toBe("reauth_required");
  });

  it("checks in order: identity, then stage, then permission, then freshness", () => {
    const stale = { mfa_at: NOW_S - 3_600 };
    expect(adminAccessRefusal(session({ ...stale, stg: "mfa" }), user({ permissions: undefined, active: false }), NOW_MS)).toBe("unauthenticated");
    expect(adminAccessRefusal(session({ ...stale, stg: "mfa" }), user({ permissions: undefined }), NOW_MS)).toBe("wrong_stage");
    expect(adminAccessRefusal(session(stale), user({ permissions: undefined }), NOW_MS)).toBe("admin_permission_required");
  });
});

describe("isEnforcingNow: Require MFA and the deadline's first instant in the admin's zone", () => {
  // 2026-12-01 begins at 08:00 UTC in Los Angeles (PST, UTC-8).
  const startMs = Date.parse("2026-12-01T08:00:00Z");

  it("starts at local midnight of the deadline in the admin's zone, not at UTC midnight", () => {
    expect(isEnforcingNow(company(), Date.parse("2026-12-01T00:00:00Z"))).toBe(false); // UTC midnight
    expect(isEnforcingNow(company(), startMs - 1)).toBe(false);
    expect(isEnforcingNow(company(), startMs)).toBe(true);
    expect(isEnforcingNow(company(), startMs + 1)).toBe(true);
  });

  it("is earlier for a zone east of UTC", () => {
    // 2026-12-01 begins at 2026-11-30T15:00Z in Tokyo.
    expect(isEnforcingNow(company({ timeZone: "Asia/Tokyo" }), Date.parse("2026-11-30T15:00:00Z") - 1)).toBe(false);
    expect(isEnforcingNow(company({ timeZone: "Asia/Tokyo" }), Date.parse("2026-11-30T15:00:00Z"))).toBe(true);
  });

  it("is off without Require MFA or without a deadline, however late it is", () => {
    expect(isEnforcingNow(company({ requireMfa: false }), NOW_MS)).toBe(false);
    expect(isEnforcingNow(company({ deadline: null }), NOW_MS)).toBe(false);
  });
});

describe("resetRefusal", () => {
  const target = user({ id: "u-target", email: "user@demo.test", role: "standard", permissions: undefined });
  const input = (overrides: Partial<ResetInput> = {}): ResetInput => ({ admin: user(), target, company: company(), verified: true, nowMs: NOW_MS, ...overrides });

  it("allows a verified reset of a standard person in the directory while enforcing", () => {
    expect(resetRefusal(input())).toBeNull();
    expect(resetRefusal(input({ target: user({ id: "u-other-admin", email: "other@demo.test" }) }))).toBeNull(); // another admin may
  });

  it.each([
    ["before the deadline", { nowMs: Date.parse("2026-12-01T07:59:59Z") }, "mfa_not_enforced"],
    ["with Require MFA off", { company: company({ requireMfa: false }) }, "mfa_not_enforced"],
    ["a person not in the directory", { target: null }, "user_not_in_directory"],
    ["a person of another company", { target: { ...target, companyId: "c2" } }, "user_not_in_directory"],
    ["the admin themself", { target: user() }, "cannot_reset_self"],
    ["a payor", { target: { ...target, role: "payor" } }, "payments_user_reset"],
    ["a payee admin", { target: { ...target, role: "payee_admin" } }, "payments_user_reset"],
    ["an SSO person with no Stepgate factor", { target: { ...target, sso: true } }, "sso_user_reset"],
    ["an SSO person, factors unknown", { target: { ...target, sso: true }, targetHasStepgateFactors: false }, "sso_user_reset"],
    ["an unticked confirmation", { verified: false }, "request_not_verified"],
  ] as const)("refuses %s", (_name, overrides, reason) => {
    expect(resetRefusal(input(overrides as Partial<ResetInput>))).toBe(reason);
  });

  it("allows an SSO person's Stepgate factors to be reset", () => {
    expect(resetRefusal(input({ target: { ...target, sso: true }, targetHasStepgateFactors: true }))).toBeNull();
  });

  it("tells the most fundamental problem first", () => {
    const everythingWrong = { target: { ...user(), role: "payor" as const, sso: true }, verified: false };
    expect(resetRefusal(input({ ...everythingWrong, company: company({ requireMfa: false }) }))).toBe("mfa_not_enforced");
    expect(resetRefusal(input({ target: null, verified: false }))).toBe("user_not_in_directory");
    expect(resetRefusal(input(everythingWrong))).toBe("cannot_reset_self");
    expect(resetRefusal(input({ target: { ...target, role: "payor", sso: true }, verified: false }))).toBe("payments_user_reset");
    expect(resetRefusal(input({ target: { ...target, sso: true }, verified: false }))).toBe("sso_user_reset");
  });
});

describe("validSettings", () => {
  it("stores a deadline with Require MFA, in the zone's canonical spelling", () => {
    expect(validSettings({ requireMfa: true, deadline: "2026-12-01", timeZone: "America/Los_Angeles" })).toEqual({ requireMfa: true, deadline: "2026-12-01", timeZone: "America/Los_Angeles" });
    expect(validSettings({ requireMfa: true, deadline: "2026-12-01", timeZone: "utc" })).toEqual({ requireMfa: true, deadline: "2026-12-01", timeZone: "UTC" });
    expect(validSettings({ requireMfa: false, deadline: "2026-12-01", timeZone: "Asia/Tokyo" })).toEqual({ requireMfa: false, deadline: "2026-12-01", timeZone: "Asia/Tokyo" });
  });

  it("allows no deadline only with Require MFA off", () => {
    expect(validSettings({ requireMfa: false, deadline: null, timeZone: "UTC" })).toEqual({ requireMfa: false, deadline: null, timeZone: "UTC" });
    expect(validSettings({ requireMfa: true, deadline: null, timeZone: "UTC" })).toBeNull();
  });

  it.each([
    ["an unknown zone", { requireMfa: true, deadline: "2026-12-01", timeZone: "Mars/Olympus_Mons" }],
    ["an empty zone", { requireMfa: false, deadline: null, timeZone: "" }],
    ["a date that does not exist", { requireMfa: true, deadline: "2026-02-30", timeZone: "UTC" }],
    ["a date and time", { requireMfa: true, deadline: "2026-12-01T00:00", timeZone: "UTC" }],
  ])("refuses %s", (_name, settings) => {
    expect(validSettings(settings)).toBeNull();
  });
});

describe("request schemas", () => {
  it("settings: exactly the three members", () => {
    expect(v.safeParse(SettingsRequest, { requireMfa: true, deadline: "2026-12-01", timeZone: "UTC" }).success).toBe(true);
    expect(v.safeParse(SettingsRequest, { requireMfa: true, deadline: null, timeZone: "UTC" }).success).toBe(true);
    expect(v.safeParse(SettingsRequest, { requireMfa: true, deadline: "2026-12-01", timeZone: "UTC", extra: 1 }).success).toBe(false);
    expect(v.safeParse(SettingsRequest, { requireMfa: "yes", deadline: "2026-12-01", timeZone: "UTC" }).success).toBe(false);
    expect(v.safeParse(SettingsRequest, { requireMfa: true, deadline: "x".repeat(33), timeZone: "UTC" }).success).toBe(false);
    expect(v.safeParse(SettingsRequest, { requireMfa: true, deadline: "2026-12-01", timeZone: "x".repeat(65) }).success).toBe(false);
  });

  it("reset: an email, and the confirmation defaulting to not ticked", () => {
    expect(v.parse(ResetRequest, { email: "user@demo.test" })).toEqual({ email: "user@demo.test", verified: false });
    expect(v.parse(ResetRequest, { email: "user@demo.test", verified: true })).toEqual({ email: "user@demo.test", verified: true });
    expect(v.safeParse(ResetRequest, { email: "" }).success).toBe(false);
    expect(v.safeParse(ResetRequest, { email: "a".repeat(255) }).success).toBe(false);
    expect(v.safeParse(ResetRequest, { email: "user@demo.test", verified: "true" }).success).toBe(false);
  });

  it.each([
    [{ limit: "1" }, { limit: 1 }],
    [{ limit: "1000" }, { limit: 1000 }],
    [{ event: "mfa_reset" }, { event: "mfa_reset" }],
    [{ event: "a".repeat(40) }, { event: "a".repeat(40) }],
    [{ subject: "user@demo.test" }, { subject: "user@demo.test" }],
    [{}, {}],
  ])("audit query %j is read as %j", (query, expected) => {
    expect(v.parse(AuditQueryParams, query)).toEqual(expected);
  });

  it.each([
    { limit: "0" },
    { limit: "1001" },
    { limit: "10000" },
    { limit: "-1" },
    { limit: "1.5" },
    { limit: " 5" },
    { limit: "5x" },
    { event: "MFA_RESET" },
    { event: "mfa-reset" },
    { event: "" },
    { event: "a".repeat(41) },
    { event: "x\nmfa_reset" },
    { subject: "x".repeat(255) },
  ])("audit query %j is refused", (query) => {
    expect(v.safeParse(AuditQueryParams, query).success).toBe(false);
  });
});
