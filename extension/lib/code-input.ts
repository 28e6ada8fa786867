/**
 * The popup's 6-digit code field: typing and pasting keep digits only (spaces and dashes in a
 * pasted "123 456" simply fall away), capped at six; the value sent must pass the shared core's
 * normalizeCode.
 */
import { normalizeCode } from "../../shared/codes";

export const CODE_LENGTH = 6;

/** What the field should show after any input: ASCII digits only, at most six. */
export function keepDigits(value: string): string {
  return value.replace(/[^0-9]/g, "").slice(0, CODE_LENGTH);
}

/** The code to send, or null when the field does not hold exactly six digits. */
export function codeToSend(value: string): string | null {
  return normalizeCode(value, CODE_LENGTH);
}
