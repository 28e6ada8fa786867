// Every message the background acts on passes acceptMessage: this extension only, an extension
// page or the top frame of a watched gateway, and the schema for that kind of sender.
import { describe, expect, test } from "vitest";
import { acceptMessage, type ReceiveContext } from "../../extension/lib/messages";
import { EXTENSION_ID, EXTENSION_ORIGIN, GATEWAY } from "./fixtures";

const context: ReceiveContext = { extensionId: EXTENSION_ID, extensionOrigin: EXTENSION_ORIGIN, gateways: [GATEWAY] };
const popup = { id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}/popup.html`, origin: EXTENSION_ORIGIN };
const gatewayTab = { id: EXTENSION_ID, url: `${GATEWAY.origin}/_stepgate/challenge?next=%2F`, origin: GATEWAY.origin, frameId: 0, tab: { id: 7 } as never };
const verify = { type: "verify", origin: GATEWAY.origin, challengeId: "chal_0123456789abcdef", method: "totp", code: "123456" };
const sendSms = { type: "send-sms", origin: GATEWAY.origin, challengeId: "chal_0123456789abcdef" };

describe("acceptMessage", () => {
  test("accepts a well-formed page message from the extension's own page", () => {
    expect(acceptMessage(verify, popup, context)).toEqual({ ok: true, value: { from: "page", message: verify } });
    expect(acceptMessage({ type: "refresh" }, { ...popup, origin: undefined }, context).ok).toBe(true); // Firefox: url only
    expect(acceptMessage({ ...verify, method: "sms" }, popup, context).ok).toBe(true);
    expect(acceptMessage(sendSms, popup, context)).toEqual({ ok: true, value: { from: "page", message: sendSms } });
  });

  test("accepts a content message from the top frame of a watched gateway, naming that gateway", () => {
    const result = acceptMessage({ type: "recovery-code-shown", cause: "enrolled" }, gatewayTab, context);
    expect(result).toEqual({ ok: true, value: { from: "content", gateway: GATEWAY, tabId: 7, message: { type: "recovery-code-shown", cause: "enrolled" } } });
  });

  test.each([
    ["another extension", verify, { ...popup, id: "abcdefghijklmnopabcdefghijklmnop" }, "foreign_extension"],
    ["a page with no sender id", verify, { ...popup, id: undefined }, "foreign_extension"],
    ["an unwatched origin", { type: "challenge-page" }, { ...gatewayTab, url: "https://evil.example.net/_stepgate/challenge", origin: "https://evil.example.net" }, "unwatched_origin"],
    ["a watched host on another port", { type: "challenge-page" }, { ...gatewayTab, url: "https://app.example.com:8443/x", origin: "https://app.example.com:8443" }, "unwatched_origin"],
    ["an iframe, even of the gateway", { type: "challenge-page" }, { ...gatewayTab, frameId: 3 }, "iframe"],
    ["origin and url that disagree", { type: "challenge-page" }, { ...gatewayTab, origin: "null" }, "unwatched_origin"],
    ["a content sender without a tab", { type: "challenge-page" }, { ...gatewayTab, tab: undefined }, "no_tab"],
    ["a page message from a content script", verify, gatewayTab, "bad_schema"],
    ["a content message from a page", { type: "challenge-page" }, popup, "bad_schema"],
    ["a code that is not six digits", { ...verify, code: "12345a" }, popup, "bad_schema"],
    ["a malformed challenge id", { ...verify, challengeId: "../../admin" }, popup, "bad_schema"],
    ["extra fields", { ...verify, grant: "x" }, popup, "bad_schema"],
    ["a verify without its method", { ...verify, method: undefined }, popup, "bad_schema"],
    ["a recovery code (entered on the site only)", { ...verify, method: "recovery", code: "1".repeat(32) }, popup, "bad_schema"],
    ["a text message asked from a content script", sendSms, gatewayTab, "bad_schema"],
    ["a text message with a phone number", { ...sendSms, phone: "+12025550143" }, popup, "bad_schema"],
    ["an unknown type", { type: "steal-cookies" }, popup, "bad_schema"],
    ["not an object", "refresh", popup, "bad_schema"],
    ["an unknown recovery cause", { type: "recovery-code-shown", cause: "code:1234" }, gatewayTab, "bad_schema"],
  ])("rejects %s", (_name, raw, sender, reason) => {
    expect(acceptMessage(raw, sender, context)).toEqual({ ok: false, reason });
  });

  test("any other gateway page is reported by its kind only", () => {
    expect(acceptMessage({ type: "page-shown" }, gatewayTab, context)).toEqual({ ok: true, value: { from: "content", gateway: GATEWAY, tabId: 7, message: { type: "page-shown" } } });
    expect(acceptMessage({ type: "page-shown", url: "https://app.example.com/x" }, gatewayTab, context)).toEqual({ ok: false, reason: "bad_schema" });
  });

  test("a gateway that is no longer watched is ignored", () => {
    expect(acceptMessage({ type: "challenge-page" }, gatewayTab, { ...context, gateways: [] })).toEqual({ ok: false, reason: "unwatched_origin" });
  });
});
