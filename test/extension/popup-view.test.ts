// The popup's view on the real popup.html (linkedom): a card per challenge with what is being
// approved, the site and the time left; digits-only input; success and each error state shown.
import { readFileSync } from "node:fs";
import { parseHTML } from "linkedom";
import { beforeEach, expect, test } from "vitest";
import type { SmsReply, VerifyReply } from "../../extension/lib/messages";
import { createPopupView, type PopupModel } from "../../extension/lib/popup-view";
import type { Challenge } from "../../shared/protocol";
import { challenge, GATEWAY, NOW } from "./fixtures";

const HTML = readFileSync(new URL("../../extension/entrypoints/popup/index.html", import.meta.url), "utf8");
let doc: Document;
let window: Window & typeof globalThis;
let replies: (VerifyReply | null)[];
let sent: string[];
let methodsSent: string[];
let smsReplies: (SmsReply | null)[];
let smsAsked: string[];

function view() {
  const v = createPopupView(doc, {
    verify: async (_origin, _id, method, code) => (sent.push(code), methodsSent.push(method), replies.shift() ?? null),
    sendSms: async (_origin, id) => (smsAsked.push(id), smsReplies.shift() ?? null),
    snoozeReminder: () => {},
    confirmReminder: () => {},
    openOptions: () => {},
    openSite: () => {},
  });
  return v;
}

const ENTRY = challenge({ reason: "payments_entry", action: undefined });
const model = (overrides: Partial<PopupModel> = {}): PopupModel => ({
  gateways: [GATEWAY],
  snapshots: { [GATEWAY.origin]: { status: "ok", challenges: [ENTRY], idleExpiresAt: null, checkedAt: NOW } },
  reminder: { status: "none" },
  nowMs: NOW,
  ...overrides,
});

beforeEach(() => {
  ({ document: doc, window } = parseHTML(HTML) as unknown as { document: Document; window: Window & typeof globalThis });
  replies = [];
  sent = [];
  methodsSent = [];
  smsReplies = [];
  smsAsked = [];
});

async function submit(code: string) {
  const input = doc.querySelector<HTMLInputElement>('input[name="code"]')!;
  input.value = code;
  input.dispatchEvent(new window.Event("input"));
  doc.querySelector("form")!.dispatchEvent(new window.Event("submit", { cancelable: true }));
  await new Promise((resolve) => setTimeout(resolve, 0));
  return doc.querySelector(".result");
}

test("a card shows what is being approved, the site, the time left and the code window", () => {
  view().update(model());
  const card = doc.querySelector(".challenge")!;
  expect(card.querySelector("h2")?.textContent).toBe("Open the payments area");
  expect(card.querySelector(".site")?.textContent).toBe("Site: app.example.com");
  expect(card.querySelector(".time-left")?.textContent).toBe("Time left: 5:00");
  expect(card.querySelector(".step")?.textContent).toBe("Current code changes in 20 s");
  expect(card.querySelector('input[name="code"]')?.getAttribute("autocomplete")).toBe("one-time-code");
  expect(doc.getElementById("empty")?.hidden).toBe(true);
});

test("a sensitive action shows its summary and takes its code; success says the site's page sends it", async () => {
  view().update(model({ snapshots: { [GATEWAY.origin]: { status: "ok", challenges: [challenge()], idleExpiresAt: null, checkedAt: NOW } } }));
  const card = doc.querySelector(".challenge")!;
  expect(card.querySelector("h2")?.textContent).toBe("Submit disbursement of $12,400.00 to Acme Drywall");
  expect(card.querySelector(".site")?.textContent).toBe("Site: app.example.com");
  expect(card.querySelector(".time-left")?.textContent).toBe("Time left: 5:00");
  expect(card.querySelector("form")).not.toBeNull();
  replies = [{ ok: true, approvedAction: true }];
  const result = await submit("654321");
  expect(sent).toEqual(["654321"]);
  expect(result?.textContent).toBe("Approved. Nothing has been sent yet: press Continue on the site's page to send it.");
});

test("input keeps digits only; a short code is refused locally without a request", async () => {
  view().update(model());
  const result = await submit("12 3a");
  expect(doc.querySelector<HTMLInputElement>('input[name="code"]')?.value).toBe("123");
  expect(result?.textContent).toBe("Enter the 6 digits your authenticator app shows.");
  expect(sent).toEqual([]);
});

test("success replaces the form with the approval, and the card stays after the gateway drops it", async () => {
  const v = view();
  v.update(model());
  replies = [{ ok: true, approvedAction: false }];
  const result = await submit("123 456");
  expect(sent).toEqual(["123456"]);
  expect(result?.textContent).toBe("Approved. The site continues.");
  expect(result?.getAttribute("data-state")).toBe("ok");
  expect(doc.querySelector("form")).toBeNull();
  v.update(model({ snapshots: { [GATEWAY.origin]: { status: "ok", challenges: [], idleExpiresAt: null, checkedAt: NOW } } }));
  expect(doc.querySelectorAll(".challenge").length).toBe(1);
});

