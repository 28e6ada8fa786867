/**
 * What an admin MFA reset removes from the account Durable Object. It is a keep-list, not a
 * delete-list: everything except the password verifier, its throttle (less the known devices:
 * account-password.ts), the decoy hash and the deactivation mark goes, so a factor kind added
 * later (SMS, a new pending set-up, grants) can never survive a reset by being forgotten here.
 * Synchronous: run inside one transaction.
 */
import { forgetKnownDevices, PASSWORD_THROTTLE_KEY } from "./account-password";
import { endAllSessions } from "./account-sessions";

const KEPT_KEYS = new Set(["password", PASSWORD_THROTTLE_KEY, "decoy", "inactive"]);

export function resetFactors(kv: SyncKvStorage): { sessionsEnded: number } {
  const sessionsEnded = endAllSessions(kv);
  // Materialised first: only one kv.list() iterator may be open at a time.
  const keys = [...kv.list()].map(([key]) => key);
  for (const key of keys) if (!KEPT_KEYS.has(key)) kv.delete(key);
  forgetKnownDevices(kv);
  return { sessionsEnded };
}
