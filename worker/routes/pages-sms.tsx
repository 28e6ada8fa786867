/**
 * SMS pages: enroll a phone (phone form → code → recovery code) and text a code for a challenge
 * page (login or step-up). Same rules as the JSON API (flows-sms.ts); forms are CSRF-checked.
 */
import { Hono, type Context } from "hono";
import { formatRecoveryCode } from "../../shared/codes";
import type { AppEnv } from "../env";
import { toWire, type WireReason } from "../lib/errors";
import * as smsFlows from "../flows-sms";
import { smsCountriesFor } from "../messaging/availability";
import { maskPhone, parsePhone } from "../messaging/phone";
import { formCsrfGuard, readForm } from "../middleware/guard";
import { RecoveryCodePage } from "../pages/views";
import { SmsCodePage, SmsPhonePage, type SmsChallengeState } from "../pages/sms";
import { pathForStage, safeNext } from "./pages";

export const smsPages = new Hono<AppEnv>();
smsPages.use("*", formCsrfGuard);

const frame = (c: Context<AppEnv>, next: string) => ({ nonce: c.var.nonce, prefix: c.var.config.prefix, next });
const ttlMinutes = (c: Context<AppEnv>) => Math.round(c.var.config.smsCodeTtlSeconds / 60);

/** Reasons a send can fail that the challenge page may be told through its query string. */
const SEND_REFUSALS: readonly WireReason[] = ["sms_rate_limited", "sms_not_sent", "method_unavailable", "challenge_expired", "challenge_not_found"];

/** A refusal message with its "try again in N s" when there is a wait. */
export function refusalMessage(reason: WireReason, retryAfterSeconds?: number): string {
  const wait = retryAfterSeconds ? ` Try again in ${retryAfterSeconds} s.` : "";
  return toWire(reason).message + wait;
}

/** The SMS part of a challenge page: masked number, whether a code was just sent, a send error. */
export async function smsChallengeState(c: Context<AppEnv>, codeWasTried = false): Promise<{ state: SmsChallengeState; error?: string }> {
  const session = c.var.session;
  const factor = session ? await c.var.ports.account(session.sub).smsFactor() : null;
  const flag = c.req.query("sms") ?? "";
  const state = { phoneHint: factor ? maskPhone(factor.phoneE164) : "your phone", sent: flag === "sent" || codeWasTried, ttlMinutes: ttlMinutes(c) };
  const refusal = SEND_REFUSALS.find((reason) => reason === flag);
  if (!refusal) return { state };
  const wait = Number(c.req.query("wait") ?? "0");
  return { state, error: refusalMessage(refusal, Number.isInteger(wait) && wait > 0 && wait < 100_000 ? wait : undefined) };
}

smsPages.post("/challenge/sms", async (c) => {
  const form = await readForm(c);
  const next = safeNext(form?.next);
  const id = form?.challenge ?? "";
  const back = form?.return === "/verify" ? "/verify" : "/challenge";
  const session = c.var.session;
  if (!session) return c.redirect(`${c.var.config.prefix}/login?next=${encodeURIComponent(next)}`, 303);
  const result: Awaited<ReturnType<typeof smsFlows.sendChallengeCode>> = /^[A-Za-z0-9_-]{16,64}$/.test(id)
    ? await smsFlows.sendChallengeCode(c, id)
    : { ok: false, reason: "challenge_not_found" };
  const flag = result.ok ? "sent" : result.reason;
  const wait = !result.ok && result.retryAfterSeconds ? `&wait=${result.retryAfterSeconds}` : "";
  const idParam = back === "/verify" ? `&id=${encodeURIComponent(id)}` : "";
  return c.redirect(`${c.var.config.prefix}${back}?method=sms&sms=${flag}${wait}${idParam}&next=${encodeURIComponent(next)}`, 303);
});

/** Enrollment pages serve sessions enrolling (or changing a factor); others go to their step. */
function wrongStage(c: Context<AppEnv>, next: string): Response | null {
  const session = c.var.session;
  if (!session) return c.redirect(`${c.var.config.prefix}/login?next=${encodeURIComponent(next)}`, 303);
  if (session.stg === "mfa" || session.stg === "save_recovery_code") return c.redirect(pathForStage(c.var.config.prefix, session.stg, next), 303);
  return null;
}

function phonePage(c: Context<AppEnv>, next: string, extra: { phone?: string; country?: string; error?: string } = {}, status: 200 | 400 | 403 | 429 | 502 = 200) {
  const role = c.var.session?.role ?? "payor";
  const countries = c.var.config.messaging.sms.provider === "none" ? [] : smsCountriesFor(role);
  const props = { ...frame(c, next), countries, changing: c.var.session?.stg === "done" };
  return c.html(<SmsPhonePage {...props} {...extra} />, status);
}

smsPages.get("/enroll/sms", (c) => {
  const next = safeNext(c.req.query("next"));
  return wrongStage(c, next) ?? phonePage(c, next);
});

smsPages.post("/enroll/sms", async (c) => {
  const form = await readForm(c);
  const next = safeNext(form?.next);
  const stage = wrongStage(c, next);
  if (stage) return stage;
  const phone = (form?.phone ?? "").slice(0, 32);
  const country = /^[A-Z]{2}$/.test(form?.country ?? "") ? (form?.country as string) : "US";
  const result = await smsFlows.startSmsEnrollment(c, phone, country);
  if (!result.ok) {
    if (result.reason === "current_number_unproven") {
      return c.redirect(`${c.var.config.prefix}/settings/verify?then=phone&method=sms`, 303);
    }
    const status = toWire(result.reason).status as 400;
    return phonePage(c, next, { phone, country, error: refusalMessage(result.reason, result.retryAfterSeconds) }, status);
  }
  const props = { ...frame(c, next), phone, country, phoneHint: result.phoneHint, ttlMinutes: ttlMinutes(c) };
  return c.html(<SmsCodePage {...props} />);
});

smsPages.post("/enroll/sms/confirm", async (c) => {
  const form = await readForm(c);
  const next = safeNext(form?.next);
  const stage = wrongStage(c, next);
  if (stage) return stage;
  const phone = (form?.phone ?? "").slice(0, 32);
  const country = /^[A-Z]{2}$/.test(form?.country ?? "") ? (form?.country as string) : "US";
  const parsed = parsePhone(phone, country);
  const codePage = (error: string, status: 400 | 401 | 403 | 409 | 429) =>
    c.html(<SmsCodePage {...frame(c, next)} phone={phone} country={country} phoneHint={parsed.ok ? maskPhone(parsed.e164) : "your phone"} ttlMinutes={ttlMinutes(c)} error={error} />, status);
  const code = form?.code ?? "";
  if (!code || code.length > 64) return codePage(toWire("invalid_code_format").message, 400);
  const result = await smsFlows.confirmSmsEnrollment(c, code);
  if (!result.ok) return codePage(refusalMessage(result.reason, result.retryAfterSeconds), toWire(result.reason).status as 400);
  return renderRecovery(c, result.recoveryCode, next);
});

/** The "Save your recovery code" page (the code is shown once). */
export function renderRecovery(c: Context<AppEnv>, code: string, next: string, reason?: string) {
  const host = new URL(c.var.config.publicUrl).host;
  const props = { ...frame(c, next), code, grouped: formatRecoveryCode(code), host };
  return c.html(<RecoveryCodePage {...props} {...(reason ? { reason } : {})} />);
}
