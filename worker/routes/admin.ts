/**
 * The admin JSON API under /_stepgate/api/admin (docs/API.md "Administration"): company MFA
 * settings, the directory, deactivation, MFA reset and the audit log. Every call needs a `done`
 * session of a person holding both admin permissions with a second factor from the last
 * 10 minutes; the rules themselves live in admin-flows.ts, shared with the admin page.
 */
import { Hono, type Context } from "hono";
import * as v from "valibot";
import * as admin from "../admin-flows";
import { AuditQueryParams, isEnforcingNow, ResetRequest, SettingsRequest } from "../domain/admin";
import type { CompanyRecord } from "../domain/records";
import type { AppEnv } from "../env";
import { enforcementStartMs } from "../../shared/policy";
import { apiError } from "../lib/errors";
import { jsonCsrfGuard, readJson, readNoInput } from "../middleware/guard";

export const adminApi = new Hono<AppEnv>();
adminApi.use("*", jsonCsrfGuard);
adminApi.use("*", async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function settingsToWire(company: CompanyRecord, nowMs: number) {
  const startsAtMs = company.deadline ? enforcementStartMs(company.deadline, company.timeZone) : null;
  return {
    requireMfa: company.requireMfa,
    deadline: company.deadline,
    timeZone: company.timeZone,
    enforcementStartsAt: startsAtMs,
    enforcedNow: isEnforcingNow(company, nowMs),
  };
}

async function withAdmin(c: Context<AppEnv>, act: (a: admin.Admin) => Promise<Response>, auditEvent?: string): Promise<Response> {
  const access = await admin.authorizeAdmin(c, auditEvent);
  return access.ok ? act(access.admin) : apiError(c, access.reason);
}

adminApi.get("/settings", (c) => withAdmin(c, async (a) => c.json(settingsToWire(a.company, c.var.ports.now()))));

adminApi.put("/settings", (c) =>
  withAdmin(c, async (a) => {
    const body = await readJson(c, SettingsRequest);
    if (!body.ok) return body.response;
    const result = await admin.saveSettings(c, a, body.value);
    return result.ok ? c.json(settingsToWire(result.company, c.var.ports.now())) : apiError(c, result.reason);
  }),
);

adminApi.get("/users", (c) => withAdmin(c, async (a) => c.json(await admin.listDirectory(c, a))));

for (const [action, active] of [["deactivate", false], ["reactivate", true]] as const) {
  adminApi.post(`/users/:id/${action}`, (c) =>
    withAdmin(c, async (a) => {
      const id = c.req.param("id");
      if (!USER_ID.test(id)) return apiError(c, "user_not_in_directory");
      const input = await readNoInput(c);
      if (!input.ok) return input.response;
      const result = await admin.setUserActive(c, a, id, active);
      return result.ok ? c.json({ user: result.user }) : apiError(c, result.reason);
    }),
  );
}

adminApi.post("/reset-mfa", (c) =>
  withAdmin(
    c,
    async (a) => {
      const body = await readJson(c, ResetRequest);
      if (!body.ok) return body.response;
      const result = await admin.resetUserMfa(c, a, body.value.email, body.value.verified);
      return result.ok ? c.json({ reset: true, email: result.email, sessionsEnded: result.sessionsEnded }) : apiError(c, result.reason);
    },
    "mfa_reset",
  ),
);

adminApi.get("/audit", (c) =>
  withAdmin(c, async (a) => {
    const query = v.safeParse(AuditQueryParams, c.req.query());
    if (!query.success) return apiError(c, "bad_request");
    return c.json({ entries: await admin.readAudit(c, a, query.output) });
  }),
);

adminApi.all("*", (c) => apiError(c, "not_found"));
