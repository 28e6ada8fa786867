/**
 * Recognises the gateway pages the extension cares about: the challenge form, and the
 * recovery-code page. The gateway names them in `<meta name="stepgate-page">`; a gateway without
 * the marker is recognised from the structure (not the path, so a custom prefix works). Reads
 * element presence and the marker only; never the recovery code's text or attributes.
 */
import type { ContentMessage } from "./messages";

const MARKED: Record<string, ContentMessage> = {
  challenge: { type: "challenge-page" },
  "recovery-code-enrolled": { type: "recovery-code-shown", cause: "enrolled" },
  "recovery-code-replaced": { type: "recovery-code-shown", cause: "replaced" },
};

export function detectGatewayPage(doc: Document): ContentMessage | null {
  const marker = doc.querySelector('head meta[name="stepgate-page"]')?.getAttribute("content");
  if (marker !== null && marker !== undefined) return Object.hasOwn(MARKED, marker) ? MARKED[marker]! : null;
  if (doc.querySelector('form input[name="challenge"]')) return { type: "challenge-page" };
  const recoveryForm = doc.querySelector('form[action$="/recovery-code/confirm"]');
  if (recoveryForm && doc.getElementById("recovery")) {
    // The gateway adds a notice when the code replaces one that was used or renewed.
    return { type: "recovery-code-shown", cause: doc.querySelector(".notice") ? "replaced" : "enrolled" };
  }
  return null;
}
