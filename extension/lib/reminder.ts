/**
 * The recovery-code vault reminder as a pure state machine. It remembers only *that* a code was
 * shown (and why), never the code. Due until the person confirms; a snooze hides it for a while.
 */
export type ReminderCause = "enrolled" | "replaced";

export type ReminderState =
  | { status: "none" }
  | { status: "due"; cause: ReminderCause; since: number }
  | { status: "snoozed"; cause: ReminderCause; since: number; until: number }
  | { status: "confirmed"; at: number };

export const SNOOZE_MS = 4 * 60 * 60 * 1000;

/** A recovery code page was shown: remind again, whatever was confirmed before. */
export function onRecoveryCodeShown(state: ReminderState, cause: ReminderCause, nowMs: number): ReminderState {
  // Re-showing the page (a reload) while already due keeps the original time.
  if (state.status === "due" && state.cause === cause) return state;
  return { status: "due", cause, since: nowMs };
}

export function snooze(state: ReminderState, nowMs: number, durationMs = SNOOZE_MS): ReminderState {
  if (state.status !== "due" && state.status !== "snoozed") return state;
  return { status: "snoozed", cause: state.cause, since: state.since, until: nowMs + durationMs };
}

export function confirm(state: ReminderState, nowMs: number): ReminderState {
  if (state.status === "none" || state.status === "confirmed") return state;
  return { status: "confirmed", at: nowMs };
}

/** A snooze that has run out becomes due again. */
export function wakeUp(state: ReminderState, nowMs: number): ReminderState {
  if (state.status === "snoozed" && nowMs >= state.until) return { status: "due", cause: state.cause, since: state.since };
  return state;
}

/** Whether the reminder should be shown at `nowMs`. */
export function isReminderDue(state: ReminderState, nowMs: number): boolean {
  return wakeUp(state, nowMs).status === "due";
}
