/**
 * One Durable Object per account. It holds everything that must be atomic for that person: the
 * password verifier, enrolled factors, the last accepted TOTP step, failure counters, sessions
 * and pending challenges. Every check-and-mark runs in a synchronous block with no await between
 * the check and the write, so "accepted exactly once" holds under any concurrency; slow crypto
 * runs before that block and the state is re-read after it.
 */
import { DurableObject } from "cloudflare:workers";
import { encodeBase32 } from "../../shared/base32";
import { AMR_BY_METHOD } from "../../shared/claims";
import { normalizeCode, RECOVERY_CODE_LENGTH } from "../../shared/codes";
import type { Method, NextStep } from "../../shared/protocol";
import { generateTotpSecret, verifyTotp } from "../../shared/totp";
import { clearFailures, disableIfCapped, reserveAttempt } from "./account-attempts";
import { PASSWORD_THROTTLE_KEY, passwordFailed, passwordSucceeded, rememberSessionDevice, reservePassword } from "./account-password";
import { checkRecovery, checkTotp, hasAnyFactor, issueRecoveryCode, prepareRecoveryCode, storeRecoveryCode, usableMethods, type PreparedRecoveryCode } from "./account-factors";
import { applyStepUp, authorizePayments, deleteExpiredGrants, leavePayments, passedChallengeGrant, takeHeldAction, type PaymentsDecision } from "./account-payments";
import { challengesOf, createChallenge, createSession, deleteExpired, endSession, liveSession, rotateSession } from "./account-sessions";
import { checkSmsCode, reserveNumberSend, smsFactorOf, type Phone, type SmsHost } from "./account-sms";
import { beginSmsEnrollment, confirmSmsEnrollment, sendChallengeSms } from "./account-sms-enroll";
import { replaceRecoveryCode, sendIdentitySms, verifyIdentity } from "./account-settings";
import { endAllSessions as endEverySession } from "./account-sessions";
import { resetFactors } from "./account-reset";
import { openSsoSession, type SsoSessionInput, type SsoSessionResult } from "./account-sso";
import { getConfig, type Config } from "../config";
import { randomId } from "../lib/ids";
import { open, seal } from "../lib/secretbox";
import { hashSecret, verifySecret, type SlowHash } from "../lib/slowhash";
import type { BoundAction, ChallengeRecord, GrantRecord, RecoveryFactor, SessionRecord, TotpFactor } from "../domain/records";
import { hasFreshSecondFactor } from "../domain/fresh-mfa";
import type { DeviceKind } from "../domain/password-throttle";
import type { Bindings } from "../env";
import { testHooks } from "../lib/test-hooks";

const TOTP_ENROLL_TTL_MS = 15 * 60_000;
const INACTIVE_KEY = "inactive";

export type ChallengeStatus =
  | { status: "pending"; challenge: ChallengeRecord & { methods: Method[] } }
  | { status: "passed"; grant: GrantRecord };

export type Refusal<R extends string> = { ok: false; reason: R; retryAfterSeconds?: number };

export interface SessionView {
  session: SessionRecord;
  challenge?: ChallengeRecord & { methods: Method[] };
}

/**
 * A refused password step. `device` says which budget the attempt was counted in (known: the
 * browser's own; unknown: the account's shared one); `noticeOwner` that strangers' failures just
 * reached the notice threshold. Both are for the audit log and the notice, never for the client.
 */
export type SignInRefusal = Refusal<"invalid_password" | "throttled" | "inactive"> & { device: DeviceKind; noticeOwner?: true };

export type SignInResult = ({ ok: true } & SessionView) | SignInRefusal;

export type VerifyResult =
  | ({ ok: true; next: NextStep; recoveryCode?: string; grant?: string } & SessionView)
  | Refusal<"no_session" | "no_challenge" | "challenge_expired" | "method_unavailable" | "throttled" | "malformed" | "mismatch" | "replayed" | "code_expired" | "no_code_sent">;

export interface FactorSummary {
  totp: { enrolled: boolean; disabled: boolean };
  sms: { enrolled: boolean; disabled: boolean };
  recovery: { enrolled: boolean; disabled: boolean };
}

export class AccountDO extends DurableObject<Bindings> {
  private get kv() {
    return this.ctx.storage.kv;
  }
  private get config(): Config {
    return getConfig(this.env);
  }

