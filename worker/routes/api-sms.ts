/**
 * JSON API for SMS (docs/API.md): enroll a phone, confirm it, and text a code for a pending
 * challenge. Mounted inside the `api` group, so its CSRF guard and no-store header apply.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { CodeRequest } from "../../shared/protocol";
import type { AppEnv } from "../env";
import * as smsFlows from "../flows-sms";
import { apiError } from "../lib/errors";
import { readJson, readNoInput } from "../middleware/guard";

export const smsApi = new Hono<AppEnv>();

const SmsEnrollRequest = v.strictObject({
  phone: v.pipe(v.string(), v.minLength(1), v.maxLength(32)),
  country: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z]{2}$/))),
});

type Failure = { reason: Parameters<typeof apiError>[1]; retryAfterSeconds?: number };
export const failed = (c: Parameters<typeof apiError>[0], result: Failure) =>
  apiError(c, result.reason, result.retryAfterSeconds ? { retryAfterSeconds: result.retryAfterSeconds } : {});

smsApi.post("/enroll/sms", async (c) => {
  if (!c.var.session) return apiError(c, "unauthenticated");
  const body = await readJson(c, SmsEnrollRequest);
  if (!body.ok) return body.response;
  const result = await smsFlows.startSmsEnrollment(c, body.value.phone, body.value.country);
  if (!result.ok) return failed(c, result);
  return c.json({ sent: true, phone: result.phoneHint, expiresInSeconds: c.var.config.smsCodeTtlSeconds });
});

smsApi.post("/enroll/sms/confirm", async (c) => {
  if (!c.var.session) return apiError(c, "unauthenticated");
  const body = await readJson(c, CodeRequest);
  if (!body.ok) return body.response;
  const result = await smsFlows.confirmSmsEnrollment(c, body.value.code);
  if (!result.ok) return failed(c, result);
  return c.json({ recoveryCode: result.recoveryCode, next: "save_recovery_code" });
});

smsApi.post("/challenges/:id/sms", async (c) => {
  if (!c.var.session) return apiError(c, "unauthenticated");
  const id = c.req.param("id");
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(id)) return apiError(c, "challenge_not_found");
  const input = await readNoInput(c);
  if (!input.ok) return input.response;
  const result = await smsFlows.sendChallengeCode(c, id);
  if (!result.ok) return failed(c, result);
  return c.json({ sent: true, phone: result.phoneHint, expiresInSeconds: c.var.config.smsCodeTtlSeconds });
});
