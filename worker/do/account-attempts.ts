/**
 * Second-factor attempt accounting inside the account Durable Object (docs/decisions/0003).
 * Synchronous, so a reservation made before an await is counted even if a burst races it.
 */
import type { Method } from "../../shared/protocol";
import type { FailureState } from "../domain/records";
import { FACTOR_DISABLE_AFTER, retryAfterSeconds, waitSecondsAfter } from "../domain/throttle";
import { FACTOR_KEYS } from "./account-factors";

export type Throttled = { ok: false; reason: "throttled"; retryAfterSeconds: number };

/** Counts an attempt before it is evaluated; refuses it unevaluated while a wait is running. */
export function reserveAttempt(kv: SyncKvStorage, method: Method, nowMs: number): { ok: true } | Throttled {
  const state = kv.get<FailureState>("failures") ?? { consecutive: 0, nextAllowedAtMs: 0, byMethod: {} };
  if (state.nextAllowedAtMs > nowMs) {
    return { ok: false, reason: "throttled", retryAfterSeconds: retryAfterSeconds(state.nextAllowedAtMs, nowMs) };
  }
  const consecutive = state.consecutive + 1;
  kv.put<FailureState>("failures", {
    consecutive,
    nextAllowedAtMs: nowMs + waitSecondsAfter(consecutive) * 1000,
    byMethod: { ...state.byMethod, [method]: (state.byMethod[method] ?? 0) + 1 },
  });
  return { ok: true };
}

/** A success clears every counter. */
export function clearFailures(kv: SyncKvStorage): void {
  kv.delete("failures");
}

/** Disables `method`'s factor once it has failed FACTOR_DISABLE_AFTER times in a row. */
export function disableIfCapped(kv: SyncKvStorage, method: Method): boolean {
  const state = kv.get<FailureState>("failures");
  if (!state || (state.byMethod[method] ?? 0) < FACTOR_DISABLE_AFTER) return false;
  const key = FACTOR_KEYS[method];
  const factor = kv.get<{ disabled: boolean }>(key);
  if (!factor || factor.disabled) return false;
  kv.put(key, { ...factor, disabled: true });
  return true;
}