  /** Creates or replaces the password verifier (seeding and, later, password changes). */
  async setPassword(password: string): Promise<void> {
    const hash = await hashSecret(password, this.config.pepper, this.config.passwordRounds);
    this.kv.put("password", hash);
    this.kv.delete(PASSWORD_THROTTLE_KEY);
  }

  /**
   * Checks the password and, when right, opens a new session (a fresh id: nothing from a previous
   * session survives the password step). `mfaRequired` is the company policy's verdict.
   * `deviceHash` is the keyed hash of the browser's device cookie (none: an unknown device); it
   * picks the throttle budget and is remembered as a known device once this session completes
   * its sign-in (docs/decisions/0017-device-cookie.md).
   */
  async signIn(password: string, mfaRequired: boolean, nowMs: number, deviceHash?: string): Promise<SignInResult> {
    // Counted before any await, so a concurrent burst is counted in full (account-password.ts).
    const reservation = reservePassword(this.kv, deviceHash, nowMs);
    const { device } = reservation;
    const stored = this.kv.get<SlowHash>("password");
    // The hash always runs, even when throttled or unknown, so timing says nothing.
    const matches = await verifySecret(password, stored ?? (await this.decoyHash()), this.config.pepper);
    if (!reservation.ok) return { ok: false, reason: "throttled", device, retryAfterSeconds: reservation.retryAfterSeconds };
    if (!stored || !matches) {
      const noticeOwner = passwordFailed(this.kv, device, nowMs);
      return { ok: false, reason: "invalid_password", device, ...(noticeOwner ? { noticeOwner } : {}) };
    }
    // Deactivation is marked here too (strongly consistent), not only in KV: no sign-in meanwhile.
    if (this.kv.get(INACTIVE_KEY) === true) return { ok: false, reason: "inactive", device };
    passwordSucceeded(this.kv, device, deviceHash, nowMs);
    if (stored.rounds !== this.config.passwordRounds) this.kv.put("password", await hashSecret(password, this.config.pepper, this.config.passwordRounds));
    deleteExpired(this.kv, this.config, nowMs);
    deleteExpiredGrants(this.kv, nowMs);
    const factors = usableMethods(this.kv);
    const stage: NextStep = hasAnyFactor(this.kv) ? "mfa" : mfaRequired ? "enroll" : "done";
    const session = createSession(this.kv, stage, ["pwd"], nowMs, nowMs);
    if (deviceHash !== undefined) this.kv.put(`session:${session.sid}`, Object.assign(session, { device: deviceHash }));
    if (stage === "done") rememberSessionDevice(this.kv, session, nowMs);
    if (stage !== "mfa") return { ok: true, session };
    const challenge = createChallenge(this.kv, this.config, session.sid, "login", nowMs);
    return { ok: true, session, challenge: { ...challenge, methods: factors } };
  }

  /**
   * Opens a session after a verified identity-provider login (single sign-on) in place of the
   * password step: Stepgate challenge, enrollment or done, as after a password (account-sso.ts).
   */
  async signInWithSso(input: SsoSessionInput, nowMs: number): Promise<SsoSessionResult> {
    return this.ctx.storage.transactionSync(() => openSsoSession(this.kv, this.config, input, nowMs));
  }

  /** The session if it is still alive; refreshes its last-seen time. */
  /** `passive`: a background poll (the extension) checks the session without counting as activity. */
  async touchSession(sid: string, nowMs: number, passive = false): Promise<SessionRecord | null> {
    const session = this.live(sid, nowMs);
    if (!session) return null;
    if (passive) return session;
    session.lastSeenMs = nowMs;
    this.kv.put(`session:${sid}`, session);
    return session;
  }

  async endSession(sid: string): Promise<void> {
    endSession(this.kv, sid);
  }

  async listChallenges(sid: string, nowMs: number): Promise<Array<ChallengeRecord & { methods: Method[] }>> {
    if (!this.live(sid, nowMs)) return [];
    const methods = usableMethods(this.kv);
    return challengesOf(this.kv, sid)
      .filter((challenge) => challenge.expiresAtMs > nowMs)
      .map((challenge) => ({ ...challenge, methods }));
  }

