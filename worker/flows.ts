/**
 * The sign-in and verification steps, shared by the JSON API and the server-rendered pages so
 * both enforce exactly the same rules. Each returns a tagged result; callers render it.
 */
import type { Context } from "hono";
import { buildOtpauthUri } from "../shared/otpauth";
import { decodeBase32 } from "../shared/base32";
import { mfaRequirement } from "../shared/policy";
import type { Challenge, Method, NextStep } from "../shared/protocol";
import type { ChallengeRecord, UserRecord } from "./domain/records";
import type { AppEnv } from "./env";
import { refusalToWire, type WireReason } from "./lib/errors";
import { issueSession } from "./session";
import { noticeFailedAttempts, notifySecurityEvent } from "./notify-events";
import { hashDevice } from "./device-cookie";
import type { SignInRefusal } from "./do/account";
import { afterResponse } from "./lib/after-response";

export type FlowResult<T> = ({ ok: true } & T) | { ok: false; reason: WireReason; retryAfterSeconds?: number };

export function challengeToWire(challenge: ChallengeRecord & { methods: Method[] }): Challenge {
  const wire: Challenge = { id: challenge.id, reason: challenge.reason, methods: challenge.methods, expiresAt: challenge.expiresAtMs };
  if (challenge.action) wire.action = { summary: challenge.action.summary, method: challenge.action.method, path: challenge.action.path };
  return wire;
}

function clientIp(c: Context<AppEnv>): string | undefined {
  return c.req.header("cf-connecting-ip") ?? undefined;
}

/**
 * Appends to the company's audit log after the response (lib/after-response.ts): never on the
 * request's path, so an audited refusal takes no longer than an unaudited one. If the company
 * object is down the entry is lost, and the loss is logged (event only).
 */
export function audit(c: Context<AppEnv>, user: UserRecord, event: string, outcome: "success" | "failure" | "info", reason?: string) {
  const entry = { atMs: c.var.ports.now(), event, subjectId: user.id, actorId: user.id, outcome, ...(reason ? { reason } : {}) };
  const ip = clientIp(c);
  afterResponse(c, () =>
    c.var.ports.audit(user.companyId, ip ? { ...entry, ip } : entry).catch((error: unknown) => {
      console.error("stepgate: audit entry lost", event, error instanceof Error ? error.name : "unknown");
    }),
  );
}

/** A directory id no entry has: an email without a usable account reads it, as a real one is read. */
const NO_DIRECTORY_ENTRY = "~none";
/**
 * The audit log (a company object no company has) of sign-ins at emails with no account: such an
 * attempt appends an entry after its answer as a real account's does, so even where the audit log
 * shares the machine (wrangler dev, self-hosted workerd) the work after the answer is the same;
 * operators can read it to see guessing at emails that have no account. It holds no email.
 */
export const NO_ACCOUNT_AUDIT_LOG = NO_DIRECTORY_ENTRY;

function auditNoAccount(c: Context<AppEnv>) {
  const ip = clientIp(c);
  const entry = { atMs: c.var.ports.now(), event: "sign_in", outcome: "failure" as const, reason: "no account for this email", ...(ip ? { ip } : {}) };
  afterResponse(c, () =>
    c.var.ports.audit(NO_ACCOUNT_AUDIT_LOG, entry).catch((error: unknown) => {
      console.error("stepgate: audit entry lost", "sign_in", error instanceof Error ? error.name : "unknown");
    }),
  );
}

/** The audit log's precise reason for a refused password step (the client only sees INVALID_CREDENTIALS). */
function refusalReason(result: SignInRefusal): string {
  if (result.reason === "inactive") return "inactive";
  return `${result.reason === "throttled" ? "throttled" : "wrong-password"}-${result.device}-device`;
}

/**
 * Email + password, from the browser whose device cookie is `deviceId` (device-cookie.ts).
 * Unknown, inactive, SSO and throttled all get the same answer after the same work: the device
 * hash, the same three directory reads, one password check in an account object (the person's or,
 * without a usable account, a decoy's, which runs the same code and never succeeds), and nothing
 * else before the answer; after it, one audit entry (an email with no account has a log of its
 * own), and for a real account at most one notice in 6 hours.
 */
