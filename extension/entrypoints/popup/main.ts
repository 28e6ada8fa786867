// Popup entry: wiring only. State comes from storage (kept current by the background), actions go
// to the background as typed messages; the view is in extension/lib/popup-view.ts.
import { browser } from "wxt/browser";
import { localizeDocument } from "../../lib/i18n";
import { sendPageMessage, type SmsReply, type VerifyReply } from "../../lib/messages";
import { createPopupView, type PopupModel } from "../../lib/popup-view";
import { gatewaysItem, reminderItem, snapshotsItem } from "../../lib/storage";

localizeDocument(document);
const view = createPopupView(document, {
  verify: (origin, challengeId, method, code) => sendPageMessage({ type: "verify", origin, challengeId, method, code }) as Promise<VerifyReply | null>,
  sendSms: (origin, challengeId) => sendPageMessage({ type: "send-sms", origin, challengeId }) as Promise<SmsReply | null>,
  snoozeReminder: () => void sendPageMessage({ type: "reminder-snooze" }),
  confirmReminder: () => void sendPageMessage({ type: "reminder-confirm" }),
  openOptions: () => void browser.runtime.openOptionsPage(),
  openSite: (origin) => void sendPageMessage({ type: "open-site", origin }),
});

const model: PopupModel = { gateways: [], snapshots: {}, reminder: { status: "none" }, nowMs: Date.now() };
const render = () => view.update({ ...model, nowMs: Date.now() });

async function load(): Promise<void> {
  [model.gateways, model.snapshots, model.reminder] = await Promise.all([gatewaysItem.getValue(), snapshotsItem.getValue(), reminderItem.getValue()]);
  render();
}

gatewaysItem.watch((value) => ((model.gateways = value), render()));
snapshotsItem.watch((value) => ((model.snapshots = value), render()));
reminderItem.watch((value) => ((model.reminder = value), render()));
setInterval(render, 1000);
void load().then(() => sendPageMessage({ type: "refresh" }));
