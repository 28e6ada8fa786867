/**
 * `otpauth://totp/...` key URIs (the QR-code format of Google Authenticator and the rest):
 * build one for enrollment, parse one back with every field checked.
 */
import { decodeBase32, encodeBase32 } from "./base32";
import type { TotpAlgorithm } from "./totp-params";
import {
  MAX_SECRET_BYTES,
  MIN_SECRET_BYTES,
  TOTP_ALGORITHMS,
  isValidPeriodSeconds,
  isValidSecretLength,
} from "./totp-params";

export interface OtpauthKey {
  issuer?: string;
  account: string;
  secret: Uint8Array;
  digits: 6 | 8;
  periodSeconds: number;
  algorithm: TotpAlgorithm;
}

export interface BuildOtpauthOptions {
  issuer: string;
  account: string;
  secret: Uint8Array;
  digits?: 6 | 8;
  periodSeconds?: number;
  algorithm?: TotpAlgorithm;
}

export type OtpauthParseFailure =
  | "too_long"
  | "not_otpauth"
  | "not_totp"
  | "malformed"
  | "duplicate_parameter"
  | "missing_account"
  | "missing_secret"
  | "invalid_secret"
  | "secret_length"
  | "invalid_digits"
  | "invalid_period"
  | "invalid_algorithm"
  | "issuer_mismatch";

export type OtpauthParseResult =
  | { ok: true; value: OtpauthKey }
  | { ok: false; reason: OtpauthParseFailure };

/** Longest URI parsed; real ones are under 300 characters. */
export const MAX_OTPAUTH_URI_LENGTH = 2048;

const PREFIX = "otpauth://";
const SECRET_GROUP_LENGTH = 4;

/**
 * `otpauth://totp/Issuer:account?secret=...&issuer=Issuer&algorithm=SHA1&digits=6&period=30`.
 * Issuer and account may not contain ":" (the label separator, also when percent-encoded) nor
 * start or end with spaces (readers trim them), so what is built parses back unchanged.
 */
export function buildOtpauthUri(options: BuildOtpauthOptions): string {
  const { issuer, account, secret } = options;
  const digits = options.digits ?? 6;
  const periodSeconds = options.periodSeconds ?? 30;
  const algorithm = options.algorithm ?? "SHA1";
  if (!isValidLabelPart(issuer)) {
    throw new TypeError("issuer must be non-empty, trimmed and contain no ':'");
  }
  if (!isValidLabelPart(account)) {
    throw new TypeError("account must be non-empty, trimmed and contain no ':'");
  }
  if (!isValidSecretLength(secret)) {
    throw new TypeError(`secret must be ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes`);
  }
  if (digits !== 6 && digits !== 8) throw new TypeError("digits must be 6 or 8");
  if (!isValidPeriodSeconds(periodSeconds)) throw new TypeError("periodSeconds is out of range");
  if (!TOTP_ALGORITHMS.includes(algorithm)) throw new TypeError("unknown algorithm");

  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = [
    `secret=${encodeBase32(secret)}`,
    `issuer=${encodeURIComponent(issuer)}`,
    `algorithm=${algorithm}`,
    `digits=${digits}`,
    `period=${periodSeconds}`,
  ].join("&");
  return `${PREFIX}totp/${label}?${query}`;
}

/**
 * Parses a TOTP key URI, checking every field. Query values follow form encoding ("+" is a
 * space); the label does not (an account like "a+b@example.com" keeps its "+").
 */