  /** Verifies a second factor against a pending challenge of this session. */
  async verifyChallenge(sid: string, challengeId: string, method: Method, code: string, nowMs: number): Promise<VerifyResult> {
    const session = this.live(sid, nowMs);
    if (!session) return { ok: false, reason: "no_session" };
    const challenge = this.kv.get<ChallengeRecord>(`challenge:${challengeId}`);
    if (!challenge || challenge.sid !== sid) return { ok: false, reason: "no_challenge" };
    if (challenge.expiresAtMs <= nowMs) return { ok: false, reason: "challenge_expired" };
    if (!usableMethods(this.kv).includes(method)) return { ok: false, reason: "method_unavailable" };
    const normalized = normalizeCode(code, method === "recovery" ? RECOVERY_CODE_LENGTH : 6);
    if (!normalized) return { ok: false, reason: "malformed" };

    // Reserve the attempt before any await: a concurrent burst is counted in full.
    const reservation = reserveAttempt(this.kv, method, nowMs);
    if (!reservation.ok) return reservation;

    const outcome =
      method === "sms"
        ? await checkSmsCode(this.smsHost(), `challenge:${challengeId}`, normalized, nowMs)
        : method === "totp"
          ? await checkTotp(this.kv, this.accountId, this.config, normalized, nowMs)
          : await checkRecovery(this.kv, this.config, normalized);
    if (!outcome.ok) {
      disableIfCapped(this.kv, method);
      return outcome;
    }
    // A used recovery code is replaced in the block that consumes it; its slow hash comes first.
    const replacement = method === "recovery" ? await prepareRecoveryCode(this.config, nowMs) : null;
    const pause = testHooks.beforeCommit;
    if (pause) await pause(method);
    // One transaction: a storage failure part-way leaves code, challenge and session as they were.
    return this.ctx.storage.transactionSync(() => this.commitVerification(sid, challengeId, method, outcome.commit, replacement, nowMs));
  }

  /** The commit of a verified code: re-reads what the awaits may have changed, then marks it all. */
  private commitVerification(sid: string, challengeId: string, method: Method, commit: () => boolean, replacement: PreparedRecoveryCode | null, nowMs: number): VerifyResult {
    const session = this.live(sid, nowMs);
    // Re-read after the awaits: the challenge may have been consumed meanwhile.
    const current = this.kv.get<ChallengeRecord>(`challenge:${challengeId}`);
    if (!current || !session) return { ok: false, reason: "no_challenge" };
    if (!commit()) return { ok: false, reason: "replayed" };
    clearFailures(this.kv);
    this.kv.delete(`challenge:${challengeId}`);
    const amr = [...new Set([...session.amr, AMR_BY_METHOD[method]])];
    // The used code is gone; the person must save the new one before going on.
    const recoveryCode = replacement ? storeRecoveryCode(this.kv, replacement) : undefined;
    if (current.reason !== "login") return this.completeStepUp(session, current, amr, recoveryCode, nowMs);
    const next: NextStep = recoveryCode ? "save_recovery_code" : "done";
    const rotated = rotateSession(this.kv, session, next, amr, nowMs);
    // Past the second factor at sign-in: this browser has signed in (a known device from now on).
    rememberSessionDevice(this.kv, rotated, nowMs);
    return recoveryCode ? { ok: true, next, session: rotated, recoveryCode } : { ok: true, next, session: rotated };
  }

  /** Starts authenticator-app enrollment for this session; returns the new secret in Base32. */
  async beginTotpEnrollment(sid: string, nowMs: number): Promise<{ ok: true; secret: string } | Refusal<"not_allowed">> {
    const session = this.live(sid, nowMs);
    if (!session || !this.mayChangeFactors(session, nowMs)) return { ok: false, reason: "not_allowed" };
    const secret = generateTotpSecret();
    const box = await seal(secret, this.accountId, this.config.dataKeys, this.config.dataKeyId);
    this.kv.put("totp_pending", { box, sid, createdAtMs: nowMs });
    return { ok: true, secret: encodeBase32(secret) };
  }