export async function signIn(
  c: Context<AppEnv>,
  email: string,
  password: string,
  deviceId: string,
): Promise<FlowResult<{ next: NextStep; challenge?: Challenge }>> {
  const { config, ports } = c.var;
  const nowMs = ports.now();
  const deviceHash = await hashDevice(deviceId, config.pepper);
  const userId = await ports.directory.findUserIdByEmail(email);
  const found = await ports.directory.getUser(userId ?? NO_DIRECTORY_ENTRY);
  const user = userId !== null ? found : null;
  const company = await ports.directory.getCompany(user?.companyId ?? NO_DIRECTORY_ENTRY);
  // SSO users have no Stepgate password: same answer and work as an unknown email (their domain
  // normally goes to the IdP before this point; this covers a domain not configured).
  const usable = user && company && user.active && !user.sso ? { user, company } : null;
  const mfaRequired = usable ? mfaRequirement({ role: usable.user.role, active: usable.user.active, sso: usable.user.sso, company: usable.company, nowMs }).kind === "required" : false;
  const account = usable ? ports.account(usable.user.id) : ports.decoyAccount(email);
  const result = await account.signIn(password, mfaRequired, nowMs, deviceHash);
  if (!usable) {
    if (user) audit(c, user, "sign_in", "failure", !user.active ? "inactive" : user.sso ? "password sign-in of an SSO user" : "company_missing");
    else auditNoAccount(c);
    return { ok: false, reason: "invalid_credentials" };
  }
  if (!result.ok) {
    audit(c, usable.user, "sign_in", "failure", refusalReason(result));
    if (result.noticeOwner) afterResponse(c, () => notifySecurityEvent(c, usable.user, "password_attempts"));
    return { ok: false, reason: "invalid_credentials" };
  }
  const previous = c.var.session;
  if (previous) await ports.account(previous.sub).endSession(previous.sid);
  await issueSession(c, result.session, usable.user);
  audit(c, usable.user, "sign_in", "success", `password; next=${result.session.stage}`);
  const response: { next: NextStep; challenge?: Challenge } = { next: result.session.stage };
  if (result.challenge) response.challenge = challengeToWire(result.challenge);
  return { ok: true, ...response };
}

export async function currentUser(c: Context<AppEnv>): Promise<UserRecord | null> {
  const session = c.var.session;
  if (!session) return null;
  const user = await c.var.ports.directory.getUser(session.sub);
  return user && user.active ? user : null;
}

/** Checks a code against a pending challenge of this session. */
export async function verifyChallenge(
  c: Context<AppEnv>,
  challengeId: string,
  method: Method,
  code: string,
): Promise<FlowResult<{ next: NextStep; recoveryCode?: string; grant?: string }>> {
  const session = c.var.session;
  const user = await currentUser(c);
  if (!session || !user) return { ok: false, reason: "unauthenticated" };
  const result = await c.var.ports.account(user.id).verifyChallenge(session.sid, challengeId, method, code, c.var.ports.now());
  if (!result.ok) {
    audit(c, user, "second_factor", "failure", `${method}: ${result.reason}`);
    await noticeFailedAttempts(c, user, result.reason);
    const failure: FlowResult<never> = { ok: false, reason: refusalToWire(result.reason) };
    if (result.retryAfterSeconds) failure.retryAfterSeconds = result.retryAfterSeconds;
    return failure;
  }
  await issueSession(c, result.session, user);
  audit(c, user, "second_factor", "success", method);
  if (method === "recovery") audit(c, user, "recovery_code_used", "info");
  if (method === "recovery") await notifySecurityEvent(c, user, "recovery_code_used");
  return {
    ok: true,
    next: result.next,
    ...(result.recoveryCode ? { recoveryCode: result.recoveryCode } : {}),
    ...(result.grant ? { grant: result.grant } : {}),
  };
}

export async function listChallenges(c: Context<AppEnv>): Promise<Challenge[]> {
  const session = c.var.session;
  if (!session) return [];
  const challenges = await c.var.ports.account(session.sub).listChallenges(session.sid, c.var.ports.now());
  return challenges.map(challengeToWire);
}

const ISSUER_NAME = "Stepgate";

