/**
 * Phone numbers as people type them: parsed and normalised to E.164 with libphonenumber-js.
 * `country` (ISO 3166-1 alpha-2) is the default region for a national number; a number written
 * with + keeps its own country. Pure.
 */
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";

export type ParsedPhone = { ok: true; e164: string; country: string } | { ok: false };

const MAX_PHONE_INPUT = 32;

export function parsePhone(input: string, country?: string): ParsedPhone {
  if (typeof input !== "string" || input.length > MAX_PHONE_INPUT) return { ok: false };
  // Only what people type into a phone field: ASCII digits, +, spaces and ( ) - . separators. The
  // library would otherwise pick a number out of surrounding text or convert non-ASCII digits.
  if (!/^[\s0-9+().-]*$/.test(input)) return { ok: false };
  const region = country && /^[A-Z]{2}$/.test(country.toUpperCase()) ? (country.toUpperCase() as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(input.trim(), region ? { defaultCountry: region } : undefined);
  if (!parsed || !parsed.isValid() || !parsed.country) return { ok: false };
  return { ok: true, e164: parsed.number, country: parsed.country };
}

/** "•••• 0143": enough for a person to recognise their number, not enough to reuse it. */
export function maskPhone(e164: string): string {
  return `•••• ${e164.slice(-4)}`;
}
