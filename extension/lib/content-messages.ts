/** The content script's only outgoing call: a typed message to this extension's background. */
import { browser } from "wxt/browser";
import type { ContentMessage } from "./messages";

export function sendContentMessage(message: ContentMessage): Promise<unknown> {
  return browser.runtime.sendMessage(message);
}
