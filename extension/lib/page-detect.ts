/**
 * Recognises the gateway pages the extension cares about from their structure (not their path,
 * so a custom prefix works): the challenge form, and the recovery-code page. Reads element
 * presence only; never the recovery code's text or attributes.
 */
import type { ContentMessage } from "./messages";

export function detectGatewayPage(doc: Document): ContentMessage | null {
  if (doc.querySelector('form input[name="challenge"]')) return { type: "challenge-page" };
  const recoveryForm = doc.querySelector('form[action$="/recovery-code/confirm"]');
  if (recoveryForm && doc.getElementById("recovery")) {
    // The gateway adds a notice when the code replaces one that was used or renewed.
    return { type: "recovery-code-shown", cause: doc.querySelector(".notice") ? "replaced" : "enrolled" };
  }
  return null;
}
