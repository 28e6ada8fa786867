/**
 * SMS enrollment and challenge sends inside the account Durable Object. Enrolling a phone (first
 * factor, an added method, or a changed number) follows the same rule as the authenticator app
 * (mayChangeFactors: first factor, or a second factor passed in the last 10 minutes); changing an
 * active number also needs proof of the current number (`sms_proof`, set by an SMS identity
 * check in this session). Role × country is decided by the Worker (shared/policy.ts) before it
 * calls here.
 */
import { AMR_BY_METHOD } from "../../shared/claims";
import { normalizeCode, SMS_CODE_LENGTH } from "../../shared/codes";
import type { Refusal, SessionView } from "./account";
import { clearFailures, reserveAttempt } from "./account-attempts";
import { prepareRecoveryCode, storeRecoveryCode, usableMethods } from "./account-factors";
import { checkSmsCode, issueSmsCode, smsFactorOf, type Issued, type Phone, type SmsFactor, type SmsHost, type SmsRateLimited } from "./account-sms";
import { rotateSession } from "./account-sessions";
import type { ChallengeRecord } from "../domain/records";
import { testHooks } from "../lib/test-hooks";

/** Proof of the current number for a phone change: valid 10 minutes, for one session. */
export const SMS_PROOF_KEY = "sms_proof";
const SMS_PROOF_TTL_MS = 10 * 60_000;

export type EnrollSendResult = Issued | SmsRateLimited | Refusal<"not_allowed" | "current_number_unproven">;

function mayEnrollPhone(host: SmsHost, sid: string, nowMs: number): "ok" | "not_allowed" | "current_number_unproven" {
  const session = host.live(sid, nowMs);
  if (!session || !host.mayChangeFactors(session, nowMs)) return "not_allowed";
  const current = smsFactorOf(host.kv);
  if (!current || current.disabled) return "ok";
  const proof = host.kv.get<{ sid: string; atMs: number }>(SMS_PROOF_KEY);
  return proof && proof.sid === sid && nowMs - proof.atMs <= SMS_PROOF_TTL_MS ? "ok" : "current_number_unproven";
}

export async function beginSmsEnrollment(host: SmsHost, sid: string, phone: Phone, nowMs: number): Promise<EnrollSendResult> {
  const allowed = mayEnrollPhone(host, sid, nowMs);
  if (allowed !== "ok") return { ok: false, reason: allowed };
  return issueSmsCode(host, `enroll:${sid}`, phone, nowMs);
}

export type EnrollConfirmResult =
  | ({ ok: true; recoveryCode: string; phoneE164: string; replaced: SmsFactor | null } & SessionView)
  | Refusal<"not_allowed" | "current_number_unproven" | "malformed" | "throttled" | "mismatch" | "replayed" | "code_expired" | "no_code_sent">;

/** Confirms the code sent to the new number; the number becomes the account's only phone. */
export async function confirmSmsEnrollment(host: SmsHost, sid: string, code: string, nowMs: number): Promise<EnrollConfirmResult> {
  const { kv } = host;
  const allowed = mayEnrollPhone(host, sid, nowMs);
  if (allowed !== "ok") return { ok: false, reason: allowed };
  const normalized = normalizeCode(code, SMS_CODE_LENGTH);
  if (!normalized) return { ok: false, reason: "malformed" };
  // Counted like any second-factor attempt: the code proves possession of the phone.
  const reservation = reserveAttempt(kv, "sms", nowMs);
  if (!reservation.ok) return reservation;
  const outcome = await checkSmsCode(host, `enroll:${sid}`, normalized, nowMs);
  if (!outcome.ok) return { ok: false, reason: outcome.reason };
  const replacement = await prepareRecoveryCode(host.config, nowMs);
  const pause = testHooks.beforeCommit;
  if (pause) await pause("sms");
  // The code, the phone, the session and the recovery code: all written, or none.
  return host.transaction((): EnrollConfirmResult => {
    // Re-checked after the awaits: a sign-out or another change meanwhile wins.
    if (mayEnrollPhone(host, sid, nowMs) !== "ok") return { ok: false, reason: "not_allowed" };
    const session = host.live(sid, nowMs);
    if (!session || !outcome.phone || !outcome.commit()) return { ok: false, reason: "replayed" };
    const replaced = smsFactorOf(kv);
    kv.put<SmsFactor>("sms", { phoneE164: outcome.phone.e164, country: outcome.phone.country, enrolledAtMs: nowMs, disabled: false });
    kv.delete(SMS_PROOF_KEY);
    clearFailures(kv);
    const rotated = rotateSession(kv, session, "save_recovery_code", [...new Set([...session.amr, AMR_BY_METHOD.sms])], nowMs);
    const recoveryCode = storeRecoveryCode(kv, replacement);
    return { ok: true, session: rotated, recoveryCode, phoneE164: outcome.phone.e164, replaced };
  });
}

export type ChallengeSendResult = Issued | SmsRateLimited | Refusal<"no_session" | "no_challenge" | "challenge_expired" | "method_unavailable">;

/** Sends (or re-sends, invalidating the previous code) a code for one pending challenge. */
export async function sendChallengeSms(host: SmsHost, sid: string, challengeId: string, nowMs: number): Promise<ChallengeSendResult> {
  const { kv } = host;
  if (!host.live(sid, nowMs)) return { ok: false, reason: "no_session" };
  const challenge = kv.get<ChallengeRecord>(`challenge:${challengeId}`);
  if (!challenge || challenge.sid !== sid) return { ok: false, reason: "no_challenge" };
  if (challenge.expiresAtMs <= nowMs) return { ok: false, reason: "challenge_expired" };
  const factor = smsFactorOf(kv);
  if (!factor || !usableMethods(kv).includes("sms")) return { ok: false, reason: "method_unavailable" };
  return issueSmsCode(host, `challenge:${challengeId}`, { e164: factor.phoneE164, country: factor.country }, nowMs);
}
