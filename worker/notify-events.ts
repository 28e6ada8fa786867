/**
 * When and how a person is told about a security event. Email is preferred because no
 * verification ever uses it (so it is always "a channel other than the one just used"); without an
 * email provider the notice goes by SMS to the enrolled phone, unless SMS was the channel just
 * used. Notices never contain a code. Awaited so delivery is ordered with the response; a failed
 * delivery is logged by the notifier and never fails the request.
 */
import type { Context } from "hono";
import type { UserRecord } from "./domain/records";
import type { AppEnv } from "./env";
import type { SecurityEvent } from "./notify";

/** Failures in a row after a correct password that trigger a notice: the 5th, then every 25th. */
export const FAILED_ATTEMPTS_NOTICE_AT = 5;
const FAILED_ATTEMPTS_NOTICE_EVERY = 25;

export async function notifySecurityEvent(c: Context<AppEnv>, user: UserRecord, event: SecurityEvent, usedChannel?: "sms"): Promise<void> {
  const { notifier } = c.var.ports;
  const channels = notifier.channels();
  if (channels.includes("email")) return notifier.notify(user, event, "email");
  if (usedChannel === "sms" || !channels.includes("sms")) return;
  const factor = await c.var.ports.account(user.id).smsFactor();
  if (factor && !factor.disabled) await notifier.notify({ ...user, phone: factor.phoneE164 }, event, "sms");
}

/** After a failed second-factor attempt: a notice at the 5th failure in a row, then every 25th. */
export async function noticeFailedAttempts(c: Context<AppEnv>, user: UserRecord, reason: string): Promise<void> {
  if (reason !== "mismatch" && reason !== "replayed" && reason !== "code_expired") return;
  const count = await c.var.ports.account(user.id).consecutiveFailures();
  const due = count === FAILED_ATTEMPTS_NOTICE_AT || (count > FAILED_ATTEMPTS_NOTICE_AT && (count - FAILED_ATTEMPTS_NOTICE_AT) % FAILED_ATTEMPTS_NOTICE_EVERY === 0);
  if (due) await notifySecurityEvent(c, user, "failed_attempts");
}
