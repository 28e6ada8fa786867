/**
 * Password-guessing budgets (docs/decisions/0003, 0017). Pure: the caller passes the state and
 * `nowMs` and stores what comes back. A budget is a leaky bucket of failures: each wrong password
 * adds one, one is forgotten every FAILURE_LEAK_MS, and an attempt is evaluated only while the
 * bucket has room under its ceiling. Browsers that completed a sign-in before (known devices) each
 * have their own bucket; every other browser shares the account's unknown-device bucket, so
 * strangers can pause sign-in from new browsers but never from a known one.
 */

/**
 * A leaky bucket in whole milliseconds (the generic cell rate algorithm): `emptyAtMs` is when the
 * bucket would be empty if nothing were added, so failures outstanding at time t are
 * (emptyAtMs - t) / leak. `atMs` is the latest time it was updated: an earlier `nowMs` (a clock
 * that went back) is read as `atMs`, so nothing is forgotten or over-counted.
 */
export interface Budget {
  emptyAtMs: number;
  atMs: number;
}

/** A browser that completed a sign-in: the keyed hash of its device cookie, never the cookie. */
export interface KnownDevice {
  hash: string;
  lastSignInMs: number;
  budget?: Budget;
}

/** The account's password throttle (account Durable Object key `password_throttle`). */
export interface PasswordThrottleState {
  unknown?: Budget;
  devices: KnownDevice[];
  /** Unknown devices' failures for the owner's notice: leak slower than `unknown` (see below). */
  strangers?: Budget;
  /** When the owner was last told about strangers' failures. */
  noticeAtMs?: number;
}

/** Failures every unknown browser together may have outstanding before they must wait. */
export const UNKNOWN_DEVICE_CEILING = 20;
/** Failures one known browser may have outstanding before it must wait. */
export const KNOWN_DEVICE_CEILING = 10;
/** One failure is forgotten this often: the sustained guessing rate per bucket (4 an hour). */
export const FAILURE_LEAK_MS = 15 * 60_000;
/** Known browsers remembered per account; the one that signed in longest ago is forgotten first. */
export const MAX_KNOWN_DEVICES = 20;
/**
 * The owner is told when strangers' failures reach OWNER_NOTICE_AFTER_FAILURES in a count that
 * forgets one an hour: a burst that fills the unknown-device bucket tells at once, and a guesser
 * pacing below the ceiling (4 an hour) is told about within 7 hours. Typos on new browsers now and
 * then never add up to a notice.
 */
export const OWNER_NOTICE_AFTER_FAILURES = 20;
export const NOTICE_LEAK_MS = 60 * 60_000;
/** At most one such notice per this interval. */
export const OWNER_NOTICE_INTERVAL_MS = 6 * 60 * 60_000;

export type DeviceKind = "known" | "unknown";

export type Reservation =
  | { ok: true; device: DeviceKind; state: PasswordThrottleState }
  | { ok: false; device: DeviceKind; retryAfterSeconds: number };

export function emptyThrottle(): PasswordThrottleState {
  return { devices: [] };
}

/** Failures still outstanding at `nowMs`, one forgotten per `leakMs`. */
export function outstandingFailures(budget: Budget | undefined, nowMs: number, leakMs = FAILURE_LEAK_MS): number {
  if (!budget) return 0;
  return Math.max(0, budget.emptyAtMs - Math.max(nowMs, budget.atMs)) / leakMs;
}

/** The budget with one more failure at `nowMs`. */
function addFailure(budget: Budget | undefined, nowMs: number, leakMs: number): Budget {
  const atMs = Math.max(nowMs, budget?.atMs ?? nowMs);
  return { emptyAtMs: Math.max(budget?.emptyAtMs ?? atMs, atMs) + leakMs, atMs };
}

function ceilingOf(device: DeviceKind): number {
  return device === "known" ? KNOWN_DEVICE_CEILING : UNKNOWN_DEVICE_CEILING;
}

function budgetOf(state: PasswordThrottleState, deviceHash: string | undefined): { device: DeviceKind; budget: Budget | undefined } {
  const known = deviceHash === undefined ? undefined : state.devices.find((device) => device.hash === deviceHash);
  return known ? { device: "known", budget: known.budget } : { device: "unknown", budget: state.unknown };
}

