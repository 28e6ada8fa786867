/**
 * One-time codes a person reads and types: SMS codes and 32-digit recovery codes drawn from the
 * platform CSPRNG without modulo bias, their display grouping and input normalisation, and
 * constant-time comparison.
 */
import { encodeUtf8, generateRandomBytes } from "./webcrypto";

export const RECOVERY_CODE_LENGTH = 32;
export const SMS_CODE_LENGTH = 6;

/** Longest input normalizeCode looks at; anything longer is refused before any work. */
export const MAX_CODE_INPUT_LENGTH = 256;

/** Longest string randomDigits produces (far above any code; bounds a caller mistake). */
const MAX_RANDOM_DIGITS = 1024;

/** Bytes at or above this are discarded: 250 is the largest multiple of 10 that fits a byte. */
const UNBIASED_BYTE_LIMIT = 250;

/** What a person may type or paste between digits: spaces, tabs, hyphens and dashes. */
const SEPARATORS = /[ \t\u00a0\u2009\u202f\-\u2010-\u2015\u2212]/g;

const RECOVERY_GROUP_LENGTH = 4;

/** `length` uniformly random decimal digits (rejection sampling: every digit has p = 1/10). */
export function randomDigits(length: number): string {
  if (!Number.isSafeInteger(length) || length < 1 || length > MAX_RANDOM_DIGITS) {
    throw new TypeError(`length must be an integer from 1 to ${MAX_RANDOM_DIGITS}`);
  }
  let digits = "";
  while (digits.length < length) {
    // 250/256 of bytes are kept, so a batch a little larger than needed almost always suffices.
    for (const byte of generateRandomBytes(length - digits.length + 8)) {
      if (byte < UNBIASED_BYTE_LIMIT && digits.length < length) digits += String(byte % 10);
    }
  }
  return digits;
}

/** A new recovery code: 32 digits, about 106 bits. */
export function generateRecoveryCode(): string {
  return randomDigits(RECOVERY_CODE_LENGTH);
}

/** A new SMS code: 6 digits. */
export function generateSmsCode(): string {
  return randomDigits(SMS_CODE_LENGTH);
}

/** Recovery code for display: "1234-5678-9012-3456-7890-1234-5678-9012". */
export function formatRecoveryCode(code: string): string {
  if (!new RegExp(`^[0-9]{${RECOVERY_CODE_LENGTH}}$`).test(code)) {
    throw new TypeError(`a recovery code is ${RECOVERY_CODE_LENGTH} ASCII digits`);
  }
  const groups: string[] = [];
  for (let start = 0; start < code.length; start += RECOVERY_GROUP_LENGTH) {
    groups.push(code.slice(start, start + RECOVERY_GROUP_LENGTH));
  }
  return groups.join("-");
}

/**
 * The digits of what a person typed, or null unless it is exactly `length` ASCII digits once
 * spaces and dashes are removed. Other Unicode digits (Arabic-Indic, full-width...) are refused
 * rather than mapped: a code has exactly one spelling.
 */
export function normalizeCode(input: string, length: number): string | null {
  if (!Number.isSafeInteger(length) || length < 1) {
    throw new TypeError("length must be a positive integer");
  }
  if (typeof input !== "string" || input.length > MAX_CODE_INPUT_LENGTH) return null;
  const digits = input.replace(SEPARATORS, "");
  if (digits.length !== length || !/^[0-9]+$/.test(digits)) return null;
  return digits;
}

/**
 * Byte-wise equality whose running time depends only on the lengths (which are public for
 * every value compared here), never on where the first difference is.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) {
    difference |= (a[index] ?? 0) ^ (b[index] ?? 0);
  }
  return difference === 0;
}

/** constantTimeEqual over the strings' UTF-8 bytes. */
export function constantTimeEqualStrings(a: string, b: string): boolean {
  return constantTimeEqual(encodeUtf8(a), encodeUtf8(b));
}
