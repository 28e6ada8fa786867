/** Server-rendered pages for people: sign-in, challenge, enrollment, recovery code, sign-out. */
import { Hono, type Context } from "hono";
import { renderSVG } from "uqr";
import { formatRecoveryCode } from "../../shared/codes";
import { groupSecretForTyping } from "../../shared/otpauth";
import { METHODS, type Method, type NextStep } from "../../shared/protocol";
import type { AppEnv } from "../env";
import { toWire } from "../lib/errors";
import { deviceOf, keepDevice } from "../device-cookie";
import { deliverFirst } from "../lib/after-response";
import * as flows from "../flows";
import { formCsrfGuard, readForm } from "../middleware/guard";
import { isCanonicalPath } from "../proxy";
import { clearSession } from "../session";
import { ssoLoginFor } from "../sso/flow";
import * as views from "../pages/views";
import { smsOfferFor } from "../messaging/availability";
import { settingsPages } from "./settings";
import { smsChallengeState, smsPages } from "./pages-sms";

export const pages = new Hono<AppEnv>();
pages.use("*", formCsrfGuard);

/** A same-site relative destination, or "/" (no open redirects). */
export function safeNext(raw: string | undefined | null): string {
  if (!raw || raw.length > 2048 || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  const path = raw.split(/[?#]/)[0] ?? "/";
  return isCanonicalPath(path) ? raw : "/";
}

/** Where a session at `stage` goes next. */
export function pathForStage(prefix: string, stage: NextStep, next: string): string {
  const query = `?next=${encodeURIComponent(next)}`;
  switch (stage) {
    case "mfa":
      return `${prefix}/challenge${query}`;
    case "enroll":
      return `${prefix}/enroll${query}`;
    case "save_recovery_code":
      return `${prefix}/recovery-code${query}`;
    case "done":
      return next;
  }
}

const frame = (c: Context<AppEnv>, next: string) => ({ nonce: c.var.nonce, prefix: c.var.config.prefix, next });
const nextOf = (c: Context<AppEnv>, form?: Record<string, string> | null) => safeNext(form?.next ?? c.req.query("next"));
const toLogin = (c: Context<AppEnv>, next: string) => c.redirect(`${c.var.config.prefix}/login?next=${encodeURIComponent(next)}`, 303);

function renderRecovery(c: Context<AppEnv>, code: string, next: string, reason?: string) {
  const host = new URL(c.var.config.publicUrl).host;
  const props = { ...frame(c, next), code, grouped: formatRecoveryCode(code), host };
  return c.html(<views.RecoveryCodePage {...props} {...(reason ? { reason } : {})} />);
}

pages.get("/login", (c) => {
  // The device cookie is set before the first sign-in, so that sign-in can make the browser known.
  keepDevice(c, deviceOf(c));
  const next = nextOf(c);
  const session = c.var.session;
  if (session) return c.redirect(pathForStage(c.var.config.prefix, session.stg, next), 303);
  return c.html(<views.LoginPage {...frame(c, next)} />);
});

// The answer is sent before its audit entry is written (lib/after-response.ts): no timing signal.
pages.post("/login", deliverFirst, async (c) => {
  const form = await readForm(c);
  const next = nextOf(c, form);
  const email = (form?.email ?? "").trim();
  const password = form?.password ?? "";
  // An SSO domain goes to its identity provider before any password work (the password is ignored),
  // through a page rather than a 303 (views.SsoContinuePage says why).
  const sso = email.length <= 254 ? await ssoLoginFor(c, email, next) : null;
  if (sso?.ok) return c.html(<views.SsoContinuePage {...frame(c, next)} redirect={sso.redirect} />);
  if (sso) return c.html(<views.LoginPage {...frame(c, next)} email={email} error={toWire(sso.reason).message} />, toWire(sso.reason).status);
  if (!email || !password || email.length > 254 || password.length > 1024) {
    return c.html(<views.LoginPage {...frame(c, next)} email={email.slice(0, 254)} error="Enter your email and password." />, 400);
  }
  const device = deviceOf(c);
  const result = await flows.signIn(c, email, password, device.id);
  keepDevice(c, device);
  if (!result.ok) {
    return c.html(<views.LoginPage {...frame(c, next)} email={email} error={toWire(result.reason).message} />, toWire(result.reason).status);
  }
  // Signed in without a second factor: the notice page shows an upcoming deadline, if any.
  if (result.next === "done") return c.redirect(`${c.var.config.prefix}/mfa-notice?next=${encodeURIComponent(next)}`, 303);
  return c.redirect(pathForStage(c.var.config.prefix, result.next, next), 303);
});

async function renderChallenge(c: Context<AppEnv>, next: string, requested: string | undefined, error?: string, status: 200 | 400 | 401 | 404 | 410 | 429 = 200) {
  const challenges = await flows.listChallenges(c);
  const challenge = challenges[0] ?? null;
  if (!challenge) {
    // The sign-in's challenge expired: start over rather than leave the person on a dead end.
    await flows.signOut(c);
    clearSession(c);
    return c.html(<views.LoginPage {...frame(c, next)} error="Your sign-in took too long and has expired. Sign in again." />, 401);
  }
  const methods = challenge.methods;
  const method: Method | null = methods.find((m) => m === requested) ?? methods[0] ?? null;
  const props = { ...frame(c, next), challengeId: challenge.id, methods, method, lockedOut: methods.length === 0 };
  const sms = method === "sms" ? await smsChallengeState(c, Boolean(error)) : null;
  const shown = error ?? sms?.error;
  return c.html(<views.ChallengePage {...props} {...(sms ? { sms: sms.state } : {})} {...(shown ? { error: shown } : {})} />, status);
}

pages.get("/challenge", async (c) => {
  const next = nextOf(c);
  const session = c.var.session;
  if (!session) return toLogin(c, next);
  if (session.stg !== "mfa") return c.redirect(pathForStage(c.var.config.prefix, session.stg, next), 303);
  return renderChallenge(c, next, c.req.query("method"));
});

pages.post("/challenge", async (c) => {
  const form = await readForm(c);
  const next = nextOf(c, form);
  const session = c.var.session;
  if (!session) return toLogin(c, next);
  // A re-sent form (reload, back button) after the step was passed goes to the current step.
  if (session.stg !== "mfa") return c.redirect(pathForStage(c.var.config.prefix, session.stg, next), 303);
  const method = METHODS.find((m) => m === form?.method);
  const id = form?.challenge ?? "";
  const code = form?.code ?? "";
  if (!method || !/^[A-Za-z0-9_-]{16,64}$/.test(id) || !code || code.length > 64) {
    return renderChallenge(c, next, form?.method, toWire("invalid_code_format").message, 400);
  }
  const result = await flows.verifyChallenge(c, id, method, code);
  if (!result.ok) {
    if (result.reason === "unauthenticated") return toLogin(c, next);
    const wire = toWire(result.reason);
    const wait = result.retryAfterSeconds ? ` You can try again in ${result.retryAfterSeconds} s.` : "";
    return renderChallenge(c, next, method, wire.message + wait, wire.status as 400);
  }
  if (result.recoveryCode) {
    return renderRecovery(c, result.recoveryCode, next, "You signed in with your recovery code, so it no longer works. Here is your new one.");
  }
  return c.redirect(pathForStage(c.var.config.prefix, result.next, next), 303);
});

pages.get("/enroll", (c) => {
  const next = nextOf(c);
  if (!c.var.session) return toLogin(c, next);
  return c.html(<views.EnrollRequiredPage {...frame(c, next)} />);
});

pages.get("/enroll/select", (c) => {
  const next = nextOf(c);
  if (!c.var.session) return toLogin(c, next);
  const sms = { offer: smsOfferFor(c.var.session.role), configured: c.var.config.messaging.sms.provider !== "none" };
  return c.html(<views.SelectMethodPage {...frame(c, next)} sms={sms} />);
});

async function renderTotpSetup(c: Context<AppEnv>, next: string, resume: boolean, error?: string) {
  const result = await flows.beginTotpEnrollment(c, resume);
  if (!result.ok) {
    if (result.reason === "unauthenticated") return toLogin(c, next);
    if (result.reason === "no_pending_enrollment") return c.redirect(`${c.var.config.prefix}/enroll/select?next=${encodeURIComponent(next)}`, 303);
    return c.html(<views.MessagePage {...frame(c, next)} title="Verification needed" message={toWire(result.reason).message} />, 403);
  }
  const qrSvg = renderSVG(result.otpauthUri, { ecc: "M", border: 2 });
  const props = { ...frame(c, next), qrSvg, groupedKey: groupSecretForTyping(result.secret) };
  return c.html(<views.TotpSetupPage {...props} {...(error ? { error } : {})} />, error ? 400 : 200);
}

/** Enrollment pages are for sessions enrolling (or changing a factor); others go to their step. */
function wrongStageForEnrollment(c: Context<AppEnv>, next: string): Response | null {
  const session = c.var.session;
  if (!session) return toLogin(c, next);
  if (session.stg === "mfa" || session.stg === "save_recovery_code") return c.redirect(pathForStage(c.var.config.prefix, session.stg, next), 303);
  return null;
}

pages.post("/enroll/totp", async (c) => {
  const next = nextOf(c, await readForm(c));
  return wrongStageForEnrollment(c, next) ?? renderTotpSetup(c, next, false);
});
pages.get("/enroll/totp", (c) => wrongStageForEnrollment(c, nextOf(c)) ?? renderTotpSetup(c, nextOf(c), true));

pages.post("/enroll/totp/confirm", async (c) => {
  const form = await readForm(c);
  const next = nextOf(c, form);
  const wrongStage = wrongStageForEnrollment(c, next);
  if (wrongStage) return wrongStage;
  const code = form?.code ?? "";
  if (!code || code.length > 64) return renderTotpSetup(c, next, true, toWire("invalid_code_format").message);
  const result = await flows.confirmTotpEnrollment(c, code);
  if (!result.ok) return renderTotpSetup(c, next, true, toWire(result.reason).message);
  return renderRecovery(c, result.recoveryCode, next);
});

pages.get("/recovery-code", (c) => {
  const next = nextOf(c);
  const session = c.var.session;
  if (!session) return toLogin(c, next);
  if (session.stg !== "save_recovery_code") return c.redirect(pathForStage(c.var.config.prefix, session.stg, next), 303);
  return c.html(<views.RecoveryCodeLostPage {...frame(c, next)} />);
});

pages.post("/recovery-code/new", async (c) => {
  const next = nextOf(c, await readForm(c));
  const result = await flows.reissueRecoveryCode(c);
  // More than 10 minutes since the last second factor: verify first, as the Settings button asks.
  if (!result.ok && result.reason === "not_allowed") return c.redirect(`${c.var.config.prefix}/settings/verify?then=recovery`, 303);
  if (!result.ok) return toLogin(c, next);
  return renderRecovery(c, result.recoveryCode, next);
});

pages.post("/recovery-code/confirm", async (c) => {
  const form = await readForm(c);
  const next = nextOf(c, form);
  if (form?.saved !== "yes") return c.html(<views.RecoveryCodeLostPage {...frame(c, next)} />, 400);
  const result = await flows.confirmRecoverySaved(c);
  if (!result.ok) return toLogin(c, next);
  return c.redirect(pathForStage(c.var.config.prefix, result.next, next), 303);
});

pages.get("/signout", (c) => c.html(<views.SignOutPage {...frame(c, "/")} signedIn={Boolean(c.var.session)} />));

pages.post("/signout", async (c) => {
  await flows.signOut(c);
  clearSession(c);
  return c.html(<views.SignOutPage {...frame(c, "/")} signedIn={false} />);
});

pages.route("/", smsPages);
pages.route("/settings", settingsPages);
