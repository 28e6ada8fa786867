import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CompanyMfaSettings } from "../../shared/policy";
import {
  SMS_COUNTRIES,
  allowedMethods,
  enforcementStartMs,
  isPaymentsRole,
  mfaRequirement,
} from "../../shared/policy";
import { isCalendarDate, isTimeZone } from "../../shared/zoned-time";

const utc = (iso: string) => Date.parse(iso);

describe("enforcementStartMs", () => {
  it.each([
    ["2026-12-01", "America/Los_Angeles", "2026-12-01T08:00:00Z"], // PST
    ["2026-07-01", "America/Los_Angeles", "2026-07-01T07:00:00Z"], // PDT
    ["2026-12-01", "Europe/London", "2026-12-01T00:00:00Z"], // GMT
    ["2026-07-01", "Europe/London", "2026-06-30T23:00:00Z"], // BST
    ["2026-12-01", "Asia/Tokyo", "2026-11-30T15:00:00Z"],
    ["2026-12-01", "Pacific/Auckland", "2026-11-30T11:00:00Z"], // NZDT
    ["2026-07-01", "Pacific/Auckland", "2026-06-30T12:00:00Z"], // NZST
    ["2026-12-01", "UTC", "2026-12-01T00:00:00Z"],
    ["2026-12-01", "Asia/Kolkata", "2026-11-30T18:30:00Z"], // half-hour offset
    ["2026-12-01", "Asia/Kathmandu", "2026-11-30T18:15:00Z"], // quarter-hour offset
    // DST change days: midnight itself is unaffected (the change is at 02:00).
    ["2026-03-08", "America/New_York", "2026-03-08T05:00:00Z"],
    ["2026-03-09", "America/New_York", "2026-03-09T04:00:00Z"],
    ["2026-11-01", "America/New_York", "2026-11-01T04:00:00Z"],
    ["2026-11-02", "America/New_York", "2026-11-02T05:00:00Z"],
    ["2026-03-29", "Europe/Berlin", "2026-03-28T23:00:00Z"],
    ["2026-03-30", "Europe/Berlin", "2026-03-29T22:00:00Z"],
    // Midnight skipped (clocks jump 00:00 -> 01:00): the day starts at the jump.
    ["2026-03-29", "Asia/Beirut", "2026-03-28T22:00:00Z"],
    ["2026-03-08", "America/Havana", "2026-03-08T05:00:00Z"],
    ["2026-09-06", "America/Santiago", "2026-09-06T04:00:00Z"],
    // Midnight repeated (01:00 -> 00:00): the first midnight.
    ["2026-11-01", "America/Havana", "2026-11-01T04:00:00Z"],
    // Samoa skipped 30 December 2011 entirely: it "starts" when the 31st does.
    ["2011-12-30", "Pacific/Apia", "2011-12-30T10:00:00Z"],
    ["2024-02-29", "America/Los_Angeles", "2024-02-29T08:00:00Z"],
  ])("%s in %s starts at %s", (deadline, timeZone, iso) => {
    expect(enforcementStartMs(deadline, timeZone)).toBe(utc(iso));
  });

  it.each([
    ["2026-02-30", "UTC"],
    ["2025-02-29", "UTC"],
    ["2026-13-01", "UTC"],
    ["2026-00-10", "UTC"],
    ["2026-1-01", "UTC"],
    ["2026-01-01T00:00", "UTC"],
    ["", "UTC"],
    ["0099-01-01", "UTC"],
    ["2026-12-01", "Mars/Olympus_Mons"],
    ["2026-12-01", ""],
  ])("throws TypeError for %j in %j", (deadline, timeZone) => {
    expect(() => enforcementStartMs(deadline, timeZone)).toThrow(TypeError);
  });

  it("returns the first instant whose local date is the deadline (property)", () => {
    const zones = [
      "America/Los_Angeles", "America/New_York", "America/Sao_Paulo", "America/Santiago",
      "America/Havana", "America/St_Johns", "Europe/London", "Europe/Berlin", "Asia/Beirut",
      "Asia/Tokyo", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Auckland", "Pacific/Chatham",
      "Pacific/Apia", "Pacific/Kiritimati", "Pacific/Pago_Pago",
    ];
    const localDate = (ms: number, timeZone: string) =>
      new Intl.DateTimeFormat("en-CA", {
        timeZone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
      }).format(ms);
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("1990-01-02T00:00:00Z"),
          max: new Date("2060-12-31T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.constantFrom(...zones),
        (date, timeZone) => {
          const deadline = date.toISOString().slice(0, 10);
          const startMs = enforcementStartMs(deadline, timeZone);
          expect(localDate(startMs, timeZone) >= deadline).toBe(true);
          expect(localDate(startMs - 1, timeZone) < deadline).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("isPaymentsRole", () => {
  it.each([
    ["standard", false],
    ["company_admin", false],
    ["payor", true],
    ["payee_admin", true],
  ] as const)("%s -> %s", (role, expected) => {
    expect(isPaymentsRole(role)).toBe(expected);
  });
});

const company = (overrides: Partial<CompanyMfaSettings> = {}): CompanyMfaSettings => ({
  requireMfa: true,
  deadline: "2026-12-01",
  timeZone: "America/Los_Angeles",
  ...overrides,
});
const LA_START = utc("2026-12-01T08:00:00Z");

type RequirementInput = Parameters<typeof mfaRequirement>[0];
const person = (overrides: Partial<RequirementInput> & { nowMs: number }): RequirementInput => ({
  role: "standard",
  active: true,
  sso: false,
  company: company(),
  ...overrides,
});

describe("mfaRequirement at the deadline", () => {
  // One millisecond before local midnight on the deadline, and midnight itself.
  it.each([
    ["America/Los_Angeles", "2026-12-01", "2026-12-01T08:00:00Z"],
    ["Europe/London", "2026-12-01", "2026-12-01T00:00:00Z"],
    ["Europe/London", "2026-07-01", "2026-06-30T23:00:00Z"],
    ["Asia/Tokyo", "2026-12-01", "2026-11-30T15:00:00Z"],
    ["Pacific/Auckland", "2026-12-01", "2026-11-30T11:00:00Z"],
    ["America/New_York", "2026-03-08", "2026-03-08T05:00:00Z"],
    ["Europe/Berlin", "2026-03-29", "2026-03-28T23:00:00Z"],
    ["Asia/Beirut", "2026-03-29", "2026-03-28T22:00:00Z"],
  ])("%s, deadline %s: enforced from %s", (timeZone, deadline, iso) => {
    const startMs = utc(iso);
    const settings = company({ timeZone, deadline });
    for (const role of ["standard", "company_admin"] as const) {
      expect(mfaRequirement(person({ role, company: settings, nowMs: startMs - 1 }))).toEqual({
        kind: "optional",
        deadlineMs: startMs,
      });
      expect(mfaRequirement(person({ role, company: settings, nowMs: startMs }))).toEqual({
        kind: "required",
      });
    }
  });
});

describe("mfaRequirement", () => {
  const before = LA_START - 1;
  const cases: Array<[string, RequirementInput, ReturnType<typeof mfaRequirement>]> = [
    ["before the deadline", person({ nowMs: before }), { kind: "optional", deadlineMs: LA_START }],
    ["a day after", person({ nowMs: LA_START + 86_400_000 }), { kind: "required" }],
    // Company settings.
    [
      "company does not require MFA",
      person({ company: company({ requireMfa: false }), nowMs: LA_START }),
      { kind: "optional" },
    ],
    [
      "company does not require MFA, old deadline kept",
      person({ company: company({ requireMfa: false }), nowMs: before }),
      { kind: "optional" },
    ],
    [
      "required without a deadline",
      person({ company: company({ deadline: null }), nowMs: LA_START }),
      { kind: "optional" },
    ],
    // Payments roles: always, whatever the company says.
    [
      "payor, company does not require",
      person({ role: "payor", company: company({ requireMfa: false }), nowMs: 0 }),
      { kind: "required" },
    ],
    [
      "payee admin, no deadline",
      person({ role: "payee_admin", company: company({ deadline: null }), nowMs: 0 }),
      { kind: "required" },
    ],
    ["payor before the deadline", person({ role: "payor", nowMs: before }), { kind: "required" }],
    // Inactive beats everything.
    [
      "inactive",
      person({ active: false, nowMs: LA_START }),
      { kind: "blocked", reason: "inactive" },
    ],
    [
      "inactive payor",
      person({ role: "payor", active: false, nowMs: LA_START }),
      { kind: "blocked", reason: "inactive" },
    ],
    [
      "inactive SSO user",
      person({ sso: true, active: false, nowMs: LA_START }),
      { kind: "blocked", reason: "inactive" },
    ],
    // SSO: optional (the IdP does MFA) unless the company enforces it; no early nudge.
    ["SSO before the deadline", person({ sso: true, nowMs: before }), { kind: "optional" }],
    ["SSO after the deadline", person({ sso: true, nowMs: LA_START }), { kind: "required" }],
    [
      "SSO, company does not require",
      person({ sso: true, company: company({ requireMfa: false }), nowMs: LA_START }),
      { kind: "optional" },
    ],
    [
      "SSO payee admin",
      person({ sso: true, role: "payee_admin", company: company({ requireMfa: false }), nowMs: 0 }),
      { kind: "required" },
    ],
  ];

  it.each(cases)("%s", (_, input, expected) => {
    expect(mfaRequirement(input)).toEqual(expected);
  });

  it("throws TypeError for a broken company setting when it is consulted", () => {
    const broken = company({ timeZone: "Nowhere/City" });
    expect(() => mfaRequirement(person({ company: broken, nowMs: 0 }))).toThrow(TypeError);
    expect(() => mfaRequirement(person({ nowMs: Number.NaN }))).toThrow(TypeError);
    expect(mfaRequirement(person({ role: "payor", company: broken, nowMs: 0 }))).toEqual({
      kind: "required",
    });
  });
});

describe("allowedMethods", () => {
  const withSms = ["totp", "sms", "recovery"];
  const withoutSms = ["totp", "recovery"];
  it.each([
    ["standard", "US", withSms],
    ["standard", "GB", withSms],
    ["standard", "hk", withSms],
    ["standard", "BR", withoutSms],
    ["standard", "JP", withoutSms],
    ["standard", undefined, withoutSms],
    ["company_admin", "NZ", withSms],
    ["company_admin", "IN", withoutSms],
    ["payee_admin", "US", withSms],
    ["payee_admin", "CA", withoutSms],
    ["payee_admin", undefined, withoutSms],
    ["payor", "US", withoutSms],
    ["payor", "GB", withoutSms],
  ] as const)("%s with a %s phone -> %j", (role, phoneCountry, expected) => {
    const input = phoneCountry === undefined ? { role } : { role, phoneCountry };
    expect(allowedMethods(input)).toEqual(expected);
  });

  it("allows SMS for standard users in exactly the SMS countries", () => {
    expect([...SMS_COUNTRIES].sort()).toEqual(
      ["AU", "CA", "DE", "ES", "FR", "GB", "HK", "IE", "IT", "MX", "NZ", "SG", "US"],
    );
    for (const country of SMS_COUNTRIES) {
      expect(allowedMethods({ role: "standard", phoneCountry: country })).toContain("sms");
    }
  });
});

describe("isCalendarDate / isTimeZone (for validating saved settings)", () => {
  it.each([
    ["2026-12-01", true],
    ["2024-02-29", true],
    ["2025-02-29", false],
    ["2026-12-1", false],
    ["01/12/2026", false],
  ])("isCalendarDate(%j) -> %s", (date, expected) => {
    expect(isCalendarDate(date)).toBe(expected);
  });

  it.each([
    ["Europe/London", true],
    ["UTC", true],
    ["Mars/Olympus_Mons", false],
    ["", false],
  ])("isTimeZone(%j) -> %s", (timeZone, expected) => {
    expect(isTimeZone(timeZone)).toBe(expected);
  });
});
