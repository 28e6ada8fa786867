/**
 * The admin page (/_stepgate/admin) and its form posts. Same rules as the JSON API (admin-flows.ts);
 * forms pass formCsrfGuard. A post renders the page again with the outcome (no redirect), so
 * a refusal's message is shown next to the form that caused it.
 */
import { Hono, type Context } from "hono";
import * as v from "valibot";
import * as admin from "../admin-flows";
import { AuditQueryParams } from "../domain/admin";
import type { AppEnv } from "../env";
import { toWire, type WireReason } from "../lib/errors";
import { formCsrfGuard, readForm } from "../middleware/guard";
import { AdminDeniedPage, AdminPage } from "../pages/admin";
import * as flows from "../flows";
import { clearSession } from "../session";
import { settingsToWire } from "./admin";

export const adminPages = new Hono<AppEnv>();
adminPages.use("*", formCsrfGuard);

let zones: string[] | null = null;
function timeZones(): string[] {
  zones ??= typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];
  return zones;
}

type Status = 200 | 400 | 403 | 404 | 409;

async function denied(c: Context<AppEnv>, reason: WireReason): Promise<Response> {
  const prefix = c.var.config.prefix;
  if (reason === "unauthenticated" || reason === "wrong_stage") return c.redirect(`${prefix}/login?next=${encodeURIComponent(`${prefix}/admin`)}`, 303);
  const page = <AdminDeniedPage nonce={c.var.nonce} prefix={prefix} message={toWire(reason).message} reauth={reason === "reauth_required"} />;
  return c.html(page, toWire(reason).status as 403);
}

async function render(c: Context<AppEnv>, a: admin.Admin, outcome: { message?: string; error?: WireReason } = {}): Promise<Response> {
  const parsed = v.safeParse(AuditQueryParams, c.req.method === "GET" ? c.req.query() : {});
  const filter = parsed.success ? parsed.output : {};
  const [directory, audit] = await Promise.all([admin.listDirectory(c, a), admin.readAudit(c, a, filter)]);
  const props = {
    nonce: c.var.nonce,
    prefix: c.var.config.prefix,
    adminEmail: a.user.email,
    companyName: a.company.name,
    settings: settingsToWire(a.company, c.var.ports.now()),
    timeZones: timeZones(),
    ...directory,
    audit,
    filter,
    ...(outcome.message ? { message: outcome.message } : {}),
    ...(outcome.error ? { error: toWire(outcome.error).message } : {}),
  };
  return c.html(<AdminPage {...props} />, outcome.error ? (toWire(outcome.error).status as Status) : 200);
}

/** Runs `act` for an authorised admin; its result (message or refusal) is shown on the page. */
async function act(c: Context<AppEnv>, run: (a: admin.Admin) => Promise<{ message?: string; error?: WireReason; admin?: admin.Admin }>, auditEvent?: string) {
  const access = await admin.authorizeAdmin(c, auditEvent);
  if (!access.ok) return denied(c, access.reason);
  const outcome = await run(access.admin);
  return render(c, outcome.admin ?? access.admin, outcome);
}

adminPages.get("/", (c) => act(c, async () => ({})));

adminPages.post("/settings", (c) =>
  act(c, async (a) => {
    const form = await readForm(c);
    if (!form) return { error: "bad_request" };
    const input = { requireMfa: form.requireMfa === "yes", deadline: form.deadline ? form.deadline : null, timeZone: (form.timeZone ?? "").trim() };
    const result = await admin.saveSettings(c, a, input);
    if (!result.ok) return { error: result.reason };
    return { message: "Settings saved. They apply at each person's next sign-in.", admin: { ...a, company: result.company } };
  }),
);

for (const [action, active] of [["deactivate", false], ["reactivate", true]] as const) {
  adminPages.post(`/users/:id/${action}`, (c) =>
    act(c, async (a) => {
      const result = await admin.setUserActive(c, a, c.req.param("id"), active);
      if (!result.ok) return { error: result.reason };
      return { message: `${result.user.email} was ${active ? "reactivated" : "deactivated and signed out everywhere"}.` };
    }),
  );
}

adminPages.post("/reset-mfa", (c) =>
  act(
    c,
    async (a) => {
      const form = await readForm(c);
      if (!form) return { error: "bad_request" };
      const result = await admin.resetUserMfa(c, a, form.email ?? "", form.verified === "yes");
      if (!result.ok) return { error: result.reason };
      return { message: `Two-factor authentication for ${result.email} was reset. They were signed out and will set it up again at their next sign-in.` };
    },
    "mfa_reset",
  ),
);

/** "Verify again": ends this session and signs in afresh, coming back to the admin page. */
adminPages.post("/reverify", async (c) => {
  await flows.signOut(c);
  clearSession(c);
  const prefix = c.var.config.prefix;
  return c.redirect(`${prefix}/login?next=${encodeURIComponent(`${prefix}/admin`)}`, 303);
});
