/**
 * The admin actions, shared by the JSON API (routes/admin.ts) and the admin page
 * (routes/admin-pages.tsx) so both enforce the same rules. Each action re-checks access, is
 * written to the company's audit log (actor = the admin, subject = the person) before it answers,
 * and returns a tagged result. Nothing here reads or returns a code, secret or password.
 */
import type { Context } from "hono";
import type { AuditEntry, AuditQuery } from "./do/company";
import type { DirectoryEntry } from "./do/company-directory";
import { adminAccessRefusal, resetRefusal, validSettings, type SettingsRequest } from "./domain/admin";
import { writeUser } from "./domain/directory";
import type { CompanyRecord, UserRecord } from "./domain/records";
import type { AppEnv } from "./env";
import type { WireReason } from "./lib/errors";
import { deliverNotice } from "./notify-events";

/** Any Stepgate factor enrolled (disabled ones too: a reset is how they come back). */
function hasAnyFactor(factors: { totp: { enrolled: boolean }; sms: { enrolled: boolean }; recovery: { enrolled: boolean } }): boolean {
  return factors.totp.enrolled || factors.sms.enrolled || factors.recovery.enrolled;
}

export type AdminResult<T> = ({ ok: true } & T) | { ok: false; reason: WireReason };
export interface Admin {
  user: UserRecord;
  company: CompanyRecord;
}

async function audit(c: Context<AppEnv>, companyId: string, entry: Omit<AuditEntry, "atMs">): Promise<void> {
  const ip = c.req.header("cf-connecting-ip");
  await c.var.ports.audit(companyId, { atMs: c.var.ports.now(), ...entry, ...(ip ? { ip } : {}) });
}

/** The signed-in admin and their company, or why this session may not act. */
export async function authorizeAdmin(c: Context<AppEnv>, auditEvent?: string): Promise<AdminResult<{ admin: Admin }>> {
  const session = c.var.session;
  const user = session ? await c.var.ports.directory.getUser(session.sub) : null;
  const company = user ? await c.var.ports.directory.getCompany(user.companyId) : null;
  let refusal = company ? adminAccessRefusal(session, user, c.var.ports.now()) : "unauthenticated";
  // Admin actions do not trust the token alone (the hot path may, for up to a re-mint interval):
  // the account's Durable Object must still hold the session, so a reset or sign-out stops them at once.
  if (!refusal && session && !(await c.var.ports.account(session.sub).touchSession(session.sid, c.var.ports.now()))) refusal = "unauthenticated";
  if (refusal || !user || !company) {
    const reason = refusal ?? "unauthenticated";
    if (auditEvent && user) await audit(c, user.companyId, { event: auditEvent, actorId: user.id, outcome: "failure", reason: `refused: ${reason}` });
    return { ok: false, reason };
  }
  return { ok: true, admin: { user, company } };
}

/** Saves the company's MFA settings. Nobody is forced at once: sign-in evaluates the policy. */
export async function saveSettings(c: Context<AppEnv>, admin: Admin, input: SettingsRequest): Promise<AdminResult<{ company: CompanyRecord }>> {
  const settings = validSettings(input);
  if (!settings) return { ok: false, reason: "invalid_settings" };
  const company: CompanyRecord = { ...admin.company, ...settings };
  await c.var.ports.directory.putCompany(company);
  const reason = `requireMfa=${company.requireMfa}; deadline=${company.deadline ?? "none"}; timeZone=${company.timeZone}`;
  await audit(c, company.id, { event: "settings_changed", actorId: admin.user.id, outcome: "success", reason });
  return { ok: true, company };
}

export interface DirectoryRow extends DirectoryEntry {
  enrolled: boolean;
  /** Usable methods (enrolled and not disabled), e.g. ["totp", "recovery"]. */
  methods: string[];
  disabledMethods: string[];
}

/** Everyone in the admin's company with enrollment status; counts leave inactive people out. */
export async function listDirectory(c: Context<AppEnv>, admin: Admin) {
  const entries = await c.var.ports.company(admin.company.id).listDirectory();
  const users: DirectoryRow[] = await Promise.all(
    entries.map(async (entry) => {
      const factors = (await c.var.ports.account(entry.userId).describeFactors()) as unknown as Record<string, { enrolled: boolean; disabled: boolean }>;
      const present = Object.entries(factors).filter(([, factor]) => factor.enrolled);
      return {
        ...entry,
        enrolled: present.some(([method]) => method !== "recovery"),
        methods: present.filter(([, factor]) => !factor.disabled).map(([method]) => method),
        disabledMethods: present.filter(([, factor]) => factor.disabled).map(([method]) => method),
      };
    }),
  );
  const active = users.filter((user) => user.active);
  return { users, counts: { active: active.length, enrolled: active.filter((user) => user.enrolled).length, inactive: users.length - active.length } };
}