function replaceBudget(state: PasswordThrottleState, device: DeviceKind, deviceHash: string | undefined, budget: Budget | undefined): PasswordThrottleState {
  if (device === "unknown") {
    const { unknown: _old, ...rest } = state;
    return budget ? { ...rest, unknown: budget } : rest;
  }
  const devices = state.devices.map((known) => {
    if (known.hash !== deviceHash) return known;
    const { budget: _old, ...rest } = known;
    return budget ? { ...rest, budget } : rest;
  });
  return { ...state, devices };
}

/**
 * Counts an attempt from the browser whose device-cookie hash is `deviceHash` (undefined: no
 * cookie) before it is evaluated, in its bucket: the device's own when the device is known, the
 * shared unknown-device bucket otherwise. A full bucket refuses the attempt unevaluated and
 * uncounted, with the seconds until it has room again.
 */
export function reservePasswordAttempt(state: PasswordThrottleState, deviceHash: string | undefined, nowMs: number): Reservation {
  const { device, budget } = budgetOf(state, deviceHash);
  // Room for one more while at most ceiling - 1 failures are outstanding.
  const overMs = budget ? budget.emptyAtMs - Math.max(nowMs, budget.atMs) - (ceilingOf(device) - 1) * FAILURE_LEAK_MS : 0;
  if (overMs > 0) return { ok: false, device, retryAfterSeconds: Math.ceil(overMs / 1000) };
  return { ok: true, device, state: replaceBudget(state, device, deviceHash, addFailure(budget, nowMs, FAILURE_LEAK_MS)) };
}

/**
 * The right password: a known device's bucket empties (its owner is back); in the shared bucket
 * only this attempt's own reservation is returned, since strangers' failures are not undone by the
 * owner (or anyone) knowing the password.
 */
export function settlePasswordSuccess(state: PasswordThrottleState, device: DeviceKind, deviceHash: string | undefined, nowMs: number): PasswordThrottleState {
  if (device === "known" || !state.unknown) return replaceBudget(state, device, deviceHash, undefined);
  const atMs = Math.max(nowMs, state.unknown.atMs);
  const emptyAtMs = state.unknown.emptyAtMs - FAILURE_LEAK_MS;
  return replaceBudget(state, "unknown", undefined, emptyAtMs > atMs ? { emptyAtMs, atMs } : undefined);
}

/**
 * Records a wrong password. From an unknown device it also counts towards the owner's notice and
 * says whether the notice is due now (the state then marks it sent); a known device's failures
 * are its owner's own typing and never notify.
 */
export function recordPasswordFailure(state: PasswordThrottleState, device: DeviceKind, nowMs: number): { noticeDue: boolean; state: PasswordThrottleState } {
  if (device !== "unknown") return { noticeDue: false, state };
  const strangers = addFailure(state.strangers, nowMs, NOTICE_LEAK_MS);
  const counted = { ...state, strangers };
  // "Reached": more than one below the threshold outstanding, so failures moments apart count whole.
  const reached = outstandingFailures(strangers, nowMs, NOTICE_LEAK_MS) > OWNER_NOTICE_AFTER_FAILURES - 1;
  const quiet = state.noticeAtMs === undefined || nowMs - state.noticeAtMs >= OWNER_NOTICE_INTERVAL_MS;
  if (!reached || !quiet) return { noticeDue: false, state: counted };
  return { noticeDue: true, state: { ...counted, noticeAtMs: nowMs } };
}

/**
 * Remembers the browser as known after a completed sign-in (or refreshes when it last signed in).
 * A newly known device starts with an empty bucket; past MAX_KNOWN_DEVICES the device that signed
 * in longest ago is forgotten.
 */
export function rememberDevice(state: PasswordThrottleState, deviceHash: string, nowMs: number): PasswordThrottleState {
  const existing = state.devices.find((device) => device.hash === deviceHash);
  const others = state.devices.filter((device) => device.hash !== deviceHash);
  const remembered: KnownDevice = { ...existing, hash: deviceHash, lastSignInMs: Math.max(nowMs, existing?.lastSignInMs ?? nowMs) };
  // The remembered one first, so a stable sort keeps it ahead of others with the same time.
  const devices = [remembered, ...others].sort((a, b) => b.lastSignInMs - a.lastSignInMs).slice(0, MAX_KNOWN_DEVICES);
  return { ...state, devices };
}
