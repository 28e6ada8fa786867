/**
 * Self-service changes inside the account Durable Object (settings → Password & Security):
 * re-verifying identity in a signed-in session (which opens the 10-minute window for changes),
 * and replacing the recovery code. Same atomicity rules as a challenge: the attempt is reserved
 * before any await, the factor's commit and the session rotation run in one synchronous block.
 */
import { AMR_BY_METHOD } from "../../shared/claims";
import { normalizeCode, RECOVERY_CODE_LENGTH, SMS_CODE_LENGTH } from "../../shared/codes";
import type { Method, NextStep } from "../../shared/protocol";
import type { SessionRecord } from "../domain/records";
import type { Refusal, SessionView } from "./account";
import { clearFailures, disableIfCapped, reserveAttempt } from "./account-attempts";
import { hasAnyFactor, prepareRecoveryCode, storeRecoveryCode, usableMethods } from "./account-factors";
import { checkFactor, issueSmsCode, smsFactorOf, type Issued, type SmsHost, type SmsRateLimited } from "./account-sms";
import { SMS_PROOF_KEY } from "./account-sms-enroll";
import { rotateSession } from "./account-sessions";
import { testHooks } from "../lib/test-hooks";

export type IdentitySendResult = Issued | SmsRateLimited | Refusal<"not_allowed" | "method_unavailable">;

/**
 * Sessions that may verify their identity: signed in (`done`), or at the save step, where a new
 * recovery code after the 10-minute window needs a fresh second factor first (domain/fresh-mfa.ts).
 */
function mayVerifyIdentity(session: SessionRecord | null): session is SessionRecord {
  return session !== null && (session.stage === "done" || session.stage === "save_recovery_code");
}

/** Sends a code to the current number to verify identity in a signed-in session. */
export async function sendIdentitySms(host: SmsHost, sid: string, nowMs: number): Promise<IdentitySendResult> {
  const session = host.live(sid, nowMs);
  if (!mayVerifyIdentity(session)) return { ok: false, reason: "not_allowed" };
  const factor = smsFactorOf(host.kv);
  if (!factor || !usableMethods(host.kv).includes("sms")) return { ok: false, reason: "method_unavailable" };
  return issueSmsCode(host, `identity:${sid}`, { e164: factor.phoneE164, country: factor.country }, nowMs);
}

export type IdentityResult =
  | ({ ok: true; next: NextStep; recoveryCode?: string } & SessionView)
  | Refusal<"not_allowed" | "method_unavailable" | "malformed" | "throttled" | "mismatch" | "replayed" | "code_expired" | "no_code_sent">;

/**
 * A fresh second factor in a `done` session (or one at the save step, which stays there): rotates
 * the session with `mfaAtMs = now`. An SMS code also proves the current number (needed to change
 * it). A recovery code is consumed and replaced, and the session goes to the save step, as at sign-in.
 */
export async function verifyIdentity(host: SmsHost, sid: string, method: Method, code: string, nowMs: number): Promise<IdentityResult> {
  const { kv } = host;
  const session = host.live(sid, nowMs);
  if (!mayVerifyIdentity(session)) return { ok: false, reason: "not_allowed" };
  if (!usableMethods(kv).includes(method)) return { ok: false, reason: "method_unavailable" };
  const normalized = normalizeCode(code, method === "recovery" ? RECOVERY_CODE_LENGTH : SMS_CODE_LENGTH);
  if (!normalized) return { ok: false, reason: "malformed" };
  const reservation = reserveAttempt(kv, method, nowMs);
  if (!reservation.ok) return reservation;
  const outcome = await checkFactor(host, method, `identity:${sid}`, normalized, nowMs);
  if (!outcome.ok) {
    disableIfCapped(kv, method);
    return outcome;
  }
  // A used recovery code is replaced in the block that consumes it; its slow hash comes first.
  const replacement = method === "recovery" ? await prepareRecoveryCode(host.config, nowMs) : null;
  const pause = testHooks.beforeCommit;
  if (pause) await pause(method);
  return host.transaction((): IdentityResult => {
    const current = host.live(sid, nowMs);
    if (!mayVerifyIdentity(current)) return { ok: false, reason: "not_allowed" };
    if (!outcome.commit()) return { ok: false, reason: "replayed" };
    clearFailures(kv);
    const next: NextStep = replacement ? "save_recovery_code" : current.stage;
    const rotated = rotateSession(kv, current, next, [...new Set([...current.amr, AMR_BY_METHOD[method]])], nowMs);
    if (method === "sms") kv.put(SMS_PROOF_KEY, { sid: rotated.sid, atMs: nowMs });
    if (!replacement) return { ok: true, next, session: rotated };
    return { ok: true, next, session: rotated, recoveryCode: storeRecoveryCode(kv, replacement) };
  });
}

/** A new recovery code on request (fresh MFA needed); the old one stops working at once. */
export async function replaceRecoveryCode(host: SmsHost, sid: string, nowMs: number): Promise<({ ok: true; recoveryCode: string } & SessionView) | Refusal<"not_allowed">> {
  const session = host.live(sid, nowMs);
  if (!session || session.stage !== "done" || !hasAnyFactor(host.kv) || !host.mayChangeFactors(session, nowMs)) return { ok: false, reason: "not_allowed" };
  const replacement = await prepareRecoveryCode(host.config, nowMs);
  // The new code and the save step together: never a stored code the person was not shown.
  return host.transaction(() => {
    // Re-read after the hash: the session must still exist; it now waits for "I have saved it".
    const current = host.live(sid, nowMs);
    if (!current) return { ok: false, reason: "not_allowed" } as const;
    const recoveryCode = storeRecoveryCode(host.kv, replacement);
    current.stage = "save_recovery_code";
    host.kv.put(`session:${sid}`, current);
    return { ok: true, session: current, recoveryCode } as const;
  });
}
