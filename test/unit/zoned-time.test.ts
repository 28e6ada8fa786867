/**
 * The calendar-date and time-zone inputs of the enforcement deadline (shared/zoned-time.ts): exactly
 * `YYYY-MM-DD` for years 0100-9999 and a real day, and a zone name the runtime knows. A value from
 * outside (JSON, a form) that is missing or padded is refused, never read as something else.
 */
import { describe, expect, it } from "vitest";
import { isCalendarDate, isTimeZone, startOfLocalDateMs } from "../../shared/zoned-time";

describe("isCalendarDate", () => {
  it.each(["0100-01-01", "2026-12-01", "2024-02-29", "9999-12-31"])("%j is a date", (date) => {
    expect(isCalendarDate(date)).toBe(true);
  });

  it.each(["0099-12-31", "0000-01-01", " 2026-12-01", "2026-12-01 ", "x2026-12-01", "2026-12-01x", "12026-12-01", "2026-12-1", "2026-12-00", "2026-12-32", "2026-04-31", "2025-02-29", "2026/12/01", ""])("%j is not", (date) => {
    expect(isCalendarDate(date)).toBe(false);
  });

  it("refuses what is not a string", () => {
    for (const value of [undefined, null, 20261201, ["2026-12-01"]]) expect(isCalendarDate(value as unknown as string)).toBe(false);
  });
});

describe("startOfLocalDateMs when a jump skips midnight from another time", () => {
  it("starts the day at the jump itself (Toronto, 31 March 1919: 23:30 became 00:30)", () => {
    // The only forward change in the runtime's zone data (1900-2040) that skips a local midnight
    // without starting at 00:00; every other skipped midnight jumps at 00:00 exactly.
    expect(startOfLocalDateMs("1919-03-31", "America/Toronto")).toBe(Date.parse("1919-03-31T04:30:00Z"));
    expect(startOfLocalDateMs("1919-03-31", "America/Nassau")).toBe(Date.parse("1919-03-31T04:30:00Z"));
    expect(startOfLocalDateMs("1919-03-30", "America/Toronto")).toBe(Date.parse("1919-03-30T05:00:00Z"));
  });
});

describe("isTimeZone", () => {
  it.each(["UTC", "utc", "America/Los_Angeles", "Asia/Kathmandu", "Etc/GMT+12"])("%j is a zone", (zone) => {
    expect(isTimeZone(zone)).toBe(true);
  });

  it.each(["", "Mars/Olympus_Mons", "America/Los Angeles", "UTC+25"])("%j is not", (zone) => {
    expect(isTimeZone(zone)).toBe(false);
  });

  it("refuses a missing zone instead of taking the runtime's own", () => {
    expect(isTimeZone(undefined as unknown as string)).toBe(false);
    expect(() => startOfLocalDateMs("2026-12-01", undefined as unknown as string)).toThrow(TypeError);
  });

  it("gives the same answer after many zones were asked for (the formatter cache is bounded, not wrong)", () => {
    const zones = Intl.supportedValuesOf("timeZone").slice(0, 200);
    for (const zone of zones) expect(isTimeZone(zone)).toBe(true);
    expect(startOfLocalDateMs("2026-12-01", "America/Los_Angeles")).toBe(Date.parse("2026-12-01T08:00:00Z"));
    expect(startOfLocalDateMs("2026-12-01", zones[0] ?? "UTC")).toBe(startOfLocalDateMs("2026-12-01", zones[0] ?? "UTC"));
  });
});
