/**
 * Text lookups from _locales/<lang>/messages.json (keys typed from the English file by WXT). A
 * missing message shows its key, so an untranslated string is visible rather than blank.
 */
import { browser } from "wxt/browser";

export type MessageKey = Parameters<typeof browser.i18n.getMessage>[0];

export function t(key: MessageKey, substitutions?: string[]): string {
  const text = typeof browser.i18n?.getMessage === "function" ? browser.i18n.getMessage(key, substitutions) : "";
  return text || key;
}

/** Fills every `[data-i18n]` element's text from the message of that name. */
export function localizeDocument(root: ParentNode): void {
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    const key = element.dataset.i18n;
    if (key) element.textContent = t(key as MessageKey);
  }
}
