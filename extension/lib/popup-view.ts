/**
 * The popup's DOM, built from a model and updated in place (a tick every second must not wipe a
 * half-typed code). The document comes in as a parameter; actions go out through `actions`.
 */
import type { Challenge } from "../../shared/protocol";
import { codeToSend, CODE_LENGTH, keepDigits } from "./code-input";
import { formatDuration, idlePhase, secondsLeft, secondsUntilNextCode } from "./countdown";
import { siteLabel, type Gateway } from "./gateways";
import { t } from "./i18n";
import { POPUP_METHODS, type PopupMethod, type SmsReply, type VerifyReply } from "./messages";
import { describeChallenge } from "./prompts";
import { isReminderDue, type ReminderState } from "./reminder";
import type { Snapshots } from "./storage";
import { describeVerifyError } from "./verify-errors";

export interface PopupModel {
  gateways: Gateway[];
  snapshots: Snapshots;
  reminder: ReminderState;
  nowMs: number;
}

export interface PopupActions {
  verify(origin: string, challengeId: string, method: PopupMethod, code: string): Promise<VerifyReply | null>;
  sendSms(origin: string, challengeId: string): Promise<SmsReply | null>;
  snoozeReminder(): void;
  confirmReminder(): void;
  openOptions(): void;
  openSite(origin: string): void;
}

/**
 * The methods the popup offers for a challenge, the authenticator app first. None (only a
 * recovery code, or every factor disabled): the person finishes on the site. A sensitive action
 * is approved here too; its request is then sent from the site's own tab with Continue
 * (docs/decisions/0011).
 */
function popupMethods(challenge: Challenge): PopupMethod[] {
  return POPUP_METHODS.filter((method) => challenge.methods.includes(method));
}

/** Answers after which this challenge cannot be retried from the popup. */
const FINAL_ERRORS = new Set(["CHALLENGE_NOT_FOUND", "CHALLENGE_EXPIRED", "UNAUTHENTICATED", "METHOD_UNAVAILABLE", "UNWATCHED_ORIGIN"]);

interface Card {
  element: HTMLLIElement;
  challenge: Challenge;
  timeLeft: HTMLElement;
  step: HTMLElement;
  /** The method the code input is for; the authenticator's 30-second step shows only for "totp". */
  method: PopupMethod;
  /** Answered (shows its result) or being answered: kept even when the gateway no longer lists it. */
  keep: boolean;
  done: boolean;
}

