// Options page entry: wiring only (the logic is extension/lib/gateway-settings.ts and options-view.ts).
import { browser } from "wxt/browser";
import { addGateway, removeGateway, type PermissionPort } from "../../lib/gateway-settings";
import { localizeDocument } from "../../lib/i18n";
import { sendPageMessage } from "../../lib/messages";
import { createOptionsView } from "../../lib/options-view";
import { gatewaysItem } from "../../lib/storage";

const permissions: PermissionPort = {
  request: (origins) => browser.permissions.request({ origins }),
  remove: (origins) => browser.permissions.remove({ origins }),
};

localizeDocument(document);
const view = createOptionsView(document, {
  add: (input) => addGateway(input, permissions).then(async (result) => (result.ok && (await sendPageMessage({ type: "gateways-changed" })), result)),
  remove: (origin) => removeGateway(origin, permissions).then(() => sendPageMessage({ type: "gateways-changed" })).then(() => undefined),
  hasAccess: (origin) => browser.permissions.contains({ origins: [`${new URL(origin).protocol}//${new URL(origin).hostname}/*`] }),
});
gatewaysItem.watch((gateways) => void view.show(gateways));
void gatewaysItem.getValue().then((gateways) => view.show(gateways));
