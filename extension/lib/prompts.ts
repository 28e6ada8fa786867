/**
 * Notifications the background raises (a new challenge, the payments idle deadline, the
 * recovery-code reminder) and where a click on one leads: the popup when the browser lets an
 * extension open it, otherwise the gateway tab that shows the challenge, otherwise a new tab.
 */
import { browser, type Browser } from "wxt/browser";
import type { Challenge } from "../../shared/protocol";
import { siteLabel, type Gateway } from "./gateways";
import { t } from "./i18n";
import type { ReminderCause } from "./reminder";

const ICON = "/icon/128.png";
export const REMINDER_NOTIFICATION = "reminder";

/** Notification ids carry their kind and gateway origin: "challenge|<origin>", "idle|<origin>". */
export function notificationId(kind: "challenge" | "idle", origin: string): string {
  return `${kind}|${origin}`;
}

export function parseNotificationId(id: string): { kind: string; origin: string | null } {
  const [kind = "", origin = null] = id.split("|", 2);
  return { kind, origin };
}

export function describeChallenge(challenge: Challenge): string {
  if (challenge.action?.summary) return challenge.action.summary;
  const reasons = { login: "reasonLogin", payments_entry: "reasonPaymentsEntry", sensitive_action: "reasonSensitiveAction", idle: "reasonIdle" } as const;
  return t(reasons[challenge.reason]);
}

/**
 * Shows a notification. A browser or OS that refuses notifications must not stop the badge or the
 * popup from working, so a failure is swallowed here.
 */
async function show(id: string, options: Browser.notifications.NotificationCreateOptions): Promise<void> {
  try {
    await browser.notifications.create(id, options);
  } catch {
    // notifications blocked or unsupported: the badge and popup still show everything
  }
}

export async function notifyChallenge(gateway: Gateway, challenge: Challenge): Promise<void> {
  await show(notificationId("challenge", gateway.origin), {
    type: "basic",
    iconUrl: ICON,
    title: t("notifyChallengeTitle"),
    message: t("notifyChallengeBody", [describeChallenge(challenge), siteLabel(gateway.origin)]),
    requireInteraction: true,
  });
}

export async function notifyIdleSoon(gateway: Gateway, timeLeft: string): Promise<void> {
  await show(notificationId("idle", gateway.origin), {
    type: "basic",
    iconUrl: ICON,
    title: t("notifyIdleTitle"),
    message: t("idleSoon", [timeLeft]),
  });
}

export async function notifyReminder(cause: ReminderCause): Promise<void> {
  await show(REMINDER_NOTIFICATION, {
    type: "basic",
    iconUrl: ICON,
    title: t("reminderTitle"),
    message: t(cause === "enrolled" ? "reminderBodyEnrolled" : "reminderBodyReplaced"),
  });
}

/** Opens the popup; where that is not possible, focuses `gateway`'s challenge tab or opens one. */
export async function openPopupOrSite(gateway: Gateway | null): Promise<void> {
  try {
    // Chrome 127+ and Firefox allow this from a notification click; older browsers throw.
    await browser.action.openPopup();
    return;
  } catch {
    // fall through
  }
  if (!gateway) {
    await browser.tabs.create({ url: browser.runtime.getURL("/popup.html") });
    return;
  }
  await focusGatewayTab(gateway);
}

/** Focuses the tab showing the gateway's challenge page (or any of its pages), else opens it. */
export async function focusGatewayTab(gateway: Gateway): Promise<void> {
  const tabs = await findGatewayTabs(gateway);
  const best = tabs.find((tab) => tab.url?.startsWith(`${gateway.origin}${gateway.prefix}/challenge`)) ?? tabs[0];
  if (best?.id !== undefined) {
    await browser.tabs.update(best.id, { active: true });
    if (best.windowId !== undefined) await browser.windows.update(best.windowId, { focused: true });
    return;
  }
  await browser.tabs.create({ url: `${gateway.origin}/` });
}

/** Tabs on the gateway's exact origin (the host permission lets the extension see their URLs). */
export async function findGatewayTabs(gateway: Gateway) {
  const tabs = await browser.tabs.query({});
  return tabs.filter((tab) => tab.url !== undefined && tab.url.startsWith(`${gateway.origin}/`));
}
