/**
 * Pure decisions for the admin tool (docs/decisions/0007-admin-policy-and-reset.md): who may act,
 * whether a company enforces MFA now, which resets are refused and why, and valid settings.
 * No I/O, no clock: `nowMs` comes in. Each refusal is a wire reason with its own error code.
 */
import * as v from "valibot";
import type { SessionClaims } from "../../shared/claims";
import { enforcementStartMs, isPaymentsRole } from "../../shared/policy";
import { isCalendarDate, isTimeZone } from "../../shared/zoned-time";
import type { WireReason } from "../lib/errors";
import type { CompanyRecord, UserRecord } from "./records";

/** An admin action needs a second factor passed this recently (until a step-up challenge exists). */
export const ADMIN_FRESH_MFA_SECONDS = 10 * 60;

export function hasAdminPermissions(user: UserRecord): boolean {
  return user.permissions?.companyAdmin === true && user.permissions.directory === true;
}

/** Null when `user` (the session's person) may run an admin action now; else why not. */
export function adminAccessRefusal(session: SessionClaims | null, user: UserRecord | null, nowMs: number): WireReason | null {
  if (!session || !user || !user.active || user.id !== session.sub) return "unauthenticated";
  if (session.stg !== "done") return "wrong_stage";
  if (!hasAdminPermissions(user)) return "admin_permission_required";
  const mfaAtSeconds = session.mfa_at;
  if (mfaAtSeconds === undefined || Math.floor(nowMs / 1000) - mfaAtSeconds > ADMIN_FRESH_MFA_SECONDS) return "reauth_required";
  return null;
}

/** Enforcement is on: Require MFA with a deadline whose first instant has passed. */
export function isEnforcingNow(company: CompanyRecord, nowMs: number): boolean {
  if (!company.requireMfa || company.deadline === null) return false;
  return nowMs >= enforcementStartMs(company.deadline, company.timeZone);
}

export interface ResetInput {
  admin: UserRecord;
  /** The directory entry's KV record whose email matched exactly, or null. */
  target: UserRecord | null;
  company: CompanyRecord;
  verified: boolean;
  nowMs: number;
  /** The target holds Stepgate factors (app, SMS or recovery code): for SSO people only. */
  targetHasStepgateFactors?: boolean;
}

/**
 * Null when the reset may go ahead. Checked in this order: the company's state, then the person,
 * then the admin's confirmation, so the admin is told the most fundamental problem first.
 */
export function resetRefusal(input: ResetInput): WireReason | null {
  const { admin, target, company, verified, nowMs } = input;
  if (!isEnforcingNow(company, nowMs)) return "mfa_not_enforced";
  if (!target || target.companyId !== admin.companyId) return "user_not_in_directory";
  if (target.id === admin.id) return "cannot_reset_self";
  // Payments MFA is mandatory and owned by payments support; SSO MFA lives at the IdP, which
  // Stepgate cannot reset. An SSO person's *Stepgate* factors (asked after the IdP login) can
  // be reset like anyone's (docs/decisions/0010-sso.md).
  if (isPaymentsRole(target.role)) return "payments_user_reset";
  if (target.sso && input.targetHasStepgateFactors !== true) return "sso_user_reset";
  if (!verified) return "request_not_verified";
  return null;
}

/** Wire shape of the settings (types only; values are checked by `validSettings`). */
export const SettingsRequest = v.strictObject({
  requireMfa: v.boolean(),
  deadline: v.nullable(v.pipe(v.string(), v.maxLength(32))),
  timeZone: v.pipe(v.string(), v.maxLength(64)),
});
export type SettingsRequest = v.InferOutput<typeof SettingsRequest>;

export type CompanySettings = Pick<CompanyRecord, "requireMfa" | "deadline" | "timeZone">;

/** The settings to store, or null when a value is not valid (Require MFA needs a deadline). */
export function validSettings(input: SettingsRequest): CompanySettings | null {
  if (!isTimeZone(input.timeZone)) return null;
  // Stored in canonical spelling ("utc" -> "UTC") so the page and the audit log show one name.
  const timeZone = new Intl.DateTimeFormat("en-US", { timeZone: input.timeZone }).resolvedOptions().timeZone;
  if (input.deadline === null) return input.requireMfa ? null : { requireMfa: false, deadline: null, timeZone };
  if (!isCalendarDate(input.deadline)) return null;
  return { requireMfa: input.requireMfa, deadline: input.deadline, timeZone };
}

export const ResetRequest = v.strictObject({
  email: v.pipe(v.string(), v.minLength(1), v.maxLength(254)),
  verified: v.optional(v.boolean(), false),
});

export const AuditQueryParams = v.object({
  event: v.optional(v.pipe(v.string(), v.regex(/^[a-z_]{1,40}$/))),
  subject: v.optional(v.pipe(v.string(), v.maxLength(254))),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,4}$/), v.transform(Number), v.minValue(1), v.maxValue(1000))),
});
