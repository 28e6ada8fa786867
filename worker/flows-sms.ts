/**
 * The SMS and self-service steps shared by the JSON API and the pages (like flows.ts): SMS
 * enrollment, sending a code for a challenge, re-verifying identity in a signed-in session, and
 * replacing the recovery code. Each returns a tagged result; callers render it.
 */
import type { Context } from "hono";
import type { Method, NextStep } from "../shared/protocol";
import type { AppEnv } from "./env";
import { audit, currentUser, type FlowResult } from "./flows";
import { refusalToWire, type WireReason } from "./lib/errors";
import { smsRefusalFor } from "./messaging/availability";
import { deliverSmsCode } from "./messaging/deliver";
import { maskPhone, parsePhone } from "./messaging/phone";
import { notifySecurityEvent } from "./notify-events";
import { issueSession } from "./session";

type Refused = { ok: false; reason: string; retryAfterSeconds?: number };

function refused(result: Refused): FlowResult<never> {
  const reason: WireReason = result.reason === "malformed" ? "invalid_code_format" : refusalToWire(result.reason);
  return result.retryAfterSeconds ? { ok: false, reason, retryAfterSeconds: result.retryAfterSeconds } : { ok: false, reason };
}

async function send(c: Context<AppEnv>, issued: { ok: true; code: string; phoneE164: string }): Promise<FlowResult<{ sent: true; phoneHint: string }>> {
  if (!(await deliverSmsCode(c, issued.code, issued.phoneE164))) return { ok: false, reason: "sms_not_sent" };
  return { ok: true, sent: true, phoneHint: maskPhone(issued.phoneE164) };
}

/** Parses the number, applies role × country, and texts a code to it for enrollment. */
export async function startSmsEnrollment(c: Context<AppEnv>, phoneInput: string, country?: string): Promise<FlowResult<{ sent: true; phoneHint: string }>> {
  const session = c.var.session;
  const user = await currentUser(c);
  if (!session || !user) return { ok: false, reason: "unauthenticated" };
  if (c.var.config.messaging.sms.provider === "none") return { ok: false, reason: "sms_unconfigured" };
  const phone = parsePhone(phoneInput, country);
  if (!phone.ok) return { ok: false, reason: "invalid_phone" };
  const refusal = smsRefusalFor(user.role, phone.country);
  if (refusal) {
    audit(c, user, "enroll_sms", "failure", refusal);
    return { ok: false, reason: refusal };
  }
  const issued = await c.var.ports.account(user.id).beginSmsEnrollment(session.sid, { e164: phone.e164, country: phone.country }, c.var.ports.now());
  if (!issued.ok) return refused(issued);
  audit(c, user, "sms_sent", "info", "enrollment");
  return send(c, issued);
}

export async function confirmSmsEnrollment(c: Context<AppEnv>, code: string): Promise<FlowResult<{ recoveryCode: string }>> {
  const session = c.var.session;
  const user = await currentUser(c);
  if (!session || !user) return { ok: false, reason: "unauthenticated" };
  const result = await c.var.ports.account(user.id).confirmSmsEnrollment(session.sid, code, c.var.ports.now());
  if (!result.ok) {
    audit(c, user, "enroll_sms", "failure", result.reason);
    return refused(result);
  }
  await issueSession(c, result.session, user);
  audit(c, user, "enroll_sms", "success", result.replaced ? "number changed" : "number added");
  audit(c, user, "recovery_code_issued", "info");
  await notifySecurityEvent(c, user, result.replaced ? "factor_changed" : "factor_added", "sms");
  return { ok: true, recoveryCode: result.recoveryCode };
}

/** Texts (or re-texts, invalidating the previous code) a code for one of this session's challenges. */
export async function sendChallengeCode(c: Context<AppEnv>, challengeId: string): Promise<FlowResult<{ sent: true; phoneHint: string }>> {
  const session = c.var.session;
  const user = await currentUser(c);
  if (!session || !user) return { ok: false, reason: "unauthenticated" };
  const issued = await c.var.ports.account(user.id).sendChallengeSms(session.sid, challengeId, c.var.ports.now());
  if (!issued.ok) return refused(issued);
  audit(c, user, "sms_sent", "info", "challenge");
  return send(c, issued);
}

/** Texts a code to the current number to verify identity in a signed-in session. */
export async function sendIdentityCode(c: Context<AppEnv>): Promise<FlowResult<{ sent: true; phoneHint: string }>> {
  const session = c.var.session;
  const user = await currentUser(c);
  if (!session || !user) return { ok: false, reason: "unauthenticated" };
  const issued = await c.var.ports.account(user.id).sendIdentitySms(session.sid, c.var.ports.now());
  if (!issued.ok) return refused(issued);
  audit(c, user, "sms_sent", "info", "identity");
  return send(c, issued);
}

/** A fresh second factor in a signed-in session; opens the 10-minute window for changes. */
export async function verifyIdentity(c: Context<AppEnv>, method: Method, code: string): Promise<FlowResult<{ next: NextStep; recoveryCode?: string }>> {
  const session = c.var.session;
  const user = await currentUser(c);
  if (!session || !user) return { ok: false, reason: "unauthenticated" };
  const result = await c.var.ports.account(user.id).verifyIdentity(session.sid, method, code, c.var.ports.now());
  if (!result.ok) {
    audit(c, user, "reverify", "failure", `${method}: ${result.reason}`);
    return refused(result);
  }
  await issueSession(c, result.session, user);
  audit(c, user, "reverify", "success", method);
  if (method === "recovery") {
    audit(c, user, "recovery_code_used", "info");
    await notifySecurityEvent(c, user, "recovery_code_used");
  }
  return result.recoveryCode ? { ok: true, next: result.next, recoveryCode: result.recoveryCode } : { ok: true, next: result.next };
}

/** A new recovery code on request; the old one stops working at once. */
export async function replaceRecoveryCode(c: Context<AppEnv>): Promise<FlowResult<{ recoveryCode: string }>> {
  const session = c.var.session;
  const user = await currentUser(c);
  if (!session || !user) return { ok: false, reason: "unauthenticated" };
  const result = await c.var.ports.account(user.id).replaceRecoveryCode(session.sid, c.var.ports.now());
  if (!result.ok) return refused(result);
  await issueSession(c, result.session, user);
  audit(c, user, "recovery_code_issued", "info", "requested in settings");
  await notifySecurityEvent(c, user, "recovery_code_replaced");
  return { ok: true, recoveryCode: result.recoveryCode };
}
