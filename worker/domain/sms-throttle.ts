/**
 * SMS send limits (against SMS pumping and code flooding): a minimum gap between two sends and a
 * cap per rolling hour. The same rule runs per account and per phone number. Pure.
 */
export interface SendLimits {
  minGapSeconds: number;
  maxPerHour: number;
}

export type SendDecision = { ok: true; sentAtMs: number[] } | { ok: false; retryAfterSeconds: number };

const HOUR_MS = 3_600_000;

/** Given the recent send times, may one more go out at `nowMs`? Returns the log to store if so. */
export function decideSmsSend(recentSentAtMs: readonly number[], nowMs: number, limits: SendLimits): SendDecision {
  const recent = recentSentAtMs.filter((at) => at > nowMs - HOUR_MS && at <= nowMs).sort((a, b) => a - b);
  const last = recent[recent.length - 1];
  const gapMs = limits.minGapSeconds * 1000;
  const waits: number[] = [];
  if (last !== undefined && nowMs - last < gapMs) waits.push(last + gapMs - nowMs);
  if (recent.length >= limits.maxPerHour) {
    const oldestCounted = recent[recent.length - limits.maxPerHour] ?? nowMs;
    waits.push(oldestCounted + HOUR_MS - nowMs);
  }
  if (waits.length > 0) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits) / 1000)) };
  return { ok: true, sentAtMs: [...recent, nowMs] };
}
