import { describe, expect, it } from "vitest";
import { decideSmsSend } from "../../worker/domain/sms-throttle";

const limits = { minGapSeconds: 30, maxPerHour: 3 };

describe("decideSmsSend", () => {
  it.each([
    ["first send", [], 0, { ok: true, sentAtMs: [0] }],
    ["inside the gap", [0], 29_000, { ok: false, retryAfterSeconds: 1 }],
    ["gap over", [0], 30_000, { ok: true, sentAtMs: [0, 30_000] }],
    ["hourly cap", [0, 100_000, 200_000], 300_000, { ok: false, retryAfterSeconds: 3300 }],
    ["cap frees after an hour", [0, 100_000, 200_000], 3_600_000, { ok: true, sentAtMs: [100_000, 200_000, 3_600_000] }],
    ["the longer wait wins", [0, 100_000, 3_590_000], 3_595_000, { ok: false, retryAfterSeconds: 25 }],
  ] as const)("%s", (_name, log, nowMs, expected) => {
    expect(decideSmsSend(log, nowMs, limits)).toEqual(expected);
  });
});
