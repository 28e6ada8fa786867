/**
 * Pages for step-up challenges of a signed-in person (payments entry, idle re-authentication,
 * sensitive actions), and sending a held page form on through its single-use grant.
 */
import { Hono, type Context } from "hono";
import { METHODS, type Method } from "../../shared/protocol";
import type { BoundAction, ChallengeRecord } from "../domain/records";
import type { AppEnv } from "../env";
import { toWire } from "../lib/errors";
import * as flows from "../flows";
import { formCsrfGuard, readForm } from "../middleware/guard";
import { forwardToOrigin } from "../proxy";
import * as views from "../pages/views";
import { ApprovedPage } from "../pages/stepup";
import { pathForStage, safeNext } from "./pages";
import { smsChallengeState } from "./pages-sms";

export const stepUp = new Hono<AppEnv>();
stepUp.use("*", formCsrfGuard);

const ID = /^[A-Za-z0-9_-]{16,64}$/;

function introFor(c: Context<AppEnv>, reason: ChallengeRecord["reason"]): string {
  const minutes = Math.round(c.var.config.paymentsIdleSeconds / 60);
  switch (reason) {
    case "payments_entry":
      return "Payments needs a fresh verification every time you enter it.";
    case "idle":
      return `You have been inactive in Payments for more than ${minutes} minutes. Verify your identity to continue.`;
    case "sensitive_action":
      return "This payment action needs its own verification code.";
    default:
      return "Verify your identity to continue.";
  }
}

async function render(c: Context<AppEnv>, id: string, next: string, requested?: string, error?: string, status: 200 | 400 | 401 | 429 = 200) {
  const session = c.var.session;
  if (!session) return c.redirect(`${c.var.config.prefix}/login?next=${encodeURIComponent(next)}`, 303);
  if (session.stg !== "done") return c.redirect(pathForStage(c.var.config.prefix, session.stg, next), 303);
  const found = ID.test(id) ? await c.var.ports.account(session.sub).challengeStatus(session.sid, id, c.var.ports.now()) : null;
  // Approved already (here, or from the extension's popup) with its grant unused: show that again.
  if (found?.status === "passed") return approved(c, found.grant.id, found.grant.action, next);
  const challenge = found?.challenge;
  if (!challenge) {
    // Expired, or passed and its approval used or expired: going back asks again if still needed.
    return c.html(<views.MessagePage nonce={c.var.nonce} prefix={c.var.config.prefix} next={next} title="Verification no longer pending" message="This verification request has expired or was already completed. Go back and try again." />, 410);
  }
  const methods = challenge.methods;
  const method: Method | null = methods.find((m) => m === requested) ?? methods[0] ?? null;
  const stepUpProps = { path: "/verify", intro: introFor(c, challenge.reason), ...(challenge.action ? { summary: challenge.action.summary } : {}) };
  const props = { nonce: c.var.nonce, prefix: c.var.config.prefix, next, challengeId: challenge.id, methods, method, lockedOut: methods.length === 0, stepUp: stepUpProps };
  const sms = method === "sms" ? await smsChallengeState(c, Boolean(error)) : null;
  const shown = error ?? sms?.error;
  return c.html(<views.ChallengePage {...props} {...(sms ? { sms: sms.state } : {})} {...(shown ? { error: shown } : {})} />, status);
}

/**
 * After a sensitive action's approval: a held page form gets its Continue page (sent on only by
 * the person), a GET goes on to the action (its grant is used by that request).
 */
function approved(c: Context<AppEnv>, grant: string, action: BoundAction, next: string): Response | Promise<Response> {
  if (action.held) return c.html(<ApprovedPage nonce={c.var.nonce} prefix={c.var.config.prefix} next={next} grant={grant} summary={action.summary} />);
  if (action.method === "GET") return c.redirect(action.path, 303);
  return c.html(<views.MessagePage nonce={c.var.nonce} prefix={c.var.config.prefix} next={next} title="Verified" message="This action is approved. Go back to the page that asked for it to finish it." />);
}

stepUp.get("/verify", (c) => render(c, c.req.query("id") ?? "", safeNext(c.req.query("next")), c.req.query("method")));

stepUp.post("/verify", async (c) => {
  const form = await readForm(c);
  const next = safeNext(form?.next);
  const id = form?.challenge ?? "";
  const method = METHODS.find((m) => m === form?.method);
  const code = form?.code ?? "";
  const session = c.var.session;
  if (!session || session.stg !== "done") return render(c, id, next);
  if (!method || !ID.test(id) || !code || code.length > 64) return render(c, id, next, form?.method, toWire("invalid_code_format").message, 400);
  const challenge = await c.var.ports.account(session.sub).getChallenge(session.sid, id, c.var.ports.now());
  const result = await flows.verifyChallenge(c, id, method, code);
  if (!result.ok) {
    const wire = toWire(result.reason);
    const wait = result.retryAfterSeconds ? ` You can try again in ${result.retryAfterSeconds} s.` : "";
    return render(c, id, next, method, wire.message + wait, wire.status as 400);
  }
  if (result.recoveryCode) return c.redirect(pathForStage(c.var.config.prefix, result.next, next), 303);
  const action = challenge?.action;
  if (result.grant && action) return approved(c, result.grant, action, next);
  return c.redirect(next, 303);
});

/** Sends a held page form on to the origin, once, through its grant (never silently). */
stepUp.post("/actions/continue", async (c) => {
  const form = await readForm(c);
  const session = c.var.session;
  const grant = form?.grant ?? "";
  if (!session || session.stg !== "done" || !ID.test(grant)) return c.redirect(`${c.var.config.prefix}/login`, 303);
  const taken = await c.var.ports.account(session.sub).takeHeldAction(session.sid, grant, c.var.ports.now());
  if (!taken?.grant.action.held) {
    return c.html(<views.MessagePage nonce={c.var.nonce} prefix={c.var.config.prefix} next="/" title="Approval no longer valid" message="This approval was already used or has expired. Start the action again." />, 410);
  }
  const { action } = taken.grant;
  const held = action.held!;
  return forwardToOrigin(c, session, {
    request: { method: action.method, pathAndSearch: action.path, contentType: held.contentType, body: held.body },
    grant: taken.grant.id,
    ...(taken.session.payments ? { payAt: Math.floor(taken.session.payments.verifiedAtMs / 1000) } : {}),
  });
});
