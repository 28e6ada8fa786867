/**
 * A small reference model of one account's sign-in / verify / enroll / reset rules, written from
 * SPEC.md and docs/decisions/0003, 0004 and 0007 (not from worker/do/): what each step answers and
 * what it leaves behind. The real account Durable Object is compared with it after every command
 * (account-model.test.ts). Codes come from the shared TOTP core, which has its own RFC vectors.
 *
 * Rules modelled, with their literals pinned here:
 * - second-factor failures have a per-account counter: 4 free failures, then waits of 1, 2, 4 ...
 *   seconds capped at 15 minutes; an attempt during a wait is refused unevaluated and not counted;
 *   a success clears the counter;
 * - passwords from a browser that never signed in (these commands send no device cookie) share the
 *   account's unknown-device budget (decision 0003): every attempt is counted before it is
 *   evaluated, at most 20 failures outstanding, one forgotten every 15 minutes; an attempt with the
 *   budget full is refused unevaluated with the seconds until there is room; the right password
 *   gives back its own attempt only (strangers' failures stay);
 * - a login challenge lives 10 minutes; TOTP accepts the current step and one either side, nearest
 *   first, and never a step at or before the last accepted one (a replay still counts as a failure);
 * - a recovery code works once, and using it issues a new one that must be saved;
 * - a first factor may be set up from an `enroll` or `done` session; replacing one needs a `done`
 *   session whose second factor is at most 10 minutes old; a pending set-up lives 15 minutes and
 *   belongs to the session that started it; confirming issues a new recovery code;
 * - an admin reset removes every factor, pending set-up, failure count and session (the password
 *   and its throttle stay).
 */
export const FREE_FAILURES = 4;
export const UNKNOWN_DEVICE_PASSWORD_CEILING = 20;
export const PASSWORD_FAILURE_LEAK_MS = 15 * 60_000;
export const MAX_WAIT_SECONDS = 900;
export const CHALLENGE_TTL_MS = 10 * 60_000;
export const FRESH_MFA_MS = 10 * 60_000;
export const PENDING_TOTP_TTL_MS = 15 * 60_000;
export const TOTP_PERIOD_MS = 30_000;

export type Stage = "mfa" | "enroll" | "save_recovery_code" | "done";

export interface Counter {
  consecutive: number;
  nextAllowedAtMs: number;
}

export interface ModelSession {
  sid: string;
  stage: Stage;
  mfaAtMs?: number;
  /** The login challenge this client holds (its id is the real system's, copied). */
  challenge?: { id: string; expiresAtMs: number };
}

export interface Model {
  nowMs: number;
  /** The unknown-device password budget: when it would be empty if nothing were added (0: empty). */
  passwordBudgetEmptyAtMs: number;
  factorFailures: Counter;
  /** The client's current session, or null before sign-in; `alive` false once reset ended it. */
  session: (ModelSession & { alive: boolean }) | null;
  /** Sessions the account holds (a new sign-in adds one; passing MFA replaces one). */
  liveSessions: number;
  totp: { secret: Uint8Array } | null;
  lastTotpStep: number;
  pendingTotp: { secret: Uint8Array; sid: string; createdAtMs: number } | null;
  recovery: { code: string } | null;
  usedRecoveryCodes: string[];
}

export function initialModel(nowMs: number): Model {
  return {
    nowMs,
    passwordBudgetEmptyAtMs: 0,
    factorFailures: { consecutive: 0, nextAllowedAtMs: 0 },
    session: null,
    liveSessions: 0,
    totp: null,
    lastTotpStep: -1,
    pendingTotp: null,
    recovery: null,
    usedRecoveryCodes: [],
  };
}

export function waitSeconds(consecutive: number): number {
  return consecutive <= FREE_FAILURES ? 0 : Math.min(2 ** (consecutive - FREE_FAILURES - 1), MAX_WAIT_SECONDS);
}

/** Counts a failure (or a reserved attempt) at `nowMs`. */
export function countFailure(counter: Counter, nowMs: number): Counter {
  const consecutive = counter.consecutive + 1;
  return { consecutive, nextAllowedAtMs: nowMs + waitSeconds(consecutive) * 1000 };
}

export function stepAt(nowMs: number): number {
  return Math.floor(nowMs / TOTP_PERIOD_MS);
}

export function hasAnyFactor(model: Model): boolean {
  return model.totp !== null || model.recovery !== null;
}

/** Methods a challenge offers, app first. */
export function usableMethods(model: Model): string[] {
  return [...(model.totp ? ["totp"] : []), ...(model.recovery ? ["recovery"] : [])];
}

/** The session the client holds, if the account still has it. */
export function liveSession(model: Model): ModelSession | null {
  return model.session?.alive ? model.session : null;
}

/** Adding or replacing a factor from this session now (the 10-minute fresh-MFA rule). */
export function mayChangeFactors(model: Model): boolean {
  const session = liveSession(model);
  if (!session) return false;
  if (!hasAnyFactor(model)) return session.stage === "enroll" || session.stage === "done";
  return session.stage === "done" && session.mfaAtMs !== undefined && model.nowMs - session.mfaAtMs <= FRESH_MFA_MS;
}
