/**
 * SMS codes inside the account Durable Object. A code is stored only as HMAC-SHA-256(pepper,
 * binding | number | code), where the binding names what asked for it (`challenge:<id>`,
 * `enroll:<sid>`, `identity:<sid>`): a code works only for that attempt and that number. One
 * pending code per binding, so a resend replaces (invalidates) the previous one; the failure
 * counter (account-attempts.ts) is untouched by sends. Each check does its hashing first and
 * returns a synchronous `commit` that re-reads and deletes the code: single use under any
 * concurrency.
 */
import { constantTimeEqualStrings, generateSmsCode } from "../../shared/codes";
import type { Method } from "../../shared/protocol";
import type { Config } from "../config";
import type { SessionRecord } from "../domain/records";
import { decideSmsSend } from "../domain/sms-throttle";
import { keyedHash } from "../lib/slowhash";
import { checkRecovery, checkTotp, type CheckResult } from "./account-factors";

/** The enrolled phone (`sms`). */
export interface SmsFactor {
  phoneE164: string;
  country: string;
  enrolledAtMs: number;
  disabled: boolean;
}

/** A code waiting to be entered (`sms_code:<binding>`). */
interface PendingSmsCode {
  hash: string;
  phoneE164: string;
  country: string;
  sentAtMs: number;
  expiresAtMs: number;
}

export interface Phone {
  e164: string;
  country: string;
}

/** What the account object lends these functions (its storage, config and private checks). */
export interface SmsHost {
  kv: SyncKvStorage;
  config: Config;
  accountId: string;
  live(sid: string, nowMs: number): SessionRecord | null;
  /** Runs `block` as one storage transaction: all its writes happen, or none (it threw). */
  transaction<T>(block: () => T): T;
  mayChangeFactors(session: SessionRecord, nowMs: number): boolean;
  /** The per-number send gate: the Durable Object named `sms-number:<e164>`. */
  reserveNumberSend(e164: string, nowMs: number): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;
}

export type SmsRateLimited = { ok: false; reason: "sms_rate_limited"; retryAfterSeconds: number };
export type Issued = { ok: true; code: string; phoneE164: string };
export type SmsCheckResult = CheckResult | { ok: false; reason: "code_expired" | "no_code_sent" };

const CODE_PREFIX = "sms_code:";
export const ACCOUNT_SENDS_KEY = "sms_sends";
export const NUMBER_SENDS_KEY = "sms_number_sends";

function hashInput(binding: string, e164: string, code: string): string {
  return `stepgate-sms-v1|${binding}|${e164}|${code}`;
}

/**
 * A resend for the same binding must wait SMS_RESEND_AFTER_SECONDS; sends are counted per account
 * per hour (here, synchronously, before any await) and per number per hour (another object); only
 * then is a code drawn and its hash stored, replacing any code for `binding`.
 * Returns the plain code for the caller to send; it is never stored.
 */
export async function issueSmsCode(host: SmsHost, binding: string, phone: Phone, nowMs: number): Promise<Issued | SmsRateLimited> {
  const { kv, config } = host;
  // A resend for the same attempt waits SMS_RESEND_AFTER_SECONDS; the hourly caps bound the rest.
  const previous = kv.get<PendingSmsCode>(`${CODE_PREFIX}${binding}`);
  const resendAtMs = previous ? previous.sentAtMs + config.messaging.smsResendAfterSeconds * 1000 : 0;
  if (resendAtMs > nowMs) return { ok: false, reason: "sms_rate_limited", retryAfterSeconds: Math.ceil((resendAtMs - nowMs) / 1000) };
  const limits = { minGapSeconds: 0, maxPerHour: config.messaging.smsMaxPerHourPerAccount };
  const decision = decideSmsSend(kv.get<number[]>(ACCOUNT_SENDS_KEY) ?? [], nowMs, limits);
  if (!decision.ok) return { ok: false, reason: "sms_rate_limited", retryAfterSeconds: decision.retryAfterSeconds };
  kv.put(ACCOUNT_SENDS_KEY, decision.sentAtMs);
  const numberGate = await host.reserveNumberSend(phone.e164, nowMs);
  if (!numberGate.ok) return { ok: false, reason: "sms_rate_limited", retryAfterSeconds: numberGate.retryAfterSeconds };
  const code = generateSmsCode();
  const hash = await keyedHash(hashInput(binding, phone.e164, code), config.pepper);
  sweepExpiredCodes(kv, nowMs);
  const pending: PendingSmsCode = { hash, phoneE164: phone.e164, country: phone.country, sentAtMs: nowMs, expiresAtMs: nowMs + config.smsCodeTtlSeconds * 1000 };
  kv.put(`${CODE_PREFIX}${binding}`, pending);
  return { ok: true, code, phoneE164: phone.e164 };
}

/** Checks a code for `binding`. Valid up to and including `expiresAtMs` (10:00 yes, 10:01 no). */
export async function checkSmsCode(host: SmsHost, binding: string, code: string, nowMs: number): Promise<SmsCheckResult & { phone?: Phone }> {
  const key = `${CODE_PREFIX}${binding}`;
  const pending = host.kv.get<PendingSmsCode>(key);
  if (!pending) return { ok: false, reason: "no_code_sent" };
  if (nowMs > pending.expiresAtMs) return { ok: false, reason: "code_expired" };
  const candidate = await keyedHash(hashInput(binding, pending.phoneE164, code), host.config.pepper);
  if (!constantTimeEqualStrings(candidate, pending.hash)) return { ok: false, reason: "mismatch" };
  return {
    ok: true,
    phone: { e164: pending.phoneE164, country: pending.country },
    commit: () => {
      // Only the very code that matched, and only once: a resend or a concurrent use wins.
      const current = host.kv.get<PendingSmsCode>(key);
      if (!current || current.hash !== pending.hash) return false;
      host.kv.delete(key);
      return true;
    },
  };
}

/** One entry point for the three methods; `binding` matters only for SMS. */
export async function checkFactor(host: SmsHost, method: Method, binding: string, code: string, nowMs: number): Promise<SmsCheckResult> {
  switch (method) {
    case "totp":
      return checkTotp(host.kv, host.accountId, host.config, code, nowMs);
    case "sms":
      return checkSmsCode(host, binding, code, nowMs);
    case "recovery":
      return checkRecovery(host.kv, host.config, code);
  }
}

/** The per-number gate's own state, in the object named `sms-number:<e164>`. */
export function reserveNumberSend(kv: SyncKvStorage, config: Config, nowMs: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
  const limits = { minGapSeconds: 0, maxPerHour: config.messaging.smsMaxPerHourPerNumber };
  const decision = decideSmsSend(kv.get<number[]>(NUMBER_SENDS_KEY) ?? [], nowMs, limits);
  if (!decision.ok) return decision;
  kv.put(NUMBER_SENDS_KEY, decision.sentAtMs);
  return { ok: true };
}

function sweepExpiredCodes(kv: SyncKvStorage, nowMs: number): void {
  for (const [key, pending] of [...kv.list<PendingSmsCode>({ prefix: CODE_PREFIX })]) {
    if (pending.expiresAtMs < nowMs) kv.delete(key);
  }
}

export function smsFactorOf(kv: SyncKvStorage): SmsFactor | null {
  return kv.get<SmsFactor>("sms") ?? null;
}