  /** Re-shows the pending secret to the session that started the set-up (a reloaded page). */
  async pendingTotpSecret(sid: string, nowMs: number): Promise<{ ok: true; secret: string } | Refusal<"not_allowed" | "no_pending">> {
    const session = this.live(sid, nowMs);
    if (!session || !this.mayChangeFactors(session, nowMs)) return { ok: false, reason: "not_allowed" };
    const pending = this.kv.get<{ box: TotpFactor["box"]; sid: string; createdAtMs: number }>("totp_pending");
    if (!pending || pending.sid !== sid || pending.createdAtMs + TOTP_ENROLL_TTL_MS <= nowMs) return { ok: false, reason: "no_pending" };
    const secret = await open(pending.box, this.accountId, this.config.dataKeys);
    if (!secret) throw new Error("pending TOTP secret does not decrypt");
    return { ok: true, secret: encodeBase32(secret) };
  }

  /** Confirms enrollment with a current code: the new app replaces any old one. */
  async confirmTotpEnrollment(
    sid: string,
    code: string,
    nowMs: number,
  ): Promise<({ ok: true; recoveryCode: string } & SessionView) | Refusal<"not_allowed" | "no_pending" | "malformed" | "mismatch">> {
    const session = this.live(sid, nowMs);
    if (!session || !this.mayChangeFactors(session, nowMs)) return { ok: false, reason: "not_allowed" };
    const pending = this.kv.get<{ box: TotpFactor["box"]; sid: string; createdAtMs: number }>("totp_pending");
    if (!pending || pending.sid !== sid || pending.createdAtMs + TOTP_ENROLL_TTL_MS <= nowMs) return { ok: false, reason: "no_pending" };
    const normalized = normalizeCode(code, 6);
    if (!normalized) return { ok: false, reason: "malformed" };
    const secret = await open(pending.box, this.accountId, this.config.dataKeys);
    if (!secret) throw new Error("pending TOTP secret does not decrypt");
    const result = await verifyTotp(secret, normalized, nowMs);
    if (!result.ok) return { ok: false, reason: "mismatch" };
    const replacement = await prepareRecoveryCode(this.config, nowMs);
    const pause = testHooks.beforeCommit;
    if (pause) await pause("totp_enroll");
    // The app, its last step, the session and the recovery code: all written, or none.
    return this.ctx.storage.transactionSync(() => {
      const stillPending = this.kv.get<{ createdAtMs: number }>("totp_pending");
      if (!stillPending || stillPending.createdAtMs !== pending.createdAtMs) return { ok: false, reason: "no_pending" };
      // Re-checked after the awaits: a sign-out or a factor enrolled meanwhile wins.
      const current = this.live(sid, nowMs);
      if (!current || !this.mayChangeFactors(current, nowMs)) return { ok: false, reason: "not_allowed" };
      this.kv.delete("totp_pending");
      this.kv.put<TotpFactor>("totp", { box: pending.box, enrolledAtMs: nowMs, disabled: false });
      this.kv.put("totp_last_step", result.timeStep);
      clearFailures(this.kv);
      const rotated = rotateSession(this.kv, current, "save_recovery_code", [...new Set([...current.amr, "otp"])], nowMs);
      return { ok: true, session: rotated, recoveryCode: storeRecoveryCode(this.kv, replacement) };
    });
  }

  /**
   * Replaces the recovery code while the session is in the save step (the page was reloaded, the
   * code not saved). Same rule as the Settings button: a second factor in the last 10 minutes,
   * which the step that led here recorded; later, the person verifies again first.
   */
  async reissueRecoveryCode(sid: string, nowMs: number): Promise<{ ok: true; recoveryCode: string } | Refusal<"wrong_stage" | "not_allowed">> {
    const session = this.live(sid, nowMs);
    if (!session || session.stage !== "save_recovery_code") return { ok: false, reason: "wrong_stage" };
    if (!hasFreshSecondFactor(session.mfaAtMs, nowMs)) return { ok: false, reason: "not_allowed" };
    return { ok: true, recoveryCode: await issueRecoveryCode(this.kv, this.config, nowMs) };
  }

  /** The person ticked "I have securely saved this code": the session becomes complete. */
  async confirmRecoverySaved(sid: string, nowMs: number): Promise<({ ok: true } & SessionView) | Refusal<"not_allowed">> {
    const session = this.live(sid, nowMs);
    if (!session || session.stage !== "save_recovery_code") return { ok: false, reason: "not_allowed" };
    session.stage = "done";
    this.kv.put(`session:${sid}`, session);
    rememberSessionDevice(this.kv, session, nowMs); // the end of an enrollment at sign-in
    return { ok: true, session };
  }

