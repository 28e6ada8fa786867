/**
 * The attempt-wait rule of docs/decisions/0003 (4 free failures, then 1, 2, 4 ... seconds, capped
 * at 15 minutes; 100 consecutive failures disable a factor), with the literals written from the
 * decision, never imported from the code under test.
 */
import { describe, expect, it } from "vitest";
import { FACTOR_DISABLE_AFTER, MAX_WAIT_SECONDS, retryAfterSeconds, waitSecondsAfter } from "../../worker/domain/throttle";

describe("waitSecondsAfter", () => {
  it.each([
    [0, 0],
    [1, 0],
    [4, 0], // the fourth failure is still free
    [5, 1], // the fifth starts the waits
    [6, 2],
    [7, 4],
    [8, 8],
    [14, 512],
    [15, 900], // 1024 s would pass the 15-minute cap
    [16, 900],
    [99, 900],
    [100, 900],
    [1000, 900],
  ])("after %i failures in a row: %i s", (failures, seconds) => {
    expect(waitSecondsAfter(failures)).toBe(seconds);
  });

  it("never shrinks as failures grow", () => {
    for (let failures = 1; failures <= 200; failures++) {
      expect(waitSecondsAfter(failures)).toBeGreaterThanOrEqual(waitSecondsAfter(failures - 1));
    }
  });

  it("states the limits of the decision", () => {
    expect(MAX_WAIT_SECONDS).toBe(15 * 60);
    expect(FACTOR_DISABLE_AFTER).toBe(100);
  });
});

describe("retryAfterSeconds", () => {
  const now = 1_800_000_000_000;
  it.each([
    ["the wait is over", now, 0],
    ["the wait ended a while ago", now - 5_000, 0],
    ["one millisecond left rounds up to a second", now + 1, 1],
    ["exactly one second", now + 1_000, 1],
    ["a second and a millisecond", now + 1_001, 2],
    ["fifteen minutes", now + 900_000, 900],
  ])("%s", (_name, nextAllowedAtMs, seconds) => {
    expect(retryAfterSeconds(nextAllowedAtMs, now)).toBe(seconds);
  });
});
