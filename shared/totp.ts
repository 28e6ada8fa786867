/**
 * TOTP (RFC 6238) behind a small facade over otplib: generate, verify within a ±1 step window
 * returning the matched time step (the caller stores it to refuse replays), and a wide drift
 * probe used only to explain a wrong clock. Time always comes in as `nowMs`; nothing here reads
 * the clock.
 */
import { generate } from "otplib";
import { constantTimeEqualStrings } from "./codes";
import type { ResolvedTotpParams, TotpParams } from "./totp-params";
import {
  SECRET_BYTES,
  assertPeriodSeconds,
  assertTotpSecret,
  resolveTotpParams,
} from "./totp-params";
import { generateRandomBytes } from "./webcrypto";

export type { TotpAlgorithm, TotpParams } from "./totp-params";
export {
  MAX_PERIOD_SECONDS,
  MAX_SECRET_BYTES,
  MIN_PERIOD_SECONDS,
  MIN_SECRET_BYTES,
  SECRET_BYTES,
  TOTP_ALGORITHMS,
} from "./totp-params";

export type TotpVerifyResult =
  | { ok: true; timeStep: number }
  | { ok: false; reason: "malformed" | "mismatch" };

export interface TotpDrift {
  /** Steps between the server's clock and the device's; positive = device ahead. */
  driftSteps: number;
  driftSeconds: number;
}

/** Upper bound on any search window, so a caller mistake cannot turn into unbounded HMAC work. */
export const MAX_SEARCH_STEPS = 60;

const DEFAULT_WINDOW_STEPS = 1;
const DEFAULT_PROBE_STEPS = 10;

const OTPLIB_ALGORITHM = { SHA1: "sha1", SHA256: "sha256", SHA512: "sha512" } as const;

/** A new random TOTP key (20 bytes from the platform CSPRNG). */
export function generateTotpSecret(): Uint8Array {
  return generateRandomBytes(SECRET_BYTES);
}

/** The RFC 6238 time step counter T = floor(unix seconds / period) at `nowMs`. */
export function timeStepAt(nowMs: number, periodSeconds = 30): number {
  assertNowMs(nowMs);
  assertPeriodSeconds(periodSeconds);
  return Math.floor(Math.floor(nowMs / 1000) / periodSeconds);
}

/** The code an authenticator app shows at `nowMs`. */
export async function generateTotp(
  secret: Uint8Array,
  nowMs: number,
  params?: TotpParams,
): Promise<string> {
  const resolved = resolveTotpParams(params);
  assertTotpSecret(secret);
  return generateForStep(secret, timeStepAt(nowMs, resolved.periodSeconds), resolved);
}

/** The code for an absolute time step (HOTP with counter = `timeStep`). */
export async function generateTotpForStep(
  secret: Uint8Array,
  timeStep: number,
  params?: TotpParams,
): Promise<string> {
  const resolved = resolveTotpParams(params);
  assertTotpSecret(secret);
  if (!Number.isSafeInteger(timeStep) || timeStep < 0) {
    throw new TypeError("timeStep must be a non-negative integer");
  }
  return generateForStep(secret, timeStep, resolved);
}

/**
 * Checks `code` against the current step and `windowSteps` steps either side (default 1).
 * Every candidate is computed and compared in constant time, so timing does not reveal which
 * step matched; when several match, the one nearest the current step wins (current first, then
 * the past). The caller must still refuse a `timeStep` at or below the last one it accepted.
 */
export async function verifyTotp(
  secret: Uint8Array,
  code: string,
  nowMs: number,
  params?: TotpParams & { windowSteps?: number },
): Promise<TotpVerifyResult> {
  const resolved = resolveTotpParams(params);
  assertTotpSecret(secret);
  const windowSteps = params?.windowSteps ?? DEFAULT_WINDOW_STEPS;
  assertSearchSteps("windowSteps", windowSteps, 0);
  const currentStep = timeStepAt(nowMs, resolved.periodSeconds);
  if (!isWellFormedCode(code, resolved.digits)) return { ok: false, reason: "malformed" };

  const offsets = listOffsetsNearestFirst(0, windowSteps);
  const matchedOffset = await findMatchingOffset(secret, code, currentStep, offsets, resolved);
  if (matchedOffset === null) return { ok: false, reason: "mismatch" };
  return { ok: true, timeStep: currentStep + matchedOffset };
}