export function parseOtpauthUri(uri: string): OtpauthParseResult {
  if (uri.length > MAX_OTPAUTH_URI_LENGTH) return fail("too_long");
  if (uri.slice(0, PREFIX.length).toLowerCase() !== PREFIX) return fail("not_otpauth");
  const rest = uri.slice(PREFIX.length).split("#")[0] ?? "";
  const slash = rest.indexOf("/");
  if (slash === -1) return fail("malformed");
  if (rest.slice(0, slash).toLowerCase() !== "totp") return fail("not_totp");

  const afterType = rest.slice(slash + 1);
  const questionMark = afterType.indexOf("?");
  const rawLabel = questionMark === -1 ? afterType : afterType.slice(0, questionMark);
  const rawQuery = questionMark === -1 ? "" : afterType.slice(questionMark + 1);

  const label = decodeComponent(rawLabel);
  const query = parseQuery(rawQuery);
  if (label === null || query === null) return fail("malformed");
  if (query === "duplicate") return fail("duplicate_parameter");

  const labelParts = splitLabel(label);
  if (labelParts.account.length === 0) return fail("missing_account");
  const issuerParam = query.get("issuer");
  if (labelParts.issuer !== undefined && issuerParam !== undefined) {
    if (labelParts.issuer !== issuerParam) return fail("issuer_mismatch");
  }
  const issuer = issuerParam ?? labelParts.issuer;

  const secretText = query.get("secret");
  if (secretText === undefined || secretText.length === 0) return fail("missing_secret");
  const secret = decodeBase32(secretText);
  if (secret === null) return fail("invalid_secret");
  if (!isValidSecretLength(secret)) return fail("secret_length");

  const digits = parseDigits(query.get("digits"));
  if (digits === null) return fail("invalid_digits");
  const periodSeconds = parsePeriod(query.get("period"));
  if (periodSeconds === null) return fail("invalid_period");
  const algorithm = parseAlgorithm(query.get("algorithm"));
  if (algorithm === null) return fail("invalid_algorithm");

  const { account } = labelParts;
  const value: OtpauthKey = { account, secret, digits, periodSeconds, algorithm };
  if (issuer !== undefined && issuer.length > 0) value.issuer = issuer;
  return { ok: true, value };
}

/** A Base32 key in groups of four for typing by hand: "JBSW Y3DP EHPK 3PXP". */
export function groupSecretForTyping(base32: string): string {
  const compact = base32.replace(/[\s-]/g, "").replace(/=+$/, "").toUpperCase();
  const groups: string[] = [];
  for (let start = 0; start < compact.length; start += SECRET_GROUP_LENGTH) {
    groups.push(compact.slice(start, start + SECRET_GROUP_LENGTH));
  }
  return groups.join(" ");
}

function fail(reason: OtpauthParseFailure): OtpauthParseResult {
  return { ok: false, reason };
}

/** "Issuer:account", "Issuer: account" or just "account" (Key URI format). */
function splitLabel(label: string): { issuer?: string; account: string } {
  const colon = label.indexOf(":");
  if (colon === -1) return { account: label.trim() };
  return { issuer: label.slice(0, colon).trim(), account: label.slice(colon + 1).trim() };
}

function parseQuery(rawQuery: string): Map<string, string> | "duplicate" | null {
  const parameters = new Map<string, string>();
  if (rawQuery.length === 0) return parameters;
  for (const pair of rawQuery.split("&")) {
    if (pair.length === 0) continue;
    const equals = pair.indexOf("=");
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const rawValue = equals === -1 ? "" : pair.slice(equals + 1);
    const name = decodeComponent(rawName.replace(/\+/g, " "));
    const value = decodeComponent(rawValue.replace(/\+/g, " "));
    if (name === null || value === null) return null;
    const key = name.toLowerCase();
    // Two secrets (or issuers...) would let two readers of one URI disagree: refuse.
    if (parameters.has(key)) return "duplicate";
    parameters.set(key, value);
  }
  return parameters;
}

function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function parseDigits(text: string | undefined): 6 | 8 | null {
  if (text === undefined || text === "6") return 6;
  return text === "8" ? 8 : null;
}

function parsePeriod(text: string | undefined): number | null {
  if (text === undefined) return 30;
  if (!/^[0-9]{1,5}$/.test(text)) return null;
  const periodSeconds = Number(text);
  return isValidPeriodSeconds(periodSeconds) ? periodSeconds : null;
}

function parseAlgorithm(text: string | undefined): TotpAlgorithm | null {
  if (text === undefined) return "SHA1";
  const upper = text.toUpperCase();
  return TOTP_ALGORITHMS.find((algorithm) => algorithm === upper) ?? null;
}

function isValidLabelPart(text: string): boolean {
  return text.length > 0 && text.trim() === text && !text.includes(":");
}