  async describeFactors(): Promise<FactorSummary> {
    const totp = this.kv.get<TotpFactor>("totp");
    const recovery = this.kv.get<RecoveryFactor>("recovery");
    return {
      totp: { enrolled: Boolean(totp), disabled: Boolean(totp?.disabled) },
      sms: { enrolled: Boolean(smsFactorOf(this.kv)), disabled: Boolean(smsFactorOf(this.kv)?.disabled) },
      recovery: { enrolled: Boolean(recovery), disabled: Boolean(recovery?.disabled) },
    };
  }

  /** Decides one request inside the payments tool (docs/decisions/0008-payments-step-up.md). */
  async authorizePayments(sid: string, request: { action?: BoundAction; grantId?: string }, nowMs: number): Promise<PaymentsDecision> {
    const checked = authorizePayments(this.kv, this.config, sid, request, nowMs);
    if (checked.kind !== "grant_found") return checked;
    const pause = testHooks.beforeCommit;
    if (pause) await pause("grant");
    // The grant is taken and the visit recorded together: a failure leaves the grant usable.
    return this.ctx.storage.transactionSync(checked.commit);
  }

  /** Consumes a grant holding a page form's request and returns that request to send on once. */
  async takeHeldAction(sid: string, grantId: string, nowMs: number) {
    return takeHeldAction(this.kv, this.config, sid, grantId, nowMs);
  }

  async leavePayments(sid: string): Promise<void> {
    leavePayments(this.kv, sid);
  }

  /** The payments idle state for the extension's countdown and /api/me. */
  async paymentsState(sid: string, nowMs: number): Promise<SessionRecord["payments"] | null> {
    return this.live(sid, nowMs)?.payments ?? null;
  }

  /** One pending challenge of this session by id (any reason), with the methods that can pass it. */
  async getChallenge(sid: string, challengeId: string, nowMs: number): Promise<(ChallengeRecord & { methods: Method[] }) | null> {
    const challenge = this.kv.get<ChallengeRecord>(`challenge:${challengeId}`);
    if (!challenge || challenge.sid !== sid || challenge.expiresAtMs <= nowMs || !this.live(sid, nowMs)) return null;
    return { ...challenge, methods: usableMethods(this.kv) };
  }

  /**
   * One challenge of this session by id: still pending, or passed with its unused grant (a
   * sensitive action, see passedChallengeGrant); null when it is neither, or not this session's.
   */
  async challengeStatus(sid: string, challengeId: string, nowMs: number): Promise<ChallengeStatus | null> {
    const pending = await this.getChallenge(sid, challengeId, nowMs);
    if (pending) return { status: "pending", challenge: pending };
    const grant = passedChallengeGrant(this.kv, this.config, sid, challengeId, nowMs);
    return grant ? { status: "passed", grant } : null;
  }

  // --- administration (worker/routes/admin.ts) --------------------------------------------------

  /** Ends every session of the account (and their challenges); returns how many there were. */
  async endAllSessions(): Promise<number> {
    return endEverySession(this.kv);
  }

  /**
   * Admin MFA reset: removes every factor, pending set-up, counter and session in one block
   * (see account-reset.ts); the next sign-in goes through enrollment. Returns sessions ended.
   */
  async resetMfa(): Promise<{ sessionsEnded: number }> {
    return this.ctx.storage.transactionSync(() => resetFactors(this.kv));
  }

  /** Deactivation mark checked at sign-in; deactivating also ends every session. */
  async setActive(active: boolean): Promise<{ sessionsEnded: number }> {
    if (active) {
      this.kv.delete(INACTIVE_KEY);
      return { sessionsEnded: 0 };
    }
    return this.ctx.storage.transactionSync(() => {
      this.kv.put(INACTIVE_KEY, true);
      return { sessionsEnded: endEverySession(this.kv) };
    });
  }

  // --- SMS and self-service settings (account-sms*.ts, account-settings.ts) ---------------------

  /** Sends a code to a phone being enrolled (first factor, added method or changed number). */
  async beginSmsEnrollment(sid: string, phone: Phone, nowMs: number) {
    return beginSmsEnrollment(this.smsHost(), sid, phone, nowMs);
  }

