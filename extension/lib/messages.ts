/**
 * The one message protocol between the extension's parts, typed once with valibot schemas, and
 * the check every incoming message goes through: who sent it (this extension only), from where
 * (an extension page, or the top frame of a watched gateway's tab) and what (the schema for that
 * kind of sender). Anything else is dropped without an answer.
 */
import * as v from "valibot";
import { browser, type Browser } from "wxt/browser";
import type { Gateway } from "./gateways";
import { originOf } from "./gateways";

const OriginString = v.pipe(v.string(), v.maxLength(2048), v.url());
const ChallengeId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{16,64}$/));

/** The methods the popup takes: 6-digit codes only (a recovery code is entered on the site). */
export const POPUP_METHODS = ["totp", "sms"] as const;
export type PopupMethod = (typeof POPUP_METHODS)[number];

/** Sent by the gateway content script about the page it runs in. */
export const ContentMessage = v.variant("type", [
  v.strictObject({ type: v.literal("challenge-page") }),
  /** Any other page of the gateway: what was pending may have been answered on the page itself. */
  v.strictObject({ type: v.literal("page-shown") }),
  v.strictObject({ type: v.literal("recovery-code-shown"), cause: v.picklist(["enrolled", "replaced"]) }),
]);
export type ContentMessage = v.InferOutput<typeof ContentMessage>;

/** Sent by the extension's own pages (popup, options). */
export const PageMessage = v.variant("type", [
  v.strictObject({ type: v.literal("refresh") }),
  v.strictObject({ type: v.literal("gateways-changed") }),
  v.strictObject({
    type: v.literal("verify"),
    origin: OriginString,
    challengeId: ChallengeId,
    method: v.picklist(POPUP_METHODS),
    code: v.pipe(v.string(), v.regex(/^[0-9]{6}$/)),
  }),
  v.strictObject({ type: v.literal("send-sms"), origin: OriginString, challengeId: ChallengeId }),
  v.strictObject({ type: v.literal("reminder-snooze") }),
  v.strictObject({ type: v.literal("reminder-confirm") }),
  v.strictObject({ type: v.literal("open-site"), origin: OriginString }),
]);
export type PageMessage = v.InferOutput<typeof PageMessage>;

export type Accepted =
  | { from: "page"; message: PageMessage }
  | { from: "content"; gateway: Gateway; tabId: number; message: ContentMessage };

export type Rejection = "foreign_extension" | "iframe" | "unwatched_origin" | "no_tab" | "bad_schema";

export interface ReceiveContext {
  extensionId: string;
  /** e.g. "chrome-extension://<id>" — the origin of the extension's own pages. */
  extensionOrigin: string;
  gateways: readonly Gateway[];
}

/** Classifies and validates one incoming message; a rejection says why (for tests and logs). */
export function acceptMessage(
  raw: unknown,
  sender: Browser.runtime.MessageSender,
  context: ReceiveContext,
): { ok: true; value: Accepted } | { ok: false; reason: Rejection } {
  if (sender.id !== context.extensionId) return { ok: false, reason: "foreign_extension" };
  // Chrome gives `origin` and `url`, Firefox only `url`; when both are given they must agree
  // (a disagreement means an odd frame such as about:blank inheriting an origin).
  const urlOrigin = originOf(sender.url);
  if (sender.origin !== undefined && sender.origin !== urlOrigin) return { ok: false, reason: "unwatched_origin" };

  if (urlOrigin === context.extensionOrigin) {
    const parsed = v.safeParse(PageMessage, raw);
    return parsed.success ? { ok: true, value: { from: "page", message: parsed.output } } : { ok: false, reason: "bad_schema" };
  }

  if (!sender.tab || typeof sender.tab.id !== "number") return { ok: false, reason: "no_tab" };
  // Only the top frame speaks for a tab: an iframe, even one of a watched origin, is ignored.
  if (sender.frameId !== 0) return { ok: false, reason: "iframe" };
  const gateway = context.gateways.find((candidate) => candidate.origin === urlOrigin);
  if (!gateway) return { ok: false, reason: "unwatched_origin" };
  const parsed = v.safeParse(ContentMessage, raw);
  if (!parsed.success) return { ok: false, reason: "bad_schema" };
  return { ok: true, value: { from: "content", gateway, tabId: sender.tab.id, message: parsed.output } };
}

/** What the background answers to a page message (verify and send-sms; the rest answer `null`). */
export type VerifyReply =
  | { ok: true; approvedAction: boolean }
  | { ok: false; code: string; retryAfterSeconds?: number };

/** A text message sent for a challenge: the masked number it went to ("•••• 0143"). */
export type SmsReply = { ok: true; phone: string } | { ok: false; code: string; retryAfterSeconds?: number };

/** Sends a page message to the background (the only way the popup and options page act). */
export function sendPageMessage(message: PageMessage): Promise<unknown> {
  return browser.runtime.sendMessage(message);
}
