/**
 * Keeps the gateway content script registered for exactly the gateways the person granted access
 * to (no static content_scripts: the origins are only known at run time).
 */
import { browser } from "wxt/browser";
import { hostPatternFor, type Gateway } from "./gateways";

export const GATEWAY_SCRIPT_ID = "stepgate-gateway";
export const GATEWAY_SCRIPT_FILE = "content-scripts/gateway.js";

export async function syncGatewayContentScript(gateways: readonly Gateway[]): Promise<void> {
  const registered = await browser.scripting.getRegisteredContentScripts({ ids: [GATEWAY_SCRIPT_ID] });
  if (registered.length > 0) await browser.scripting.unregisterContentScripts({ ids: [GATEWAY_SCRIPT_ID] });
  if (gateways.length === 0) return;
  // Patterns cannot name a port; the background still drops messages from any other origin.
  const matches = [...new Set(gateways.map((gateway) => hostPatternFor(gateway.origin)))];
  await browser.scripting.registerContentScripts([
    { id: GATEWAY_SCRIPT_ID, matches, js: [GATEWAY_SCRIPT_FILE], runAt: "document_idle", allFrames: false, persistAcrossSessions: true },
  ]);
}