  async confirmSmsEnrollment(sid: string, code: string, nowMs: number) {
    return confirmSmsEnrollment(this.smsHost(), sid, code, nowMs);
  }

  /** Sends (or re-sends) a code for a pending challenge of this session to the enrolled phone. */
  async sendChallengeSms(sid: string, challengeId: string, nowMs: number) {
    return sendChallengeSms(this.smsHost(), sid, challengeId, nowMs);
  }

  async sendIdentitySms(sid: string, nowMs: number) {
    return sendIdentitySms(this.smsHost(), sid, nowMs);
  }

  /** A fresh second factor in a signed-in session (opens the 10-minute window for changes). */
  async verifyIdentity(sid: string, method: Method, code: string, nowMs: number) {
    return verifyIdentity(this.smsHost(), sid, method, code, nowMs);
  }

  async replaceRecoveryCode(sid: string, nowMs: number) {
    return replaceRecoveryCode(this.smsHost(), sid, nowMs);
  }

  /** The enrolled phone, if any (for masking and policy checks; the Worker never shows it whole). */
  async smsFactor() {
    return smsFactorOf(this.kv);
  }

  /** Consecutive second-factor failures right now (for the "attempts keep failing" notice). */
  async consecutiveFailures(): Promise<number> {
    return this.kv.get<{ consecutive: number }>("failures")?.consecutive ?? 0;
  }

  /** Per-number SMS send gate; only called on the object named `sms-number:<e164>`. */
  async reserveNumberSend(nowMs: number) {
    return reserveNumberSend(this.kv, this.config, nowMs);
  }

  private smsHost(): SmsHost {
    return {
      kv: this.kv,
      config: this.config,
      accountId: this.accountId,
      live: (sid, nowMs) => this.live(sid, nowMs),
      transaction: (block) => this.ctx.storage.transactionSync(block),
      mayChangeFactors: (session, nowMs) => this.mayChangeFactors(session, nowMs),
      reserveNumberSend: (e164, nowMs) => this.env.ACCOUNT.get(this.env.ACCOUNT.idFromName(`sms-number:${e164}`)).reserveNumberSend(nowMs),
    };
  }

  // --- internals -------------------------------------------------------------------------------

  /**
   * A passed step-up (payments entry, idle, sensitive action) keeps the session id: the session
   * was already fully signed in. A recovery code used here still forces a new code to be saved.
   */
  private completeStepUp(session: SessionRecord, challenge: ChallengeRecord, amr: string[], recoveryCode: string | undefined, nowMs: number): VerifyResult {
    session.amr = amr;
    session.mfaAtMs = nowMs;
    const grant = applyStepUp(this.kv, this.config, session, challenge, nowMs);
    if (recoveryCode) session.stage = "save_recovery_code";
    this.kv.put(`session:${session.sid}`, session);
    return { ok: true, next: session.stage, session, ...(grant ? { grant } : {}), ...(recoveryCode ? { recoveryCode } : {}) };
  }

  private get accountId(): string {
    return this.ctx.id.toString();
  }

  private live(sid: string, nowMs: number): SessionRecord | null {
    return liveSession(this.kv, this.config, sid, nowMs);
  }

  private async decoyHash(): Promise<SlowHash> {
    let decoy = this.kv.get<SlowHash>("decoy");
    // The decoy must cost what a real verifier costs, also after PASSWORD_PBKDF2_ROUNDS changes.
    if (!decoy || decoy.rounds !== this.config.passwordRounds) {
      decoy = await hashSecret(randomId(), this.config.pepper, this.config.passwordRounds);
      this.kv.put("decoy", decoy);
    }
    return decoy;
  }

  /** Adding or replacing a factor: first enrollment, or a second factor passed in the last 10 min. */
  private mayChangeFactors(session: SessionRecord, nowMs: number): boolean {
    // An `enroll` session may set up only the first factor: if one was enrolled meanwhile (from
    // another session), adding another would take over the account with the password alone.
    if (!hasAnyFactor(this.kv)) return session.stage === "enroll" || session.stage === "done";
    if (session.stage !== "done") return false;
    return hasFreshSecondFactor(session.mfaAtMs, nowMs);
  }
}
