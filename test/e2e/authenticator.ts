// A stand-in for the person's authenticator app: RFC 6238 TOTP (HMAC-SHA-1, 6 digits, 30 s steps)
// written with node:crypto, independent of shared/totp, so the end-to-end tests check the Worker
// against a second implementation rather than against itself.
import { createHmac } from "node:crypto";

const PERIOD_SECONDS = 30;
const DIGITS = 6;
const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** Below this many seconds left in a step, its predecessor may drop out of the ±1 window in flight. */
const MIN_SECONDS_LEFT_FOR_PREVIOUS = 8;

/** RFC 4648 Base32 as typed from the manual key: spaces, dashes, padding and case are ignored. */
export function decodeBase32(typed: string): Buffer {
  const text = typed.replace(/[\s=-]/g, "").toUpperCase();
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of text) {
    const index = BASE32_ALPHABET.indexOf(char);
    if (index < 0) throw new TypeError(`not a Base32 character: ${JSON.stringify(char)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

export function timeStepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / PERIOD_SECONDS);
}

/** HOTP (RFC 4226) with counter = `step`, truncated to 6 digits. */
export function totpForStep(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, "0");
}

export interface Authenticator {
  secret: Buffer;
  /** The newest time step whose code this app has handed out (the gateway accepts each step once). */
  lastStep: number;
}

export function createAuthenticator(manualKey: string): Authenticator {
  return { secret: decodeBase32(manualKey), lastStep: -1 };
}

/**
 * A code the gateway has not accepted yet for this account, marked as used. The gateway accepts
 * the previous, current and next step, each once per account; like a person typing a code just as
 * it rolls over, this takes the previous step's code when that is still unused and safely inside
 * the window, else the current one, else waits for the next step (at most 30 s).
 */
export async function nextCode(app: Authenticator, nowMs: () => number = Date.now): Promise<string> {
  for (;;) {
    const now = nowMs();
    const step = timeStepAt(now);
    const secondsLeft = PERIOD_SECONDS - (now / 1000) % PERIOD_SECONDS;
    const candidate = step - 1 > app.lastStep && secondsLeft > MIN_SECONDS_LEFT_FOR_PREVIOUS ? step - 1 : step;
    if (candidate > app.lastStep) {
      app.lastStep = candidate;
      return totpForStep(app.secret, candidate);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(secondsLeft * 1000) + 50));
  }
}

/** A 6-digit code that matches none of the steps the gateway would accept right now. */
export function wrongCode(app: Authenticator, nowMs = Date.now()): string {
  const step = timeStepAt(nowMs);
  const valid = new Set([-2, -1, 0, 1, 2].map((offset) => totpForStep(app.secret, step + offset)));
  for (let n = 0; ; n++) {
    const code = String((123_456 + n * 7_919) % 1_000_000).padStart(DIGITS, "0");
    if (!valid.has(code)) return code;
  }
}

/**
 * The next code the gateway accepts (steps -1..+1, each once, increasing), including the next
 * step's as an app whose clock runs ahead would show it; waits only if none is left. For flows
 * that need several codes in a row and are not about the person's timing.
 */
export async function codeAhead(app: Authenticator): Promise<string> {
  for (;;) {
    const now = Date.now();
    const step = Math.max(app.lastStep + 1, timeStepAt(now) - 1);
    // Accepted now (at most the next step) and still in 5 s, when the window may have moved on.
    if (step <= timeStepAt(now) + 1 && step >= timeStepAt(now + 5_000) - 1) {
      app.lastStep = step;
      return totpForStep(app.secret, step);
    }
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (now % 30_000) + 100));
  }
}