/**
 * After a failed verification, looks for `code` further away (beyond `windowSteps`, up to
 * `probeSteps`, default 10) to tell the person their device clock is off. Never treat a hit as
 * authentication: a wide window is exactly what verification must not accept.
 */
export async function probeTotpDrift(
  secret: Uint8Array,
  code: string,
  nowMs: number,
  params?: TotpParams & { probeSteps?: number; windowSteps?: number },
): Promise<TotpDrift | null> {
  const resolved = resolveTotpParams(params);
  assertTotpSecret(secret);
  const windowSteps = params?.windowSteps ?? DEFAULT_WINDOW_STEPS;
  const probeSteps = params?.probeSteps ?? DEFAULT_PROBE_STEPS;
  assertSearchSteps("windowSteps", windowSteps, 0);
  assertSearchSteps("probeSteps", probeSteps, windowSteps + 1);
  const currentStep = timeStepAt(nowMs, resolved.periodSeconds);
  if (!isWellFormedCode(code, resolved.digits)) return null;

  const offsets = listOffsetsNearestFirst(windowSteps + 1, probeSteps);
  const driftSteps = await findMatchingOffset(secret, code, currentStep, offsets, resolved);
  if (driftSteps === null) return null;
  return { driftSteps, driftSeconds: driftSteps * resolved.periodSeconds };
}

/** A friendly hint for a person whose code matched a drifted step. */
export function describeDrift(driftSeconds: number): string {
  if (!Number.isFinite(driftSeconds)) throw new TypeError("driftSeconds must be finite");
  const direction = driftSeconds > 0 ? "ahead" : "behind";
  const seconds = Math.abs(driftSeconds);
  if (seconds < 30) return "Your device clock looks right.";
  return `Your device clock looks about ${describeDuration(seconds)} ${direction}.`;
}

function describeDuration(seconds: number): string {
  if (seconds < 90) return seconds < 60 ? `${Math.round(seconds)} seconds` : "1 minute";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? "1 hour" : `${hours} hours`;
}

/** Offsets 0 (when from = 0), -1, +1, -2, +2 ... with from <= |offset| <= to. */
function listOffsetsNearestFirst(from: number, to: number): number[] {
  const offsets: number[] = from === 0 ? [0] : [];
  for (let distance = Math.max(from, 1); distance <= to; distance++) {
    offsets.push(-distance, distance);
  }
  return offsets;
}

/** First offset (in the given preference order) whose code equals `code`; no early exit. */
async function findMatchingOffset(
  secret: Uint8Array,
  code: string,
  currentStep: number,
  offsets: readonly number[],
  params: ResolvedTotpParams,
): Promise<number | null> {
  const candidates = offsets.filter((offset) => currentStep + offset >= 0);
  const expected = await Promise.all(
    candidates.map((offset) => generateForStep(secret, currentStep + offset, params)),
  );
  let matched: number | null = null;
  for (const [index, candidate] of expected.entries()) {
    const equal = constantTimeEqualStrings(candidate, code);
    if (equal && matched === null) matched = candidates[index] ?? null;
  }
  return matched;
}

async function generateForStep(
  secret: Uint8Array,
  timeStep: number,
  params: ResolvedTotpParams,
): Promise<string> {
  // Passing the step's start as epoch makes otplib's counter exactly `timeStep`. The secret goes
  // in as bytes: otplib would read a string secret as Base32.
  return generate({
    secret,
    epoch: timeStep * params.periodSeconds,
    period: params.periodSeconds,
    digits: params.digits,
    algorithm: OTPLIB_ALGORITHM[params.algorithm],
  });
}

function isWellFormedCode(code: string, digits: number): boolean {
  return typeof code === "string" && code.length === digits && /^[0-9]+$/.test(code);
}

function assertNowMs(nowMs: number): void {
  if (!Number.isFinite(nowMs) || nowMs < 0) {
    throw new TypeError("nowMs must be a finite, non-negative number");
  }
}

function assertSearchSteps(name: string, steps: number, min: number): void {
  if (!Number.isInteger(steps) || steps < min || steps > MAX_SEARCH_STEPS) {
    throw new TypeError(`${name} must be an integer from ${min} to ${MAX_SEARCH_STEPS}`);
  }
}