/** The payments tool's idle state for this session (the extension's countdown, /api/me). */
export async function paymentsState(c: Context<AppEnv>) {
  const session = c.var.session;
  if (!session || session.stg !== "done") return null;
  const state = await c.var.ports.account(session.sub).paymentsState(session.sid, c.var.ports.now());
  if (!state) return { active: false as const, idleTimeoutSeconds: c.var.config.paymentsIdleSeconds };
  return {
    active: true as const,
    verifiedAt: state.verifiedAtMs,
    lastSeenAt: state.lastSeenMs,
    idleExpiresAt: state.lastSeenMs + c.var.config.paymentsIdleSeconds * 1000,
    idleTimeoutSeconds: c.var.config.paymentsIdleSeconds,
  };
}

/** Starts (or, with `resume`, re-shows) authenticator-app set-up for this session. */
export async function beginTotpEnrollment(
  c: Context<AppEnv>,
  resume = false,
): Promise<FlowResult<{ otpauthUri: string; secret: string }>> {
  const session = c.var.session;
  const user = await currentUser(c);
  if (!session || !user) return { ok: false, reason: "unauthenticated" };
  const account = c.var.ports.account(user.id);
  const nowMs = c.var.ports.now();
  const result = resume ? await account.pendingTotpSecret(session.sid, nowMs) : await account.beginTotpEnrollment(session.sid, nowMs);
  if (!result.ok) return { ok: false, reason: refusalToWire(result.reason) };
  const secretBytes = decodeBase32(result.secret);
  if (!secretBytes) throw new Error("enrollment secret is not Base32");
  const otpauthUri = buildOtpauthUri({ issuer: ISSUER_NAME, account: user.email, secret: secretBytes });
  return { ok: true, otpauthUri, secret: result.secret };
}

export async function confirmTotpEnrollment(c: Context<AppEnv>, code: string): Promise<FlowResult<{ recoveryCode: string }>> {
  const session = c.var.session;
  const user = await currentUser(c);
  if (!session || !user) return { ok: false, reason: "unauthenticated" };
  const hadTotp = (await c.var.ports.account(user.id).describeFactors()).totp.enrolled;
  const result = await c.var.ports.account(user.id).confirmTotpEnrollment(session.sid, code, c.var.ports.now());
  if (!result.ok) {
    audit(c, user, "enroll_totp", "failure", result.reason);
    return { ok: false, reason: result.reason === "mismatch" ? "invalid_code" : refusalToWire(result.reason) };
  }
  await issueSession(c, result.session, user);
  audit(c, user, "enroll_totp", "success");
  await notifySecurityEvent(c, user, hadTotp ? "factor_changed" : "factor_added");
  audit(c, user, "recovery_code_issued", "info");
  return { ok: true, recoveryCode: result.recoveryCode };
}

export async function reissueRecoveryCode(c: Context<AppEnv>): Promise<FlowResult<{ recoveryCode: string }>> {
  const session = c.var.session;
  const user = await currentUser(c);
  if (!session || !user) return { ok: false, reason: "unauthenticated" };
  const result = await c.var.ports.account(user.id).reissueRecoveryCode(session.sid, c.var.ports.now());
  if (!result.ok) return { ok: false, reason: result.reason };
  audit(c, user, "recovery_code_issued", "info", "reissued before saving");
  return { ok: true, recoveryCode: result.recoveryCode };
}

export async function confirmRecoverySaved(c: Context<AppEnv>): Promise<FlowResult<{ next: NextStep }>> {
  const session = c.var.session;
  const user = await currentUser(c);
  if (!session || !user) return { ok: false, reason: "unauthenticated" };
  const result = await c.var.ports.account(user.id).confirmRecoverySaved(session.sid, c.var.ports.now());
  if (!result.ok) return { ok: false, reason: "wrong_stage" };
  await issueSession(c, result.session, user);
  return { ok: true, next: result.session.stage };
}

export async function signOut(c: Context<AppEnv>): Promise<void> {
  const session = c.var.session;
  if (!session) return;
  await c.var.ports.account(session.sub).endSession(session.sid);
  const user = await c.var.ports.directory.getUser(session.sub);
  if (user) audit(c, user, "sign_out", "info");
}