test.each([
  [{ ok: false, code: "INVALID_CODE" }, "That code is not valid. Check it and try the current code.", true],
  [{ ok: false, code: "TOO_MANY_ATTEMPTS", retryAfterSeconds: 30 }, "Too many attempts. Try again in 30 s.", true],
  [{ ok: false, code: "CHALLENGE_EXPIRED" }, "This request has expired. Start again on the site.", false],
  [{ ok: false, code: "CHALLENGE_NOT_FOUND" }, "This request is no longer pending.", false],
  [{ ok: false, code: "UNAUTHENTICATED" }, "You are signed out of this site. Sign in again.", false],
  [null, "Something went wrong. Try again on the site.", true],
] as const)("error %j is shown as an alert; retry possible: %s", async (reply, text, retry) => {
  view().update(model());
  replies = [reply as VerifyReply | null];
  const result = await submit("123456");
  expect(result?.textContent).toBe(text);
  expect(result?.getAttribute("role")).toBe("alert");
  expect(doc.querySelector("form") !== null).toBe(retry);
});

test("reminder, idle countdown and signed-out notes", () => {
  view().update(
    model({
      reminder: { status: "due", cause: "replaced", since: NOW },
      snapshots: { [GATEWAY.origin]: { status: "signed_out", challenges: [], idleExpiresAt: NOW + 2 * 60_000, checkedAt: NOW } },
    }),
  );
  expect(doc.getElementById("reminder")?.hidden).toBe(false);
  expect(doc.getElementById("reminder-body")?.textContent).toContain("used or replaced");
  expect(doc.getElementById("idle")?.hidden).toBe(false);
  expect(doc.getElementById("idle")?.dataset.phase).toBe("soon");
  expect(doc.getElementById("idle-text")?.textContent).toBe("Your payments session ends in 2:00. Use the payments page to stay in.");
  expect(doc.getElementById("notes")?.textContent).toBe("Not signed in at app.example.com.");
  expect(doc.getElementById("empty")?.hidden).toBe(false);
});

test("a challenge the popup cannot take (no authenticator method) sends the person to the site", () => {
  view().update(model({ snapshots: { [GATEWAY.origin]: { status: "ok", challenges: [{ ...ENTRY, methods: ["recovery"] }], idleExpiresAt: null, checkedAt: NOW } } }));
  expect(doc.querySelector("form")).toBeNull();
  expect(doc.querySelector(".challenge")?.textContent).toContain("Finish it on the site.");
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const withMethods = (methods: Challenge["methods"]) =>
  model({ snapshots: { [GATEWAY.origin]: { status: "ok", challenges: [{ ...ENTRY, methods }], idleExpiresAt: null, checkedAt: NOW } } });

test("with an app and a phone: the app first, and a text is sent only when the person asks for it", async () => {
  view().update(withMethods(["totp", "sms", "recovery"]));
  const radios = [...doc.querySelectorAll<HTMLInputElement>('input[type="radio"]')];
  expect(radios.map((radio) => [radio.value, radio.checked])).toEqual([["totp", true], ["sms", false]]);
  expect(doc.querySelector("legend")?.textContent).toBe("Verify with");
  expect(doc.querySelector<HTMLElement>(".sms")?.hidden).toBe(true);
  expect(doc.querySelector("form > label:not(.radio)")?.textContent).toBe("6-digit code from your authenticator app");

  radios[1]!.checked = true;
  radios[1]!.dispatchEvent(new window.Event("change"));
  expect(doc.querySelector<HTMLElement>(".sms")?.hidden).toBe(false);
  expect(doc.querySelector<HTMLElement>(".step")?.hidden).toBe(true);
  expect(doc.querySelector("form > label:not(.radio)")?.textContent).toBe("6-digit code from the text message");
  expect(smsAsked).toEqual([]);

  smsReplies = [{ ok: true, phone: "•••• 0143" }];
  doc.querySelector<HTMLButtonElement>(".sms button")!.click();
  await tick();
  expect(smsAsked).toEqual([ENTRY.id]);
  expect(doc.querySelector(".sms-sent")?.textContent).toBe("We texted a code to •••• 0143. It replaces any earlier one.");
  expect(doc.querySelector(".sms button")?.textContent).toBe("Text me a new code");
  replies = [{ ok: true, approvedAction: false }];
  expect((await submit("654321"))?.textContent).toBe("Approved. The site continues.");
  expect(methodsSent).toEqual(["sms"]);
});

test("a phone only: the card offers the text message; a refused send is shown and nothing is verified", async () => {
  view().update(withMethods(["sms", "recovery"]));
  expect(doc.querySelector('input[type="radio"]')).toBeNull();
  expect(doc.querySelector(".sms button")?.textContent).toBe("Text me a code");
  smsReplies = [{ ok: false, code: "SMS_RATE_LIMITED", retryAfterSeconds: 40 }];
  doc.querySelector<HTMLButtonElement>(".sms button")!.click();
  await tick();
  expect(doc.querySelector(".result")?.textContent).toBe("Too many text messages. Try again in 40 s, or use another method.");
  expect(doc.querySelector(".result")?.getAttribute("role")).toBe("alert");
  expect((await submit("12"))?.textContent).toBe("Enter the 6 digits from the text message.");
  expect(sent).toEqual([]);
});
