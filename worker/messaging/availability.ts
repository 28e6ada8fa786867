/**
 * Who may use SMS, as people are told it: role × the phone's country (shared/policy.ts decides;
 * this explains). Pure.
 */
import { allowedMethods, SMS_COUNTRIES, type Role } from "../../shared/policy";

/** What the set-up page offers a role before any number is typed. */
export type SmsOffer = "any_sms_country" | "us_only" | "none";

export function smsOfferFor(role: Role): SmsOffer {
  if (role === "payor") return "none";
  if (role === "payee_admin") return "us_only";
  return "any_sms_country";
}

export type SmsRefusal = "sms_payor" | "sms_us_only" | "sms_country";

/** null when this role may receive codes on a number in `country`, else why not. */
export function smsRefusalFor(role: Role, country: string): SmsRefusal | null {
  if (allowedMethods({ role, phoneCountry: country }).includes("sms")) return null;
  if (role === "payor") return "sms_payor";
  if (role === "payee_admin") return "sms_us_only";
  return "sms_country";
}

/** The countries a role may choose, for the country picker (ISO codes). */
export function smsCountriesFor(role: Role): readonly string[] {
  const offer = smsOfferFor(role);
  return offer === "none" ? [] : offer === "us_only" ? ["US"] : SMS_COUNTRIES;
}
