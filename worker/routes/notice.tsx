/**
 * GET /_stepgate/mfa-notice?next=: after a page sign-in that ends `done`, tells a person without a
 * second factor about their company's upcoming deadline (dismissible: "Remind me later" goes on to
 * `next`). Anyone else is sent straight on. The decision is the shared policy's `deadlineMs`.
 */
import { Hono } from "hono";
import { mfaRequirement } from "../../shared/policy";
import type { AppEnv } from "../env";
import { MfaNoticePage } from "../pages/notice";
import { pathForStage, safeNext } from "./pages";

export const notice = new Hono<AppEnv>();

export const noticePath = (prefix: string, next: string) => `${prefix}/mfa-notice?next=${encodeURIComponent(next)}`;

notice.get("/mfa-notice", async (c) => {
  const { prefix } = c.var.config;
  const next = safeNext(c.req.query("next"));
  const session = c.var.session;
  if (!session) return c.redirect(`${prefix}/login?next=${encodeURIComponent(next)}`, 303);
  if (session.stg !== "done") return c.redirect(pathForStage(prefix, session.stg, next), 303);
  const { ports } = c.var;
  const user = await ports.directory.getUser(session.sub);
  const company = user ? await ports.directory.getCompany(user.companyId) : null;
  if (!user || !company || !company.deadline) return c.redirect(next, 303);
  const requirement = mfaRequirement({ role: user.role, active: user.active, sso: user.sso, company, nowMs: ports.now() });
  if (requirement.kind !== "optional" || requirement.deadlineMs === undefined) return c.redirect(next, 303);
  const factors = (await ports.account(user.id).describeFactors()) as unknown as Record<string, { enrolled: boolean }>;
  if (Object.values(factors).some((factor) => factor.enrolled)) return c.redirect(next, 303);
  const startsAtUtc = `${new Date(requirement.deadlineMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return c.html(<MfaNoticePage nonce={c.var.nonce} prefix={prefix} next={next} deadline={company.deadline} timeZone={company.timeZone} startsAtUtc={startsAtUtc} />);
});
