/**
 * Time arithmetic the popup and the background show and act on. Pure: `nowMs` comes in. The
 * 30-second code window uses the shared core's time step, so it flips exactly when the
 * authenticator app's code does.
 */
import { timeStepAt } from "../../shared/totp";

export const TOTP_PERIOD_SECONDS = 30;
/** How long before the payments idle timeout the person is prompted. */
export const IDLE_PROMPT_BEFORE_MS = 3 * 60 * 1000;

/** Whole seconds until the authenticator app shows its next code (1..30). */
export function secondsUntilNextCode(nowMs: number, periodSeconds = TOTP_PERIOD_SECONDS): number {
  const nextStepStartsMs = (timeStepAt(nowMs, periodSeconds) + 1) * periodSeconds * 1000;
  return Math.ceil((nextStepStartsMs - nowMs) / 1000);
}

/** Whole seconds until `deadlineMs`, never negative. */
export function secondsLeft(deadlineMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((deadlineMs - nowMs) / 1000));
}

/** "4:05", "0:09", "1:02:03". */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export type IdlePhase = "none" | "counting" | "soon" | "ended";

/** Where a payments idle deadline stands: far off, within the prompt window, or passed. */
export function idlePhase(idleExpiresAt: number | null | undefined, nowMs: number): IdlePhase {
  if (typeof idleExpiresAt !== "number" || !Number.isFinite(idleExpiresAt)) return "none";
  if (nowMs >= idleExpiresAt) return "ended";
  if (idleExpiresAt - nowMs <= IDLE_PROMPT_BEFORE_MS) return "soon";
  return "counting";
}

/** When to raise the "ending soon" prompt for a deadline (now, if already inside the window). */
export function idlePromptAt(idleExpiresAt: number, nowMs: number): number {
  return Math.max(nowMs, idleExpiresAt - IDLE_PROMPT_BEFORE_MS);
}
