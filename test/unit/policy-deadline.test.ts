/**
 * Enforcement-deadline boundaries for the admin's settings: one millisecond and one minute either
 * side of the first instant of the deadline date, in zones with unusual offsets and on DST-change
 * dates (midnight skipped or repeated), for every non-payments role; payments roles and inactive
 * people are unaffected by the boundary.
 */
import { describe, expect, it } from "vitest";
import { mfaRequirement, type Role } from "../../shared/policy";

const utc = (iso: string) => Date.parse(iso);

// [zone, deadline, first instant of that date in the zone]
const BOUNDARIES: Array<[string, string, string]> = [
  ["Pacific/Kiritimati", "2026-12-01", "2026-11-30T10:00:00Z"], // UTC+14: the world's first midnight
  ["Pacific/Pago_Pago", "2026-12-01", "2026-12-01T11:00:00Z"], // UTC-11: 25 hours later, same date
  ["Pacific/Chatham", "2026-12-01", "2026-11-30T10:15:00Z"], // +13:45 (DST)
  ["Australia/Lord_Howe", "2026-12-01", "2026-11-30T13:00:00Z"], // +11, half-hour DST zone
  ["Asia/Kolkata", "2026-06-15", "2026-06-14T18:30:00Z"],
  ["America/St_Johns", "2026-12-01", "2026-12-01T03:30:00Z"], // -03:30
  ["America/Havana", "2026-11-01", "2026-11-01T04:00:00Z"], // midnight repeated: the first one counts
  ["America/Havana", "2026-03-08", "2026-03-08T05:00:00Z"], // midnight skipped: starts at the jump
  ["America/Santiago", "2026-09-06", "2026-09-06T04:00:00Z"], // midnight skipped
  ["America/New_York", "2026-11-01", "2026-11-01T04:00:00Z"], // DST ends later that night
  ["America/New_York", "2026-11-02", "2026-11-02T05:00:00Z"], // first midnight after the change
  ["Europe/London", "2026-03-29", "2026-03-29T00:00:00Z"], // GMT midnight, BST from 01:00
  ["Europe/London", "2026-03-30", "2026-03-29T23:00:00Z"],
];

const company = (timeZone: string, deadline: string) => ({ requireMfa: true, deadline, timeZone });
const requirementAt = (role: Role, timeZone: string, deadline: string, nowMs: number, active = true) =>
  mfaRequirement({ role, active, sso: false, company: company(timeZone, deadline), nowMs });

describe.each(BOUNDARIES)("deadline in %s on %s (enforced from %s)", (timeZone, deadline, iso) => {
  const startMs = utc(iso);

  it.each(["standard", "company_admin"] as const)("%s: optional with a notice just before, required from the instant on", (role) => {
    for (const beforeMs of [startMs - 60_000, startMs - 1]) {
      expect(requirementAt(role, timeZone, deadline, beforeMs)).toEqual({ kind: "optional", deadlineMs: startMs });
    }
    for (const afterMs of [startMs, startMs + 1, startMs + 60_000]) {
      expect(requirementAt(role, timeZone, deadline, afterMs)).toEqual({ kind: "required" });
    }
  });

  it("payments roles are required and inactive people blocked on both sides", () => {
    for (const nowMs of [startMs - 1, startMs]) {
      expect(requirementAt("payor", timeZone, deadline, nowMs)).toEqual({ kind: "required" });
      expect(requirementAt("payee_admin", timeZone, deadline, nowMs)).toEqual({ kind: "required" });
      expect(requirementAt("standard", timeZone, deadline, nowMs, false)).toEqual({ kind: "blocked", reason: "inactive" });
    }
  });
});

it("one deadline date starts at different instants around the world (the admin's zone decides)", () => {
  const kiritimati = requirementAt("standard", "Pacific/Kiritimati", "2026-12-01", utc("2026-11-30T12:00:00Z"));
  const pagoPago = requirementAt("standard", "Pacific/Pago_Pago", "2026-12-01", utc("2026-11-30T12:00:00Z"));
  expect(kiritimati).toEqual({ kind: "required" });
  expect(pagoPago.kind).toBe("optional");
});
