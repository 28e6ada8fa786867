/**
 * What settings → Password & Security shows: the enrolled methods (the phone masked), whether MFA
 * is enforced for this person (the "always require 2FA" switch is then locked), and whether the
 * 10-minute window for changes is open. Read-only; the account object re-checks every change.
 */
import type { Context } from "hono";
import { mfaRequirement } from "../shared/policy";
import { FRESH_MFA_WINDOW_SECONDS } from "./domain/fresh-mfa";
import type { AppEnv } from "./env";
import { smsCountriesFor, smsOfferFor, type SmsOffer } from "./messaging/availability";
import { maskPhone } from "./messaging/phone";

/** The window shown for changes: the account object's own rule (domain/fresh-mfa.ts). */
export const CHANGE_WINDOW_SECONDS = FRESH_MFA_WINDOW_SECONDS;

export interface SecurityState {
  methods: {
    totp: { enrolled: boolean; disabled: boolean };
    sms: { enrolled: boolean; disabled: boolean; phone: string | null };
    recovery: { enrolled: boolean; disabled: boolean };
  };
  /** Methods that can verify identity now (enrolled, not disabled). */
  usable: Array<"totp" | "sms" | "recovery">;
  /** MFA is required for this person (company enforcement or a payments role): the switch is locked on. */
  mfaEnforced: boolean;
  alwaysRequire2fa: { on: boolean; locked: boolean };
  /** Epoch s until which changes are allowed without verifying again; null when closed. */
  changesAllowedUntil: number | null;
  sms: { offer: SmsOffer; countries: readonly string[]; configured: boolean };
}

export async function readSecurityState(c: Context<AppEnv>): Promise<SecurityState> {
  const session = c.var.session;
  if (!session) throw new Error("readSecurityState needs a session");
  const { ports } = c.var;
  const account = ports.account(session.sub);
  const [factors, sms, user] = await Promise.all([account.describeFactors(), account.smsFactor(), ports.directory.getUser(session.sub)]);
  const company = user ? await ports.directory.getCompany(user.companyId) : null;
  const nowMs = ports.now();
  const enforced = Boolean(user && company && mfaRequirement({ role: user.role, active: user.active, sso: user.sso, company, nowMs }).kind === "required");
  const anyFactor = factors.totp.enrolled || factors.recovery.enrolled || Boolean(sms);
  const until = session.mfa_at !== undefined ? session.mfa_at + CHANGE_WINDOW_SECONDS : null;
  const open = !anyFactor ? null : until !== null && until * 1000 >= nowMs ? until : null;
  const usable = (["totp", "sms", "recovery"] as const).filter((m) =>
    m === "sms" ? Boolean(sms && !sms.disabled) : factors[m].enrolled && !factors[m].disabled,
  );
  return {
    methods: {
      totp: factors.totp,
      sms: { enrolled: Boolean(sms), disabled: Boolean(sms?.disabled), phone: sms ? maskPhone(sms.phoneE164) : null },
      recovery: factors.recovery,
    },
    usable,
    mfaEnforced: enforced,
    // Anyone with a method is asked at every sign-in (decision 0004), so the switch is on then too.
    alwaysRequire2fa: { on: enforced || anyFactor, locked: enforced },
    changesAllowedUntil: open,
    sms: { offer: smsOfferFor(session.role), countries: smsCountriesFor(session.role), configured: c.var.config.messaging.sms.provider !== "none" },
  };
}
