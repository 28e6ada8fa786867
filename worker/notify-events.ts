/**
 * When and how a person is told about a security event. Email is preferred because no
 * verification ever uses it (so it is always "a channel other than the one just used"); without an
 * email provider the notice goes by SMS to the enrolled phone, unless SMS was the channel just
 * used. Notices never contain a code. A notice never holds up or fails the person's action
 * (deliverNotice); a lost notice is logged.
 */
import type { Context } from "hono";
import type { UserRecord } from "./domain/records";
import type { AppEnv } from "./env";
import type { SecurityEvent } from "./notify";

/** Failures in a row after a correct password that trigger a notice: the 5th, then every 25th. */
export const FAILED_ATTEMPTS_NOTICE_AT = 5;
const FAILED_ATTEMPTS_NOTICE_EVERY = 25;

/**
 * The response waits for a notice at most this long, so a working provider's notice normally goes
 * out before the answer; past it the answer goes, and the delivery continues after the response
 * (waitUntil) until the provider's own limit (PROVIDER_TIMEOUT_MS).
 */
const NOTICE_HEAD_START_MS = 1000;

/** Lets `delivery` run without holding up or failing the request; a failure is logged, never thrown. */
export function deliverNotice(c: Context<AppEnv>, event: SecurityEvent, delivery: Promise<void>): Promise<void> {
  const settled = delivery.catch((error: unknown) => {
    console.error("stepgate: notice not delivered", event, error instanceof Error ? error.name : "unknown");
  });
  try {
    c.executionCtx.waitUntil(settled);
  } catch {
    // no execution context (unit tests): the delivery still runs
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const headStart = new Promise<void>((resolve) => (timer = setTimeout(resolve, NOTICE_HEAD_START_MS)));
  return Promise.race([settled, headStart]).finally(() => clearTimeout(timer));
}

export function notifySecurityEvent(c: Context<AppEnv>, user: UserRecord, event: SecurityEvent, usedChannel?: "sms"): Promise<void> {
  return deliverNotice(c, event, sendNotice(c, user, event, usedChannel));
}

async function sendNotice(c: Context<AppEnv>, user: UserRecord, event: SecurityEvent, usedChannel?: "sms"): Promise<void> {
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
