/**
 * Every storage item the extension keeps, declared once. `local:` holds settings and reminder
 * state only; what the gateways report (pending challenges, idle deadlines) lives in `session:`,
 * which is kept in memory, cleared when the browser closes and not readable by content scripts.
 * Nothing secret is stored: no codes, no grants, no cookies.
 */
import { storage } from "wxt/utils/storage";
import type { Challenge } from "../../shared/protocol";
import type { Gateway } from "./gateways";
import type { ReminderState } from "./reminder";

export const gatewaysItem = storage.defineItem<Gateway[]>("local:gateways", { fallback: [], version: 1 });

export const reminderItem = storage.defineItem<ReminderState>("local:recoveryReminder", {
  fallback: { status: "none" },
  version: 1,
});

/** What one gateway last said, keyed by origin. */
export interface GatewaySnapshot {
  status: "ok" | "signed_out" | "unreachable";
  challenges: Challenge[];
  /** Epoch ms when the payments area times out for inactivity, when the gateway reports it. */
  idleExpiresAt: number | null;
  checkedAt: number;
}
export type Snapshots = Record<string, GatewaySnapshot>;

export const snapshotsItem = storage.defineItem<Snapshots>("session:snapshots", { fallback: {} });

/** Challenge keys ("origin challengeId") already announced by a notification. */
export const notifiedItem = storage.defineItem<string[]>("session:notified", { fallback: [] });

/** Idle deadlines (per origin) already prompted for, so one deadline prompts once. */
export const idlePromptedItem = storage.defineItem<Record<string, number>>("session:idlePrompted", { fallback: {} });
