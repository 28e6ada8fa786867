/**
 * "A second factor in the last 10 minutes": the one rule behind every self-service change to an
 * account's factors, a new recovery code included, whether asked for from Settings or from the
 * unsaved "Save your recovery code" page. Every step that puts a session on that page (a passed
 * challenge, a confirmed enrollment, a verification in Settings) records its second factor as
 * `mfaAtMs`, so "the session's own just-completed step" is this same rule. Pure.
 */
export const FRESH_MFA_WINDOW_SECONDS = 10 * 60;

/** True at exactly 10:00 after the second factor; false a millisecond later, or without one. */
export function hasFreshSecondFactor(mfaAtMs: number | undefined, nowMs: number): boolean {
  return mfaAtMs !== undefined && nowMs - mfaAtMs <= FRESH_MFA_WINDOW_SECONDS * 1000;
}
