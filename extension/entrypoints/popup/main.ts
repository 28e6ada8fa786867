// Popup entry. Placeholder: the pending-challenge list arrives with the real extension.
import { browser } from "wxt/browser";

const status = document.querySelector<HTMLParagraphElement>("#status");
if (status) status.title = `Stepgate ${browser.runtime.getManifest().version}`;
