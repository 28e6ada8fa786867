// Content script for the watched gateways' pages (registered at run time for exactly those
// origins, top frame only). It tells the background which kind of page is shown and reads
// nothing else: a challenge page, a "Save your recovery code" page, or any other page (so a
// challenge answered on the page itself leaves the badge promptly). It never reads the recovery
// code: only whether the page's code element exists.
import { defineContentScript } from "wxt/utils/define-content-script";
import { detectGatewayPage } from "../lib/page-detect";
import { sendContentMessage } from "../lib/content-messages";

export default defineContentScript({
  registration: "runtime",
  matches: [],
  main() {
    void sendContentMessage(detectGatewayPage(document) ?? { type: "page-shown" });
  },
});
