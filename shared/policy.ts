/**
 * Pure MFA policy decisions: does MFA apply to this person now, and which methods may they use.
 * Inputs are plain values (role, company settings, `nowMs`); no I/O, no clock.
 */
import type { Method } from "./protocol";
import { startOfLocalDateMs } from "./zoned-time";

export type Role = "standard" | "company_admin" | "payor" | "payee_admin";

export interface CompanyMfaSettings {
  requireMfa: boolean;
  /** Enforcement date, YYYY-MM-DD, in `timeZone` (the admin's zone). */
  deadline: string | null;
  /** IANA zone name, e.g. "America/Los_Angeles". */
  timeZone: string;
}

export interface MfaRequirementInput {
  role: Role;
  active: boolean;
  sso: boolean;
  company: CompanyMfaSettings;
  nowMs: number;
}

export type MfaRequirement =
  | { kind: "required" }
  | { kind: "optional"; deadlineMs?: number }
  | { kind: "blocked"; reason: "inactive" };

/** Where SMS codes may be sent (ISO 3166-1 alpha-2). */
export const SMS_COUNTRIES: readonly string[] = [
  "US", "CA", "MX", "GB", "IE", "FR", "DE", "ES", "IT", "AU", "NZ", "SG", "HK",
];
/** Payee admins may use SMS with a US number only. */
const PAYEE_ADMIN_SMS_COUNTRIES: readonly string[] = ["US"];

/**
 * Epoch ms at which enforcement starts: the first instant of `deadline` in `timeZone` (normally
 * local midnight; the moment the clocks jump when midnight is skipped). TypeError if invalid.
 */
export function enforcementStartMs(deadline: string, timeZone: string): number {
  return startOfLocalDateMs(deadline, timeZone);
}

/** Payments users have MFA whatever their company says. */
export function isPaymentsRole(role: Role): boolean {
  return role === "payor" || role === "payee_admin";
}

/**
 * Whether this person must pass MFA now. Inactive people are blocked before anything else;
 * payments roles always need MFA; everyone else needs it once the company's enforcement has
 * started, and is told about an upcoming deadline. SSO users are not nudged before the deadline:
 * their identity provider already does MFA for them.
 */
export function mfaRequirement(input: MfaRequirementInput): MfaRequirement {
  const { role, active, sso, company, nowMs } = input;
  if (!Number.isFinite(nowMs)) throw new TypeError("nowMs must be finite");
  if (!active) return { kind: "blocked", reason: "inactive" };
  if (isPaymentsRole(role)) return { kind: "required" };
  if (!company.requireMfa || company.deadline === null) return { kind: "optional" };

  const startMs = enforcementStartMs(company.deadline, company.timeZone);
  if (nowMs >= startMs) return { kind: "required" };
  return sso ? { kind: "optional" } : { kind: "optional", deadlineMs: startMs };
}

/** Methods this person may enroll and use; SMS depends on role and the phone's country. */
export function allowedMethods(input: { role: Role; phoneCountry?: string }): Method[] {
  const methods: Method[] = ["totp"];
  if (isSmsAllowed(input.role, input.phoneCountry)) methods.push("sms");
  methods.push("recovery");
  return methods;
}

function isSmsAllowed(role: Role, phoneCountry: string | undefined): boolean {
  if (phoneCountry === undefined) return false;
  const country = phoneCountry.toUpperCase();
  switch (role) {
    case "standard":
    case "company_admin":
      return SMS_COUNTRIES.includes(country);
    case "payee_admin":
      return PAYEE_ADMIN_SMS_COUNTRIES.includes(country);
    case "payor":
      return false;
  }
}
