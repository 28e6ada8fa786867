/**
 * Growing waits after consecutive failures, and the hard cap that disables a factor. Pure.
 */

/** Failures allowed back to back before waits start. */
export const FREE_ATTEMPTS = 4;
export const MAX_WAIT_SECONDS = 15 * 60;
/** Consecutive failures of one factor after which it is disabled until re-enrolled. */
export const FACTOR_DISABLE_AFTER = 100;

/** Seconds to wait before the next attempt after `consecutiveFailures` failures in a row. */
export function waitSecondsAfter(consecutiveFailures: number): number {
  if (consecutiveFailures <= FREE_ATTEMPTS) return 0;
  return Math.min(2 ** (consecutiveFailures - FREE_ATTEMPTS - 1), MAX_WAIT_SECONDS);
}

/** Seconds (rounded up) until an attempt is allowed, or 0 when allowed now. */
export function retryAfterSeconds(nextAllowedAtMs: number, nowMs: number): number {
  return nextAllowedAtMs > nowMs ? Math.ceil((nextAllowedAtMs - nowMs) / 1000) : 0;
}
