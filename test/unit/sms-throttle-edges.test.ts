/**
 * Edges of the SMS send rule (worker/domain/sms-throttle.ts): the log may arrive unsorted or hold
 * entries from the future (another isolate's clock); only sends within the last hour up to now count.
 */
import { describe, expect, it } from "vitest";
import { decideSmsSend } from "../../worker/domain/sms-throttle";

const limits = { minGapSeconds: 30, maxPerHour: 3 };

describe("decideSmsSend edges", () => {
  it("reads an unsorted log by time", () => {
    expect(decideSmsSend([200_000, 0, 100_000], 300_000, limits)).toEqual({ ok: false, retryAfterSeconds: 3300 });
    expect(decideSmsSend([200_000, 100_000], 210_000, limits)).toEqual({ ok: false, retryAfterSeconds: 20 });
    expect(decideSmsSend([200_000, 100_000], 300_000, limits)).toEqual({ ok: true, sentAtMs: [100_000, 200_000, 300_000] });
  });

  it("counts a send at this very millisecond, and none from the future", () => {
    expect(decideSmsSend([300_000], 300_000, limits)).toEqual({ ok: false, retryAfterSeconds: 30 });
    expect(decideSmsSend([305_000], 300_000, limits)).toEqual({ ok: true, sentAtMs: [300_000] });
  });

  it("forgets sends an hour old or older", () => {
    expect(decideSmsSend([0], 3_600_000, limits)).toEqual({ ok: true, sentAtMs: [3_600_000] });
    expect(decideSmsSend([1], 3_600_000, { minGapSeconds: 0, maxPerHour: 1 })).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it("waits at least one second", () => {
    expect(decideSmsSend([299_999], 300_000, { minGapSeconds: 0, maxPerHour: 1 })).toEqual({ ok: false, retryAfterSeconds: 3600 });
    expect(decideSmsSend([299_500], 300_000, { minGapSeconds: 1, maxPerHour: 10 })).toEqual({ ok: false, retryAfterSeconds: 1 });
  });
});
