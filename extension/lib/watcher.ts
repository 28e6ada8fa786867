/**
 * The background's view of the watched gateways: asks each for its pending challenges and payments
 * idle deadline, keeps the answers in session storage, and keeps the badge, the notifications and
 * the idle prompt alarm in step with them. Time, network and permission checks come in as `deps`.
 */
import { browser } from "wxt/browser";
import { badgeFor, countPending, showBadge } from "./badge";
import { formatDuration, idlePhase, idlePromptAt, secondsLeft } from "./countdown";
import { fetchChallenges, fetchIdleExpiresAt, type Fetch } from "./gateway-client";
import type { Gateway } from "./gateways";
import { findGatewayTabs, notifyChallenge, notifyIdleSoon } from "./prompts";
import { isReminderDue } from "./reminder";
import { gatewaysItem, idlePromptedItem, notifiedItem, reminderItem, snapshotsItem, type GatewaySnapshot } from "./storage";

export interface WatcherDeps {
  fetch: Fetch;
  now: () => number;
  /** Whether the person granted host access to this gateway (only then is it asked anything). */
  hasAccess: (gateway: Gateway) => Promise<boolean>;
}

export const POLL_ALARM = "poll";
export const POLL_PERIOD_MINUTES = 0.5;
export const IDLE_ALARM_PREFIX = "idle|";

/** The watched gateways the person granted access to. */
export async function accessibleGateways(deps: WatcherDeps): Promise<Gateway[]> {
  const gateways = await gatewaysItem.getValue();
  const granted = await Promise.all(gateways.map((gateway) => deps.hasAccess(gateway)));
  return gateways.filter((_, index) => granted[index]);
}

/** Asks one gateway what is pending, stores it, and announces anything new. */
export async function refreshGateway(deps: WatcherDeps, gateway: Gateway): Promise<GatewaySnapshot> {
  const [challenges, idleExpiresAt] = await Promise.all([fetchChallenges(deps.fetch, gateway), fetchIdleExpiresAt(deps.fetch, gateway)]);
  const snapshot: GatewaySnapshot = {
    status: challenges.status,
    challenges: challenges.status === "ok" ? challenges.challenges : [],
    idleExpiresAt,
    checkedAt: deps.now(),
  };
  const snapshots = await snapshotsItem.getValue();
  await snapshotsItem.setValue({ ...snapshots, [gateway.origin]: snapshot });
  await announceNewChallenges(gateway, snapshot);
  await scheduleIdlePrompt(deps, gateway, snapshot.idleExpiresAt);
  await updateBadge(deps);
  return snapshot;
}

/** Refreshes every accessible gateway and forgets the ones no longer watched. */
export async function refreshAll(deps: WatcherDeps): Promise<void> {
  const gateways = await accessibleGateways(deps);
  const snapshots = await snapshotsItem.getValue();
  const kept = Object.fromEntries(Object.entries(snapshots).filter(([origin]) => gateways.some((g) => g.origin === origin)));
  await snapshotsItem.setValue(kept);
  await Promise.all(gateways.map((gateway) => refreshGateway(deps, gateway)));
  await updateBadge(deps);
}

/**
 * The alarm's poll: only gateways with an open tab, or with challenges still shown (so they clear
 * when answered elsewhere), are asked. No tab, nothing pending: no network at all.
 */
export async function pollOpenGateways(deps: WatcherDeps): Promise<void> {
  const snapshots = await snapshotsItem.getValue();
  for (const gateway of await accessibleGateways(deps)) {
    const hasTab = (await findGatewayTabs(gateway)).length > 0;
    const showsChallenges = (snapshots[gateway.origin]?.challenges.length ?? 0) > 0;
    if (hasTab || showsChallenges) await refreshGateway(deps, gateway);
  }
  await updateBadge(deps);
}

export async function updateBadge(deps: Pick<WatcherDeps, "now">): Promise<void> {
  const nowMs = deps.now();
  const [snapshots, reminder] = await Promise.all([snapshotsItem.getValue(), reminderItem.getValue()]);
  await showBadge(badgeFor(countPending(snapshots, nowMs), isReminderDue(reminder, nowMs)));
}

async function announceNewChallenges(gateway: Gateway, snapshot: GatewaySnapshot): Promise<void> {
  const notified = await notifiedItem.getValue();
  const fresh = snapshot.challenges.filter((challenge) => !notified.includes(`${gateway.origin} ${challenge.id}`));
  if (fresh.length === 0) return;
  // Bounded: only the most recent ids matter for "already announced".
  await notifiedItem.setValue([...notified, ...fresh.map((challenge) => `${gateway.origin} ${challenge.id}`)].slice(-200));
  const newest = fresh[fresh.length - 1];
  if (newest) await notifyChallenge(gateway, newest);
}

/** Sets (or clears) the alarm that prompts a few minutes before the payments idle timeout. */
async function scheduleIdlePrompt(deps: WatcherDeps, gateway: Gateway, idleExpiresAt: number | null): Promise<void> {
  const name = `${IDLE_ALARM_PREFIX}${gateway.origin}`;
  const nowMs = deps.now();
  const phase = idlePhase(idleExpiresAt, nowMs);
  if (idleExpiresAt === null || phase === "none" || phase === "ended") {
    await browser.alarms.clear(name);
    return;
  }
  if (phase === "soon") {
    await browser.alarms.clear(name);
    await promptIdleOnce(deps, gateway, idleExpiresAt);
    return;
  }
  await browser.alarms.create(name, { when: idlePromptAt(idleExpiresAt, nowMs) });
}

/** Raises the "payments ends soon" prompt once per deadline. */
export async function promptIdleOnce(deps: Pick<WatcherDeps, "now">, gateway: Gateway, idleExpiresAt: number): Promise<boolean> {
  const prompted = await idlePromptedItem.getValue();
  if (prompted[gateway.origin] === idleExpiresAt) return false;
  if (idlePhase(idleExpiresAt, deps.now()) !== "soon") return false;
  await idlePromptedItem.setValue({ ...prompted, [gateway.origin]: idleExpiresAt });
  await notifyIdleSoon(gateway, formatDuration(secondsLeft(idleExpiresAt, deps.now())));
  return true;
}
