/**
 * JSON API for settings → Password & Security (docs/API.md): what is enrolled, re-verifying
 * identity (which opens a 10-minute window for changes), and a new recovery code on request.
 * Changing the app or the phone uses the enrollment endpoints with that fresh verification.
 */
import { Hono } from "hono";
import { VerifyRequest } from "../../shared/protocol";
import type { AppEnv } from "../env";
import * as smsFlows from "../flows-sms";
import { apiError } from "../lib/errors";
import { readJson, readNoInput } from "../middleware/guard";
import { readSecurityState } from "../settings-state";
import { failed } from "./api-sms";

export const settingsApi = new Hono<AppEnv>();

settingsApi.use("*", async (c, next) => {
  const session = c.var.session;
  if (!session) return apiError(c, "unauthenticated");
  // At the save step only identity verification: a new recovery code after the 10-minute window
  // (POST /api/recovery-code) needs a fresh second factor first.
  const verifying = c.req.method === "POST" && /\/settings\/verify(?:\/sms)?$/.test(c.req.path);
  if (session.stg !== "done" && !(session.stg === "save_recovery_code" && verifying)) return apiError(c, "wrong_stage");
  return next();
});

settingsApi.get("/", async (c) => c.json(await readSecurityState(c)));

settingsApi.post("/verify/sms", async (c) => {
  const input = await readNoInput(c);
  if (!input.ok) return input.response;
  const result = await smsFlows.sendIdentityCode(c);
  if (!result.ok) return failed(c, result);
  return c.json({ sent: true, phone: result.phoneHint, expiresInSeconds: c.var.config.smsCodeTtlSeconds });
});

settingsApi.post("/verify", async (c) => {
  const body = await readJson(c, VerifyRequest);
  if (!body.ok) return body.response;
  const result = await smsFlows.verifyIdentity(c, body.value.method, body.value.code);
  if (!result.ok) return failed(c, result);
  return c.json(result.recoveryCode ? { next: result.next, recoveryCode: result.recoveryCode } : { next: result.next });
});

settingsApi.post("/recovery-code", async (c) => {
  const input = await readNoInput(c);
  if (!input.ok) return input.response;
  const result = await smsFlows.replaceRecoveryCode(c);
  if (!result.ok) return failed(c, result);
  return c.json({ recoveryCode: result.recoveryCode, next: "save_recovery_code" });
});