export function createPopupView(doc: Document, actions: PopupActions) {
  const byId = <T extends HTMLElement>(id: string) => doc.getElementById(id) as T;
  const list = byId<HTMLUListElement>("challenges");
  const cards = new Map<string, Card>();
  byId("reminder-confirm").addEventListener("click", () => actions.confirmReminder());
  byId("reminder-snooze").addEventListener("click", () => actions.snoozeReminder());
  byId("open-options").addEventListener("click", () => actions.openOptions());

  function buildCard(origin: string, challenge: Challenge): Card {
    const element = doc.createElement("li");
    element.className = "challenge";
    element.dataset.challengeId = challenge.id;
    const title = doc.createElement("h2");
    title.textContent = describeChallenge(challenge);
    const site = doc.createElement("p");
    site.className = "site";
    site.textContent = t("challengeSite", [siteLabel(origin)]);
    const timeLeft = doc.createElement("p");
    timeLeft.className = "time-left";
    element.append(title, site, timeLeft);
    const step = doc.createElement("p");
    step.className = "step muted";
    const status = doc.createElement("p");
    status.className = "result";
    status.setAttribute("role", "status");

    const methods = popupMethods(challenge);
    const first = methods[0];
    if (!first) {
      const note = doc.createElement("p");
      note.textContent = t("verifyOnlyOnSite");
      const open = doc.createElement("button");
      open.type = "button";
      open.textContent = t("openSite");
      open.addEventListener("click", () => actions.openSite(origin));
      element.append(note, open);
      return { element, challenge, timeLeft, step, method: "totp", keep: false, done: false };
    }

    const card: Card = { element, challenge, timeLeft, step, method: first, keep: false, done: false };
    const form = doc.createElement("form");
    const inputId = `code-${challenge.id}`;
    const label = doc.createElement("label");
    label.htmlFor = inputId;
    const input = doc.createElement("input");
    Object.assign(input, { id: inputId, name: "code", type: "text", required: true });
    input.setAttribute("inputmode", "numeric");
    input.setAttribute("autocomplete", "one-time-code");
    input.setAttribute("pattern", `[0-9]{${CODE_LENGTH}}`);
    input.setAttribute("maxlength", "16"); // room for a pasted "123 456"; trimmed to six digits
    input.addEventListener("input", () => {
      const digits = keepDigits(input.value);
      if (digits !== input.value) input.value = digits;
    });
    const button = doc.createElement("button");
    button.type = "submit";
    button.textContent = t("verifyButton");

    // A text message: sent only when the person asks; the page says where it went (masked).
    const sms = doc.createElement("p");
    sms.className = "sms";
    const smsButton = doc.createElement("button");
    smsButton.type = "button";
    smsButton.className = "secondary";
    const smsSent = doc.createElement("span");
    smsSent.className = "sms-sent";
    smsSent.setAttribute("role", "status");
    sms.append(smsButton, smsSent);
    smsButton.addEventListener("click", async () => {
      smsButton.disabled = true;
      const reply = await actions.sendSms(origin, challenge.id).catch(() => null);
      smsButton.disabled = false;
      if (reply?.ok) {
        smsSent.textContent = t("smsSent", [reply.phone]);
        smsButton.textContent = t("smsResend");
        status.textContent = "";
        status.removeAttribute("data-state");
        input.focus();
        return;
      }
      showResult(status, false, describeVerifyError(reply?.code ?? "UNKNOWN", reply?.retryAfterSeconds));
    });

    const showMethod = (method: PopupMethod) => {
      card.method = method;
      label.textContent = t(method === "totp" ? "codeLabel" : "codeLabelSms");
      step.hidden = method !== "totp";
      sms.hidden = method !== "sms";
      if (method === "sms" && !smsSent.textContent) smsButton.textContent = t("smsSend");
    };

    // Both methods: a choice, the authenticator app first (no text is sent until asked for).
    if (methods.length > 1) {
      const choice = doc.createElement("fieldset");
      choice.className = "methods";
      const legend = doc.createElement("legend");
      legend.textContent = t("methodLegend");
      choice.append(legend);
      for (const method of methods) {
        const radio = doc.createElement("input");
        Object.assign(radio, { type: "radio", name: `method-${challenge.id}`, id: `method-${method}-${challenge.id}`, value: method, checked: method === first });
        radio.addEventListener("change", () => radio.checked && showMethod(method));
        const radioLabel = doc.createElement("label");
        radioLabel.className = "radio";
        radioLabel.htmlFor = radio.id;
        radioLabel.textContent = t(method === "totp" ? "methodTotp" : "methodSms");
        choice.append(radio, radioLabel);
      }
      form.append(choice);
    }
    form.append(sms, label, input, step, button);
    element.append(form, status);
    showMethod(first);

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const code = codeToSend(input.value);
      if (!code) return showResult(status, false, t(card.method === "totp" ? "errorFormat" : "errorFormatSms"));
      button.disabled = true;
      card.keep = true;
      status.textContent = t("verifying");
      status.removeAttribute("data-state");
      const reply = await actions.verify(origin, challenge.id, card.method, code).catch(() => null);
      if (reply?.ok) {
        card.done = true;
        form.remove();
        return showResult(status, true, t(reply.approvedAction ? "verifyOkAction" : "verifyOk"));
      }
      const errorCode = reply?.code ?? "UNKNOWN";
      showResult(status, false, describeVerifyError(errorCode, reply?.retryAfterSeconds));
      if (FINAL_ERRORS.has(errorCode)) {
        // Nothing more can be done with this challenge here: keep the message, drop the form.
        card.done = true;
        form.remove();
        return;
      }
      button.disabled = false;
      card.keep = false;
      input.value = "";
      input.focus();
    });
    return card;
  }

  function updateChallenges(model: PopupModel): void {
    const seen = new Set<string>();
    for (const gateway of model.gateways) {
      for (const challenge of model.snapshots[gateway.origin]?.challenges ?? []) {
        const key = `${gateway.origin} ${challenge.id}`;
        seen.add(key);
        if (!cards.has(key)) {
          const card = buildCard(gateway.origin, challenge);
          cards.set(key, card);
          list.append(card.element);
        }
      }
    }
    for (const [key, card] of cards) {
      // An answered card stays (with its result) until the popup closes.
      if (!seen.has(key) && !card.keep) {
        card.element.remove();
        cards.delete(key);
      }
    }
  }

  function tick(nowMs: number): void {
    for (const card of cards.values()) {
      if (card.done) continue;
      const left = secondsLeft(card.challenge.expiresAt, nowMs);
      card.timeLeft.textContent = left > 0 ? t("challengeTimeLeft", [formatDuration(left)]) : t("challengeExpired");
      if (card.method === "totp") card.step.textContent = t("codeStep", [String(secondsUntilNextCode(nowMs))]);
    }
  }

  function updateIdle(model: PopupModel): void {
    const section = byId("idle");
    const text = byId("idle-text");
    const withDeadline = model.gateways
      .map((gateway) => ({ gateway, deadline: model.snapshots[gateway.origin]?.idleExpiresAt ?? null }))
      .filter((entry): entry is { gateway: Gateway; deadline: number } => entry.deadline !== null);
    const first = withDeadline[0];
    const phase = first ? idlePhase(first.deadline, model.nowMs) : "none";
    section.hidden = !first || phase === "none";
    if (!first) return;
    const time = formatDuration(secondsLeft(first.deadline, model.nowMs));
    section.dataset.phase = phase;
    text.textContent = phase === "ended" ? t("idleEnded") : phase === "soon" ? t("idleSoon", [time]) : t("idleLeft", [time]);
  }

  function updateReminder(model: PopupModel): void {
    const due = isReminderDue(model.reminder, model.nowMs);
    byId("reminder").hidden = !due;
    if (due && (model.reminder.status === "due" || model.reminder.status === "snoozed")) {
      byId("reminder-body").textContent = t(model.reminder.cause === "enrolled" ? "reminderBodyEnrolled" : "reminderBodyReplaced");
    }
  }

  function updateNotes(model: PopupModel): void {
    const notes = byId("notes");
    notes.replaceChildren();
    for (const gateway of model.gateways) {
      const status = model.snapshots[gateway.origin]?.status;
      if (status !== "signed_out" && status !== "unreachable") continue;
      const note = doc.createElement("li");
      note.textContent = t(status === "signed_out" ? "popupSignedOut" : "popupUnreachable", [siteLabel(gateway.origin)]);
      notes.append(note);
    }
    byId("no-gateways").hidden = model.gateways.length > 0;
    byId("empty").hidden = model.gateways.length === 0 || cards.size > 0;
  }

  return {
    update(model: PopupModel): void {
      updateChallenges(model);
      updateReminder(model);
      updateIdle(model);
      updateNotes(model);
      tick(model.nowMs);
    },
    tick,
  };
}

function showResult(status: HTMLElement, ok: boolean, text: string): void {
  status.dataset.state = ok ? "ok" : "error";
  status.setAttribute("role", ok ? "status" : "alert");
  status.textContent = text;
}
