/**
 * The gateway application: configuration and ports per request, the gateway's own routes under
 * the reserved prefix, and everything else checked and forwarded to the origin. Errors fail
 * closed: anything unexpected (a storage outage included) answers 503 and forwards nothing.
 */
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { challengeRequired, isNavigation } from "./challenge-response";
import { getConfig, isPublicPath, type Config } from "./config";
import type { AppEnv } from "./env";
import { apiError, toWire } from "./lib/errors";
import { randomId } from "./lib/ids";
import * as flows from "./flows";
import { createPorts } from "./ports";
import { forwardToOrigin, isCanonicalPath, rawPathOf } from "./proxy";
import { guardPayments, isPaymentsPath, leavePaymentsIfInside } from "./payments/guard";
import { foldedPathSpelling } from "./payments/path-spellings";
import { adminApi } from "./routes/admin";
import { adminPages } from "./routes/admin-pages";
import { api } from "./routes/api";
import { dev } from "./routes/dev";
import { keys } from "./routes/keys";
import { notice } from "./routes/notice";
import { pages, pathForStage } from "./routes/pages";
import { stepUp } from "./routes/stepup";
import { ssoApi, ssoPages } from "./routes/sso";
import { ensureSsoDemoSeeded } from "./sso/demo-seed";
import { ensureDemoSeeded } from "./seed";
import { markDemoSeeded } from "./hot-path";
import { loadSession } from "./session";

const pageSecurityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  // A nonce only for the gateway's own pages: proxied requests (the hot path) never need one.
  const nonce = randomId();
  c.set("nonce", nonce);
  await next();
  c.header(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  );
  c.header("X-Frame-Options", "DENY");
  c.header("X-Content-Type-Options", "nosniff");
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts.
  c.header("Referrer-Policy", "same-origin");
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  // The gateway's own pages over https (production requires it) pin https for a year. Not for
  // subdomains, and not on proxied responses: the site owner decides those (or sets it at the zone).
  if (c.var.config.publicUrl.startsWith("https:")) c.header("Strict-Transport-Security", "max-age=31536000");
};

/** Decides whether a non-gateway request may reach the origin, and forwards it if so. */
async function protect(c: Context<AppEnv>): Promise<Response> {
  const config = c.get("config");
  const path = rawPathOf(c.req.url);
  // A Unicode spelling a folding origin would route into the payments tool (/payment%C5%BF/):
  // refused before any other decision, like any path the origin may read otherwise (decision 0013).
  const folded = foldedPathSpelling(path);
  if (folded !== null && isPaymentsPath(config.paymentsPrefix, folded)) return apiError(c, "non_canonical_path");
  if (isPublicPath(config, path)) return forwardToOrigin(c, null);
  const session = c.get("session");
  if (session?.stg === "done") {
    if (isPaymentsPath(config.paymentsPrefix, path)) return guardPayments(c, session);
    return forwardToOrigin(c, await leavePaymentsIfInside(c, session));
  }

  const url = new URL(c.req.url);
  const destination = c.req.method === "GET" ? `${path}${url.search}` : "/";
  if (isNavigation(c)) {
    const target = session ? pathForStage(config.prefix, session.stg, destination) : `${config.prefix}/login?next=${encodeURIComponent(destination)}`;
    return c.redirect(target, 303);
  }
  if (!session) return apiError(c, "unauthenticated");
  if (session.stg === "mfa") {
    const [challenge] = await flows.listChallenges(c);
    if (challenge) return challengeRequired(c, challenge);
    return apiError(c, "unauthenticated");
  }
  return c.json({ error: { code: "STEP_REQUIRED", message: toWire("wrong_stage").message }, next: session.stg }, 403);
}

function buildApp(prefix: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use("*", async (c, next) => {
    if (!isCanonicalPath(rawPathOf(c.req.url))) return apiError(c, "non_canonical_path");
    const config = getConfig(c.env);
    const ports = createPorts(c.env);
    c.set("config", config);
    c.set("ports", ports);
    if (config.seedDemo) {
      await ensureDemoSeeded(c.env.KV, ports, config.pepper);
      await ensureSsoDemoSeeded(c.env.KV, ports, config.sso);
      markDemoSeeded(c.env.KV);
    }
    return next();
  });

  const gateway = new Hono<AppEnv>();
  gateway.use("*", pageSecurityHeaders);
  gateway.route("/", keys);
  gateway.route("/dev", dev);
  gateway.use("*", loadSession);
  gateway.route("/api/admin", adminApi); // before /api: that group ends in a catch-all
  gateway.route("/api/sso", ssoApi);
  gateway.route("/sso", ssoPages);
  gateway.route("/api", api);
  gateway.route("/", pages);
  gateway.route("/", stepUp);
  gateway.route("/admin", adminPages);
  gateway.route("/", notice);
  gateway.get("/", (c) => c.redirect(`${prefix}/login`, 303));
  gateway.all("*", (c) => apiError(c, "not_found"));
  app.route(prefix, gateway);

  app.use("*", loadSession);
  app.all("*", protect);

  app.onError((error, c) => {
    // Never fail open: whatever broke, nothing is forwarded and nothing is changed.
    console.error("stepgate: request failed closed", error instanceof Error ? error.name : "unknown");
    return apiError(c, "storage_unavailable");
  });
  return app;
}

const apps = new Map<string, Hono<AppEnv>>();

/** The application for a configuration (routes depend on the reserved prefix). */
export function appFor(config: Config): Hono<AppEnv> {
  let app = apps.get(config.prefix);
  if (!app) {
    app = buildApp(config.prefix);
    apps.set(config.prefix, app);
  }
  return app;
}
