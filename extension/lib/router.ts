/**
 * What the background does with each accepted message. The caller (the background entrypoint)
 * has already run acceptMessage, so everything here is from this extension and well-formed.
 */
import { browser } from "wxt/browser";
import { sendChallengeSms, verifyChallenge } from "./gateway-client";
import type { Gateway } from "./gateways";
import type { Accepted, PopupMethod, SmsReply, VerifyReply } from "./messages";
import { findGatewayTabs, focusGatewayTab, notifyReminder, REMINDER_NOTIFICATION } from "./prompts";
import * as reminder from "./reminder";
import { gatewaysItem, reminderItem, snapshotsItem } from "./storage";
import { accessibleGateways, refreshAll, refreshGateway, updateBadge, type WatcherDeps } from "./watcher";

export const REMINDER_ALARM = "reminder";

export interface RouterDeps extends WatcherDeps {
  /** Re-registers the content script after the watched gateways changed. */
  syncContentScript: (gateways: Gateway[]) => Promise<void>;
}

export async function handleMessage(deps: RouterDeps, accepted: Accepted): Promise<VerifyReply | SmsReply | null> {
  if (accepted.from === "content") {
    const { message, gateway } = accepted;
    if (message.type === "challenge-page") await refreshGateway(deps, gateway);
    else if (message.type === "page-shown") await refreshIfShowing(deps, gateway);
    else await remindAboutRecoveryCode(deps, message.cause);
    return null;
  }
  const message = accepted.message;
  switch (message.type) {
    case "refresh":
      await refreshAll(deps);
      return null;
    case "gateways-changed":
      await deps.syncContentScript(await accessibleGateways(deps));
      await refreshAll(deps);
      return null;
    case "verify":
      return verify(deps, message.origin, message.challengeId, message.method, message.code);
    case "send-sms": {
      const gateway = await watchedGateway(deps, message.origin);
      return gateway ? sendChallengeSms(deps.fetch, gateway, message.challengeId) : { ok: false, code: "UNWATCHED_ORIGIN" };
    }
    case "reminder-snooze":
      await setReminder(deps, reminder.snooze(await reminderItem.getValue(), deps.now()));
      return null;
    case "reminder-confirm":
      await setReminder(deps, reminder.confirm(await reminderItem.getValue(), deps.now()));
      return null;
    case "open-site": {
      const gateway = (await gatewaysItem.getValue()).find((candidate) => candidate.origin === message.origin);
      if (gateway) await focusGatewayTab(gateway);
      return null;
    }
  }
}

/**
 * A page of the gateway loaded: refresh what the badge or popup shows. A pending challenge may
 * just have been answered on the page: always ask. The idle countdown alone moves by minutes:
 * ask at most every 2 s, so a burst of navigations is not a burst of calls.
 */
const IDLE_REFRESH_MIN_MS = 2_000;
async function refreshIfShowing(deps: RouterDeps, gateway: Gateway): Promise<void> {
  const snapshot = (await snapshotsItem.getValue())[gateway.origin];
  if (!snapshot) return;
  const idleOnly = snapshot.challenges.length === 0;
  if (idleOnly && (snapshot.idleExpiresAt === null || deps.now() - snapshot.checkedAt < IDLE_REFRESH_MIN_MS)) return;
  await refreshGateway(deps, gateway);
}

/** The watched gateway at `origin` that the extension still has host access to, or none. */
async function watchedGateway(deps: RouterDeps, origin: string): Promise<Gateway | undefined> {
  return (await accessibleGateways(deps)).find((candidate) => candidate.origin === origin);
}

async function verify(deps: RouterDeps, origin: string, challengeId: string, method: PopupMethod, code: string): Promise<VerifyReply> {
  const gateway = await watchedGateway(deps, origin);
  if (!gateway) return { ok: false, code: "UNWATCHED_ORIGIN" };
  const outcome = await verifyChallenge(deps.fetch, gateway, challengeId, method, code);
  await refreshGateway(deps, gateway);
  if (!outcome.ok) return outcome;
  await browser.notifications.clear(`challenge|${gateway.origin}`);
  await moveOnChallengeTabs(gateway, challengeId, outcome.approvedAction);
  return { ok: true, approvedAction: outcome.approvedAction };
}

/**
 * A tab still waiting on a challenge page (sign-in `/challenge`, step-up `/verify`) moves on once
 * the challenge is passed: to its `next` path when it names a safe same-origin one, else a reload.
 * An approved sensitive action's own `/verify` tab is reloaded and brought to the front instead:
 * the gateway then shows its Continue page there (docs/decisions/0011). Other tabs are left alone.
 */
async function moveOnChallengeTabs(gateway: Gateway, challengeId: string, approvedAction: boolean): Promise<void> {
  const waitingPaths = [`${gateway.prefix}/challenge`, `${gateway.prefix}/verify`];
  for (const tab of await findGatewayTabs(gateway)) {
    if (tab.id === undefined || !tab.url) continue;
    const url = new URL(tab.url);
    if (!waitingPaths.includes(url.pathname)) continue;
    if (approvedAction) {
      if (url.pathname !== `${gateway.prefix}/verify` || url.searchParams.get("id") !== challengeId) continue;
      // Brought to the front: the person's next step (Continue) is on that page.
      await browser.tabs.reload(tab.id);
      await browser.tabs.update(tab.id, { active: true });
      if (tab.windowId !== undefined) await browser.windows.update(tab.windowId, { focused: true }).catch(() => undefined);
      continue;
    }
    const next = safeNextPath(url.searchParams.get("next"));
    if (next) await browser.tabs.update(tab.id, { url: `${gateway.origin}${next}` });
    else await browser.tabs.reload(tab.id);
  }
}

/** `next` when it is a path on the same origin ("/x", not "//host" or "/\\host"), else null. */
export function safeNextPath(next: string | null): string | null {
  if (!next || next.length > 2048 || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
  return next;
}

export async function remindAboutRecoveryCode(deps: Pick<WatcherDeps, "now">, cause: reminder.ReminderCause): Promise<void> {
  const before = await reminderItem.getValue();
  const after = reminder.onRecoveryCodeShown(before, cause, deps.now());
  if (after === before) return;
  await setReminder(deps, after);
  await notifyReminder(cause);
}

/** Stores the reminder state, keeps its wake-up alarm and the badge in step. */
export async function setReminder(deps: Pick<WatcherDeps, "now">, state: reminder.ReminderState): Promise<void> {
  await reminderItem.setValue(state);
  if (state.status === "snoozed") await browser.alarms.create(REMINDER_ALARM, { when: state.until });
  else await browser.alarms.clear(REMINDER_ALARM);
  if (state.status === "confirmed") await browser.notifications.clear(REMINDER_NOTIFICATION);
  await updateBadge(deps);
}

/** The snooze alarm fired: the reminder is due again. */
export async function wakeReminder(deps: Pick<WatcherDeps, "now">): Promise<void> {
  const state = reminder.wakeUp(await reminderItem.getValue(), deps.now());
  await reminderItem.setValue(state);
  if (state.status === "due") await notifyReminder(state.cause);
  await updateBadge(deps);
}
