// fakeBrowser has no i18n: answer getMessage from the real English messages.json, placeholders
// included, so tests read the text a person sees.
import { fakeBrowser } from "wxt/testing/fake-browser";
import messages from "../../extension/public/_locales/en/messages.json";

type Entry = { message: string; placeholders?: Record<string, { content: string }> };
const table = messages as Record<string, Entry>;

function getMessage(key: string, substitutions?: string | string[]): string {
  const entry = table[key];
  if (!entry) return "";
  const subs = substitutions === undefined ? [] : Array.isArray(substitutions) ? substitutions : [substitutions];
  return entry.message.replace(/\$([A-Za-z0-9_]+)\$/g, (_, name: string) => {
    const content = entry.placeholders?.[name.toLowerCase()]?.content ?? "";
    return content.replace(/\$(\d)/g, (_m, index: string) => subs[Number(index) - 1] ?? "");
  });
}

Object.assign(fakeBrowser.i18n, { getMessage });
