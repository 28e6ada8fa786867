/**
 * Settings → Password & Security pages (a `done` session only). Changes go through the same
 * account-object rules as the JSON API: a fresh second factor in this session (10 minutes), a
 * code to the current number before changing it, and a new recovery code at the end.
 */
import { Hono, type Context } from "hono";
import { METHODS, type Method } from "../../shared/protocol";
import type { AppEnv } from "../env";
import { toWire } from "../lib/errors";
import * as smsFlows from "../flows-sms";
import { formCsrfGuard, readForm } from "../middleware/guard";
import { SettingsPage, VerifyIdentityPage, type SettingsAction } from "../pages/settings";
import { readSecurityState } from "../settings-state";
import { pathForStage } from "./pages";
import { refusalMessage, renderRecovery } from "./pages-sms";

export const settingsPages = new Hono<AppEnv>();
settingsPages.use("*", formCsrfGuard);

const ACTIONS: readonly SettingsAction[] = ["totp", "phone", "recovery", "admin"];
const actionOf = (raw: string | undefined | null): SettingsAction => ACTIONS.find((a) => a === raw) ?? "totp";
const settingsPath = (c: Context<AppEnv>) => `${c.var.config.prefix}/settings`;

/**
 * A session at the save step may only verify its identity: "Show a new recovery code" after the
 * 10-minute window asks for a fresh second factor first, as the Settings button does.
 */
const atSaveStepVerifying = (c: Context<AppEnv>) =>
  c.var.session?.stg === "save_recovery_code" && [`${settingsPath(c)}/verify`, `${settingsPath(c)}/verify/sms`].includes(c.req.path);

settingsPages.use("*", async (c, next) => {
  const session = c.var.session;
  if (!session) return c.redirect(`${c.var.config.prefix}/login?next=${encodeURIComponent(settingsPath(c))}`, 303);
  if (session.stg !== "done" && !atSaveStepVerifying(c)) return c.redirect(pathForStage(c.var.config.prefix, session.stg, settingsPath(c)), 303);
  return next();
});

const NOTICES: Record<string, string> = {
  totp: "Verified. You can change your authenticator app for the next 10 minutes.",
  phone: "Verified. You can change your phone number for the next 10 minutes.",
  recovery: "Verified. You can get a new recovery code for the next 10 minutes.",
};

settingsPages.get("/", async (c) => {
  const notice = NOTICES[c.req.query("verified") ?? ""];
  return c.html(<SettingsPage nonce={c.var.nonce} prefix={c.var.config.prefix} state={await readSecurityState(c)} {...(notice ? { notice } : {})} />);
});

async function renderVerify(c: Context<AppEnv>, then: SettingsAction, requested: string | undefined, extra: { sent?: boolean; error?: string } = {}, status: 200 | 400 | 401 | 403 | 409 | 429 | 502 = 200) {
  const state = await readSecurityState(c);
  // Changing an active phone must be proven with that phone.
  const methods = then === "phone" && state.usable.includes("sms") ? (["sms"] as Method[]) : state.usable;
  const method = methods.find((m) => m === requested) ?? methods[0] ?? null;
  const props = {
    nonce: c.var.nonce,
    prefix: c.var.config.prefix,
    then,
    methods,
    method,
    phoneHint: state.methods.sms.phone,
    sent: extra.sent ?? false,
    ttlMinutes: Math.round(c.var.config.smsCodeTtlSeconds / 60),
  };
  return c.html(<VerifyIdentityPage {...props} {...(extra.error ? { error: extra.error } : {})} />, status);
}

settingsPages.get("/verify", (c) => renderVerify(c, actionOf(c.req.query("then")), c.req.query("method")));

settingsPages.post("/verify/sms", async (c) => {
  const then = actionOf((await readForm(c))?.then);
  const result = await smsFlows.sendIdentityCode(c);
  if (!result.ok) return renderVerify(c, then, "sms", { error: refusalMessage(result.reason, result.retryAfterSeconds) }, toWire(result.reason).status as 400);
  return renderVerify(c, then, "sms", { sent: true });
});

settingsPages.post("/verify", async (c) => {
  const form = await readForm(c);
  const then = actionOf(form?.then);
  const method = METHODS.find((m) => m === form?.method);
  const code = form?.code ?? "";
  if (!method || !code || code.length > 64) return renderVerify(c, then, form?.method, { error: toWire("invalid_code_format").message }, 400);
  const result = await smsFlows.verifyIdentity(c, method, code);
  if (!result.ok) {
    return renderVerify(c, then, method, { sent: method === "sms", error: refusalMessage(result.reason, result.retryAfterSeconds) }, toWire(result.reason).status as 400);
  }
  const prefix = c.var.config.prefix;
  // Verified at the save step: back to it, where a new recovery code can now be shown.
  if (result.next === "save_recovery_code" && !result.recoveryCode) return c.redirect(pathForStage(prefix, "save_recovery_code", settingsPath(c)), 303);
  const target =
    then === "phone" ? `${prefix}/enroll/sms?next=${encodeURIComponent(settingsPath(c))}` : then === "admin" ? `${prefix}/admin` : `${settingsPath(c)}?verified=${then}`;
  if (result.recoveryCode) {
    return renderRecovery(c, result.recoveryCode, target.startsWith(settingsPath(c) + "?") ? settingsPath(c) : target, "You verified with your recovery code, so it no longer works. Here is your new one.");
  }
  return c.redirect(target, 303);
});

settingsPages.post("/recovery-code", async (c) => {
  const result = await smsFlows.replaceRecoveryCode(c);
  if (!result.ok) return c.redirect(`${settingsPath(c)}/verify?then=recovery`, 303);
  return renderRecovery(c, result.recoveryCode, settingsPath(c), "Your previous recovery code no longer works.");
});
