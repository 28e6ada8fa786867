/**
 * The enrolled second factors in the account Durable Object: which are usable, and the checks
 * for a TOTP or recovery code. A check does its slow crypto first and returns a synchronous
 * `commit` that re-reads state, so the check-and-mark is atomic.
 */
import { generateRecoveryCode } from "../../shared/codes";
import type { Method } from "../../shared/protocol";
import { verifyTotp } from "../../shared/totp";
import type { Config } from "../config";
import type { RecoveryFactor, TotpFactor } from "../domain/records";
import { open } from "../lib/secretbox";
import { hashSecret, verifySecret } from "../lib/slowhash";

/** The storage key of each method's factor record. */
export const FACTOR_KEYS: Record<Method, string> = { totp: "totp", sms: "sms", recovery: "recovery" };
const ORDER: Method[] = ["totp", "sms", "recovery"];

export function hasAnyFactor(kv: SyncKvStorage): boolean {
  return ORDER.some((method) => kv.get(FACTOR_KEYS[method]) !== undefined);
}

/** Methods that can pass a challenge now (enrolled and not disabled), app first. */
export function usableMethods(kv: SyncKvStorage): Method[] {
  return ORDER.filter((method) => {
    const factor = kv.get<{ disabled: boolean }>(FACTOR_KEYS[method]);
    return factor !== undefined && !factor.disabled;
  });
}

export type CheckResult = { ok: true; commit: () => boolean } | { ok: false; reason: "mismatch" };

/** Verifies a TOTP code; `commit` refuses a step at or before the last accepted one. */
export async function checkTotp(kv: SyncKvStorage, accountId: string, config: Config, code: string, nowMs: number): Promise<CheckResult> {
  const factor = kv.get<TotpFactor>("totp");
  const secret = factor ? await open(factor.box, accountId, config.dataKeys) : null;
  if (!factor || !secret) throw new Error("TOTP secret unavailable");
  const result = await verifyTotp(secret, code, nowMs);
  if (!result.ok) return { ok: false, reason: "mismatch" };
  return {
    ok: true,
    commit: () => {
      const lastStep = kv.get<number>("totp_last_step") ?? -1;
      if (result.timeStep <= lastStep) return false;
      kv.put("totp_last_step", result.timeStep);
      return true;
    },
  };
}

/** Verifies a recovery code; `commit` consumes it only if it is still the stored one. */
export async function checkRecovery(kv: SyncKvStorage, config: Config, code: string): Promise<CheckResult> {
  const factor = kv.get<RecoveryFactor>("recovery");
  if (!factor || !(await verifySecret(code, factor.hash, config.pepper))) return { ok: false, reason: "mismatch" };
  return {
    ok: true,
    commit: () => {
      const current = kv.get<RecoveryFactor>("recovery");
      if (!current || current.hash.hash !== factor.hash.hash) return false;
      kv.delete("recovery");
      return true;
    },
  };
}

/** A new recovery code with the record that will hold only its hash. */
export interface PreparedRecoveryCode {
  code: string;
  record: RecoveryFactor;
}

/**
 * Draws a recovery code and does its slow hash, before the commit that stores it: a factor, a
 * used code and its replacement are then written in one synchronous transaction.
 */
export async function prepareRecoveryCode(config: Config, nowMs: number): Promise<PreparedRecoveryCode> {
  const code = generateRecoveryCode();
  return { code, record: { hash: await hashSecret(code, config.pepper, 1), createdAtMs: nowMs, disabled: false } };
}

/** Stores a prepared code; it replaces any previous one at once. Returns the code to show once. */
export function storeRecoveryCode(kv: SyncKvStorage, prepared: PreparedRecoveryCode): string {
  kv.put<RecoveryFactor>("recovery", prepared.record);
  return prepared.code;
}

/** A fresh recovery code replaces any previous one at once; only its hash is kept. */
export async function issueRecoveryCode(kv: SyncKvStorage, config: Config, nowMs: number): Promise<string> {
  return storeRecoveryCode(kv, await prepareRecoveryCode(config, nowMs));
}
