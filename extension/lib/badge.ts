/**
 * The toolbar badge: the number of pending challenges across watched gateways; "!" when none is
 * pending but the recovery-code reminder is due; empty otherwise.
 */
import { browser } from "wxt/browser";
import type { Snapshots } from "./storage";

export const BADGE_COLOUR_CHALLENGE = "#b91c1c";
export const BADGE_COLOUR_REMINDER = "#b45309";

export function countPending(snapshots: Snapshots, nowMs: number): number {
  let count = 0;
  for (const snapshot of Object.values(snapshots)) {
    count += snapshot.challenges.filter((challenge) => challenge.expiresAt > nowMs).length;
  }
  return count;
}

export function badgeFor(pending: number, reminderDue: boolean): { text: string; colour: string } {
  if (pending > 0) return { text: pending > 9 ? "9+" : String(pending), colour: BADGE_COLOUR_CHALLENGE };
  if (reminderDue) return { text: "!", colour: BADGE_COLOUR_REMINDER };
  return { text: "", colour: BADGE_COLOUR_CHALLENGE };
}

export async function showBadge(badge: { text: string; colour: string }): Promise<void> {
  await browser.action.setBadgeText({ text: badge.text });
  await browser.action.setBadgeBackgroundColor({ color: badge.colour });
}