/** The person with this id in the admin's company (KV record), or null. */
async function memberById(c: Context<AppEnv>, admin: Admin, userId: string): Promise<UserRecord | null> {
  const entry = await c.var.ports.company(admin.company.id).getDirectoryEntry(userId);
  const user = entry ? await c.var.ports.directory.getUser(entry.userId) : null;
  return user && user.companyId === admin.company.id ? user : null;
}

/** Deactivation ends every session at once (the account DO) and blocks sign-in; reactivation undoes it. */
export async function setUserActive(c: Context<AppEnv>, admin: Admin, userId: string, active: boolean): Promise<AdminResult<{ user: DirectoryEntry }>> {
  const user = await memberById(c, admin, userId);
  const event = active ? "user_reactivated" : "user_deactivated";
  if (!user) return { ok: false, reason: "user_not_in_directory" };
  if (!active && user.id === admin.user.id) {
    await audit(c, admin.company.id, { event, actorId: admin.user.id, subjectId: user.id, outcome: "failure", reason: "refused: self" });
    return { ok: false, reason: "cannot_deactivate_self" };
  }
  const { sessionsEnded } = await c.var.ports.account(user.id).setActive(active);
  await writeUser(c.var.ports, { ...user, active });
  await audit(c, admin.company.id, { event, actorId: admin.user.id, subjectId: user.id, outcome: "success", reason: `sessions ended: ${sessionsEnded}` });
  if (!active) await deliverNotice(c, "account_deactivated", c.var.ports.notifier.notify(user, "account_deactivated"));
  return { ok: true, user: { userId: user.id, email: user.email, name: user.name, role: user.role, active, sso: user.sso } };
}

/** Admin MFA reset by exact directory email; every attempt is audited with its outcome. */
export async function resetUserMfa(c: Context<AppEnv>, admin: Admin, email: string, verified: boolean): Promise<AdminResult<{ email: string; sessionsEnded: number }>> {
  const entry = await c.var.ports.company(admin.company.id).findDirectoryEntryByEmail(email);
  const found = entry ? await c.var.ports.directory.getUser(entry.userId) : null;
  // The KV record must still carry exactly this email: a stale index entry matches nobody.
  const target = found && found.email === email ? found : null;
  const targetHasStepgateFactors = target?.sso ? hasAnyFactor(await c.var.ports.account(target.id).describeFactors()) : false;
  const refusal = resetRefusal({ admin: admin.user, target, company: admin.company, verified, nowMs: c.var.ports.now(), targetHasStepgateFactors });
  const base = { event: "mfa_reset", actorId: admin.user.id, ...(target ? { subjectId: target.id } : {}) };
  if (refusal || !target) {
    await audit(c, admin.company.id, { ...base, outcome: "failure", reason: `refused: ${refusal ?? "user_not_in_directory"}` });
    return { ok: false, reason: refusal ?? "user_not_in_directory" };
  }
  const { sessionsEnded } = await c.var.ports.account(target.id).resetMfa();
  await audit(c, admin.company.id, { ...base, outcome: "success", reason: `reset by ${admin.user.email}; sessions ended: ${sessionsEnded}` });
  // Delivery problems never undo or block the reset (the audit log has it).
  await deliverNotice(c, "mfa_reset", c.var.ports.notifier.notify(target, "mfa_reset"));
  return { ok: true, email: target.email, sessionsEnded };
}

export interface AuditRow extends AuditEntry {
  actorEmail?: string;
  subjectEmail?: string;
}

/** The company's audit log, newest first; `subject` is a user id or an exact directory email. */
export async function readAudit(c: Context<AppEnv>, admin: Admin, query: { event?: string; subject?: string; limit?: number }): Promise<AuditRow[]> {
  const company = c.var.ports.company(admin.company.id);
  let subjectId = query.subject;
  if (subjectId?.includes("@")) subjectId = (await company.findDirectoryEntryByEmail(subjectId))?.userId ?? "\u0000none";
  const filter: AuditQuery = { ...(query.event ? { event: query.event } : {}), ...(subjectId ? { subjectId } : {}), ...(query.limit ? { limit: query.limit } : {}) };
  const [entries, directory] = await Promise.all([company.queryAudit(filter), company.listDirectory(1000)]);
  const emailOf = new Map(directory.map((entry) => [entry.userId, entry.email]));
  return entries.map((entry) => {
    const row: AuditRow = { ...entry };
    const actorEmail = entry.actorId ? emailOf.get(entry.actorId) : undefined;
    const subjectEmail = entry.subjectId ? emailOf.get(entry.subjectId) : undefined;
    if (actorEmail) row.actorEmail = actorEmail;
    if (subjectEmail) row.subjectEmail = subjectEmail;
    return row;
  });
}
