/**
 * Single sign-on routes (docs/API.md "Single sign-on"): the IdP's redirect back
 * (`GET /_stepgate/sso/callback`) and, for JSON clients, `POST /_stepgate/api/sso/start`.
 * Pages start a login from the sign-in form (routes/pages.tsx) when the email is an SSO domain.
 */
import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../env";
import { apiError, toWire } from "../lib/errors";
import { jsonCsrfGuard, readJson } from "../middleware/guard";
import * as views from "../pages/views";
import { completeSsoLogin, ssoLoginFor } from "../sso/flow";
import { pathForStage, safeNext } from "./pages";

export const ssoPages = new Hono<AppEnv>();

ssoPages.get("/callback", async (c) => {
  const query = c.req.query();
  const result = await completeSsoLogin(c, query);
  if (!result.ok) {
    const wire = toWire(result.reason);
    const props = { nonce: c.var.nonce, prefix: c.var.config.prefix, next: "/" };
    return c.html(<views.MessagePage {...props} title="Single sign-on did not complete" message={wire.message} />, wire.status);
  }
  return c.redirect(pathForStage(c.var.config.prefix, result.next, safeNext(result.returnTo)), 303);
});

ssoPages.all("*", (c) => apiError(c, "not_found"));

export const ssoApi = new Hono<AppEnv>();
ssoApi.use("*", jsonCsrfGuard);

const StartRequest = v.strictObject({
  email: v.pipe(v.string(), v.trim(), v.minLength(3), v.maxLength(254), v.email()),
  next: v.optional(v.pipe(v.string(), v.maxLength(2048))),
});

ssoApi.post("/start", async (c) => {
  const body = await readJson(c, StartRequest);
  if (!body.ok) return body.response;
  const started = await ssoLoginFor(c, body.value.email, safeNext(body.value.next));
  c.header("Cache-Control", "no-store");
  if (!started) return c.json({ next: "password" });
  return started.ok ? c.json({ next: "sso", redirect: started.redirect }) : apiError(c, started.reason);
});
