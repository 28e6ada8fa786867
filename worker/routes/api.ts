/** The JSON API (docs/API.md): sign-in, challenges, TOTP enrollment, recovery code, me, sign-out. */
import { Hono } from "hono";
import { CodeRequest, SavedRecoveryCodeRequest, SignInRequest, VerifyRequest, type ChallengeStatusResponse } from "../../shared/protocol";
import type { AppEnv } from "../env";
import { apiError } from "../lib/errors";
import { deviceOf, keepDevice } from "../device-cookie";
import { deliverFirst } from "../lib/after-response";
import * as flows from "../flows";
import { jsonCsrfGuard, readJson, readNoInput } from "../middleware/guard";
import { clearSession } from "../session";
import { ssoLoginFor } from "../sso/flow";
import { settingsApi } from "./api-settings";
import { smsApi } from "./api-sms";

export const api = new Hono<AppEnv>();
api.use("*", jsonCsrfGuard);
api.use("*", async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});

const failed = (c: Parameters<typeof apiError>[0], result: { reason: Parameters<typeof apiError>[1]; retryAfterSeconds?: number }) =>
  apiError(c, result.reason, result.retryAfterSeconds ? { retryAfterSeconds: result.retryAfterSeconds } : {});

// The answer is sent before its audit entry is written (lib/after-response.ts): no timing signal.
api.post("/session", deliverFirst, async (c) => {
  const body = await readJson(c, SignInRequest);
  if (!body.ok) return body.response;
  // An SSO domain goes to its identity provider; the password is never looked at.
  const sso = await ssoLoginFor(c, body.value.email, "/");
  if (sso) return sso.ok ? c.json({ next: "sso", redirect: sso.redirect }) : apiError(c, sso.reason);
  // Every answer to a sign-in attempt carries the device cookie if the browser had none.
  const device = deviceOf(c);
  const result = await flows.signIn(c, body.value.email, body.value.password, device.id);
  keepDevice(c, device);
  if (!result.ok) return failed(c, result);
  return c.json(result.challenge ? { next: result.next, challenge: result.challenge } : { next: result.next });
});

api.delete("/session", async (c) => {
  await flows.signOut(c);
  clearSession(c);
  return c.json({ signedOut: true });
});

api.get("/challenges", async (c) => {
  if (!c.var.session) return apiError(c, "unauthenticated");
  return c.json({ challenges: await flows.listChallenges(c) });
});

const CHALLENGE_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** One challenge of this session: pending, or passed with its unused grant (docs/API.md). */
api.get("/challenges/:id", async (c) => {
  const session = c.var.session;
  if (!session) return apiError(c, "unauthenticated");
  const id = c.req.param("id");
  if (!CHALLENGE_ID.test(id)) return apiError(c, "challenge_not_found");
  const found = await c.var.ports.account(session.sub).challengeStatus(session.sid, id, c.var.ports.now());
  if (!found) return apiError(c, "challenge_not_found");
  const answer: ChallengeStatusResponse =
    found.status === "pending" ? { status: "pending", challenge: flows.challengeToWire(found.challenge) } : { status: "passed", grant: found.grant.id };
  return c.json(answer);
});

api.post("/challenges/:id/verify", async (c) => {
  if (!c.var.session) return apiError(c, "unauthenticated");
  const id = c.req.param("id");
  if (!CHALLENGE_ID.test(id)) return apiError(c, "challenge_not_found");
  const body = await readJson(c, VerifyRequest);
  if (!body.ok) return body.response;
  const result = await flows.verifyChallenge(c, id, body.value.method, body.value.code);
  if (!result.ok) return failed(c, result);
  const { ok: _ok, ...answer } = result;
  return c.json(answer);
});

api.post("/enroll/totp", async (c) => {
  if (!c.var.session) return apiError(c, "unauthenticated");
  const input = await readNoInput(c);
  if (!input.ok) return input.response;
  const result = await flows.beginTotpEnrollment(c);
  if (!result.ok) return failed(c, result);
  return c.json({ otpauthUri: result.otpauthUri, secret: result.secret });
});

api.post("/enroll/totp/confirm", async (c) => {
  if (!c.var.session) return apiError(c, "unauthenticated");
  const body = await readJson(c, CodeRequest);
  if (!body.ok) return body.response;
  const result = await flows.confirmTotpEnrollment(c, body.value.code);
  if (!result.ok) return failed(c, result);
  return c.json({ recoveryCode: result.recoveryCode, next: "save_recovery_code" });
});

api.post("/recovery-code", async (c) => {
  if (!c.var.session) return apiError(c, "unauthenticated");
  const input = await readNoInput(c);
  if (!input.ok) return input.response;
  const result = await flows.reissueRecoveryCode(c);
  if (!result.ok) return failed(c, result);
  return c.json({ recoveryCode: result.recoveryCode, next: "save_recovery_code" });
});

api.post("/recovery-code/confirm", async (c) => {
  if (!c.var.session) return apiError(c, "unauthenticated");
  const body = await readJson(c, SavedRecoveryCodeRequest);
  if (!body.ok) return body.response;
  const result = await flows.confirmRecoverySaved(c);
  if (!result.ok) return failed(c, result);
  return c.json({ next: result.next });
});

api.get("/payments", async (c) => {
  if (!c.var.session) return apiError(c, "unauthenticated");
  return c.json(await flows.paymentsState(c));
});

api.get("/me", async (c) => {
  const session = c.var.session;
  if (!session) return apiError(c, "unauthenticated");
  const [user, factors] = await Promise.all([
    c.var.ports.directory.getUser(session.sub),
    c.var.ports.account(session.sub).describeFactors(),
  ]);
  if (!user) return apiError(c, "unauthenticated");
  const company = await c.var.ports.directory.getCompany(user.companyId);
  return c.json({
    user: { id: user.id, email: user.email, name: user.name, role: user.role, company: company?.name ?? null },
    stage: session.stg,
    amr: session.amr,
    authTime: session.auth_time,
    mfaAt: session.mfa_at ?? null,
    methods: {
      totp: factors.totp.enrolled && !factors.totp.disabled,
      sms: factors.sms.enrolled && !factors.sms.disabled,
      recovery: factors.recovery.enrolled && !factors.recovery.disabled,
    },
    disabledMethods: [
      ...(factors.totp.disabled ? ["totp"] : []),
      ...(factors.sms.disabled ? ["sms"] : []),
      ...(factors.recovery.disabled ? ["recovery"] : []),
    ],
    payments: await flows.paymentsState(c),
  });
});

api.route("/", smsApi);
api.route("/settings", settingsApi);

api.all("*", (c) => apiError(c, "not_found"));
