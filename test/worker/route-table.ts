/**
 * The gateway's own routes, enumerated from the app's route table, and a body each JSON route would
 * accept: shared by the attack tests that must cover every route.
 */
import { env } from "cloudflare:test";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import type { Bindings } from "../../worker/env";
import { PASSWORD } from "./helpers";

export const config = getConfig(env as unknown as Bindings);
const P = config.prefix;
export const CHALLENGE_ID = "AAAAAAAAAAAAAAAAAAAAAA";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** Every (method, path) the app declares; catch-alls and middleware excluded. */
export function declaredRoutes(): Array<{ method: string; path: string }> {
  const seen = new Set<string>();
  const routes: Array<{ method: string; path: string }> = [];
  for (const route of appFor(config).routes) {
    if (route.path.includes("*")) continue;
    const methods = route.method === "ALL" ? ["GET", "POST", "PUT", "PATCH", "DELETE"] : [route.method];
    for (const method of methods) {
      const key = `${method} ${route.path}`;
      if (!seen.has(key)) routes.push({ method, path: route.path });
      seen.add(key);
    }
  }
  return routes;
}

/** Every state-changing (method, path) the app declares. */
export function writeRoutes(): Array<{ method: string; path: string }> {
  return declaredRoutes().filter(({ method }) => !SAFE.has(method));
}

export const isJsonRoute = (path: string) => path.startsWith(`${P}/api/`) || path === `${P}/dev/clock`;
export const concrete = (path: string) => path.replace(":id", path.includes("/users/") ? "demo-user" : CHALLENGE_ID);

/**
 * A body each JSON route would accept (so that a mutation below is the only fault). Routes that
 * take no input accept `{}` or no body at all.
 */
export const VALID_JSON: Record<string, Record<string, unknown> | null> = {
  [`POST ${P}/api/session`]: { email: "admin@demo.test", password: PASSWORD },
  [`DELETE ${P}/api/session`]: null, // sign-out takes no body (DELETE bodies are not read)
  [`POST ${P}/api/challenges/:id/verify`]: { method: "totp", code: "123456" },
  [`POST ${P}/api/challenges/:id/sms`]: {},
  [`POST ${P}/api/enroll/totp`]: {},
  [`POST ${P}/api/enroll/totp/confirm`]: { code: "123456" },
  [`POST ${P}/api/enroll/sms`]: { phone: "+12025550143", country: "US" },
  [`POST ${P}/api/enroll/sms/confirm`]: { code: "123456" },
  [`POST ${P}/api/recovery-code`]: {},
  [`POST ${P}/api/recovery-code/confirm`]: { saved: true },
  [`POST ${P}/api/settings/verify/sms`]: {},
  [`POST ${P}/api/settings/verify`]: { method: "totp", code: "123456" },
  [`POST ${P}/api/settings/recovery-code`]: {},
  [`PUT ${P}/api/admin/settings`]: { requireMfa: true, deadline: "2026-01-01", timeZone: "UTC" },
  [`POST ${P}/api/admin/users/:id/deactivate`]: {},
  [`POST ${P}/api/admin/users/:id/reactivate`]: {},
  [`POST ${P}/api/admin/reset-mfa`]: { email: "user@demo.test", verified: true },
  [`POST ${P}/api/sso/start`]: { email: "user@demo.test", next: "/" },
  [`POST ${P}/dev/clock`]: { advanceSeconds: 1 },
};

