// Background service worker: wiring only. Incoming messages pass acceptMessage (sender, origin,
// frame, schema) before anything acts on them; the logic lives in extension/lib/.
import { browser } from "wxt/browser";
import { defineBackground } from "wxt/utils/define-background";
import { syncGatewayContentScript } from "../lib/content-scripts";
import { hostPatternFor, originOf } from "../lib/gateways";
import { acceptMessage } from "../lib/messages";
import { openPopupOrSite, parseNotificationId, REMINDER_NOTIFICATION } from "../lib/prompts";
import { handleMessage, REMINDER_ALARM, wakeReminder, type RouterDeps } from "../lib/router";
import { gatewaysItem, snapshotsItem } from "../lib/storage";
import { accessibleGateways, IDLE_ALARM_PREFIX, POLL_ALARM, POLL_PERIOD_MINUTES, pollOpenGateways, promptIdleOnce, refreshAll } from "../lib/watcher";

export default defineBackground(() => {
  const deps: RouterDeps = {
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    hasAccess: (gateway) => browser.permissions.contains({ origins: [hostPatternFor(gateway.origin)] }),
    syncContentScript: syncGatewayContentScript,
  };

  const start = async () => {
    if (!(await browser.alarms.get(POLL_ALARM))) await browser.alarms.create(POLL_ALARM, { periodInMinutes: POLL_PERIOD_MINUTES });
    await syncGatewayContentScript(await accessibleGateways(deps));
    await refreshAll(deps);
  };
  browser.runtime.onInstalled.addListener(() => void start());
  browser.runtime.onStartup.addListener(() => void start());
  // Access withdrawn in the browser's own settings: stop watching that gateway at once.
  browser.permissions.onRemoved.addListener(() => void start());

  browser.alarms.onAlarm.addListener(async (alarm) => {
    if (alarm.name === POLL_ALARM) await pollOpenGateways(deps);
    else if (alarm.name === REMINDER_ALARM) await wakeReminder(deps);
    else if (alarm.name.startsWith(IDLE_ALARM_PREFIX)) {
      const origin = alarm.name.slice(IDLE_ALARM_PREFIX.length);
      const gateway = (await accessibleGateways(deps)).find((candidate) => candidate.origin === origin);
      const deadline = (await snapshotsItem.getValue())[origin]?.idleExpiresAt;
      if (gateway && deadline) await promptIdleOnce(deps, gateway, deadline);
    }
  });

  browser.runtime.onMessage.addListener((raw: unknown, sender) => {
    const context = async () => ({
      extensionId: browser.runtime.id,
      extensionOrigin: originOf(browser.runtime.getURL("/")) ?? "",
      gateways: await accessibleGateways(deps),
    });
    return context().then((ctx) => {
      const accepted = acceptMessage(raw, sender, ctx);
      if (!accepted.ok) return undefined; // dropped without an answer
      return handleMessage(deps, accepted.value);
    });
  });

  browser.notifications.onClicked.addListener(async (id) => {
    await browser.notifications.clear(id);
    const { origin } = parseNotificationId(id);
    const gateway = id === REMINDER_NOTIFICATION ? null : ((await gatewaysItem.getValue()).find((g) => g.origin === origin) ?? null);
    await openPopupOrSite(gateway);
  });
});
