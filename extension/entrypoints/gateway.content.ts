// Content script for the watched gateways' pages (registered at run time for exactly those
// origins, top frame only). It tells the background two things and reads nothing else:
// a challenge page is open, or a "Save your recovery code" page is shown. It never reads the
// recovery code: only whether the page's code element exists.
import { defineContentScript } from "wxt/utils/define-content-script";
import { detectGatewayPage } from "../lib/page-detect";
import { sendContentMessage } from "../lib/content-messages";

export default defineContentScript({
  registration: "runtime",
  matches: [],
  main() {
    const message = detectGatewayPage(document);
    if (message) void sendContentMessage(message);
  },
});
