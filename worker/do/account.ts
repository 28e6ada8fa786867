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
import { generateRecoveryCode, normalizeCode, RECOVERY_CODE_LENGTH } from "../../shared/codes";
import type { Method, NextStep } from "../../shared/protocol";
import { generateTotpSecret, verifyTotp } from "../../shared/totp";
import { getConfig, type Config } from "../config";
import { randomId } from "../lib/ids";
import { open, seal } from "../lib/secretbox";
import { hashSecret, verifySecret, type SlowHash } from "../lib/slowhash";
import type {
  ChallengeRecord,
  FailureState,
  PasswordFailureState,
  RecoveryFactor,
  SessionRecord,
  TotpFactor,
} from "../domain/records";
import { FACTOR_DISABLE_AFTER, retryAfterSeconds, waitSecondsAfter } from "../domain/throttle";
import type { Bindings } from "../env";

const TOTP_ENROLL_TTL_MS = 15 * 60_000;
const FRESH_MFA_FOR_CHANGES_MS = 10 * 60_000;

export type Refusal<R extends string> = { ok: false; reason: R; retryAfterSeconds?: number };

export interface SessionView {
  session: SessionRecord;
  challenge?: ChallengeRecord & { methods: Method[] };
}

export type SignInResult = ({ ok: true } & SessionView) | Refusal<"invalid_password" | "throttled">;

export type VerifyResult =
  | ({ ok: true; next: NextStep; recoveryCode?: string } & SessionView)
  | Refusal<"no_session" | "no_challenge" | "challenge_expired" | "method_unavailable" | "throttled" | "malformed" | "mismatch" | "replayed">;

export interface FactorSummary {
  totp: { enrolled: boolean; disabled: boolean };
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
    this.kv.delete("password_failures");
  }

  /**
   * Checks the password and, when right, opens a new session (a fresh id: nothing from a previous
   * session survives the password step). `mfaRequired` is the company policy's verdict.
   */
  async signIn(password: string, mfaRequired: boolean, nowMs: number): Promise<SignInResult> {
    const stored = this.kv.get<SlowHash>("password");
    // The hash always runs, even when throttled or unknown, so timing says nothing.
    const matches = await verifySecret(password, stored ?? (await this.decoyHash()), this.config.pepper);
    const failures = this.kv.get<PasswordFailureState>("password_failures") ?? { consecutive: 0, nextAllowedAtMs: 0 };
    if (failures.nextAllowedAtMs > nowMs) {
      return { ok: false, reason: "throttled", retryAfterSeconds: retryAfterSeconds(failures.nextAllowedAtMs, nowMs) };
    }
    if (!stored || !matches) {
      const consecutive = failures.consecutive + 1;
      this.kv.put("password_failures", { consecutive, nextAllowedAtMs: nowMs + waitSecondsAfter(consecutive) * 1000 });
      return { ok: false, reason: "invalid_password" };
    }
    this.kv.delete("password_failures");
    this.deleteExpiredSessions(nowMs);
    const factors = this.usableMethods();
    const stage: NextStep = this.hasAnyFactor() ? "mfa" : mfaRequired ? "enroll" : "done";
    const session = this.createSession(stage, ["pwd"], nowMs, nowMs);
    if (stage !== "mfa") return { ok: true, session };
    const challenge = this.createChallenge(session.sid, "login", nowMs);
    return { ok: true, session, challenge: { ...challenge, methods: factors } };
  }

  /** Runs the same hash as a real sign-in, for emails that match no account. */
  async signInDecoy(password: string): Promise<void> {
    await verifySecret(password, await this.decoyHash(), this.config.pepper);
  }

  /** The session if it is still alive; refreshes its last-seen time. */
  async touchSession(sid: string, nowMs: number): Promise<SessionRecord | null> {
    const session = this.liveSession(sid, nowMs);
    if (!session) return null;
    session.lastSeenMs = nowMs;
    this.kv.put(`session:${sid}`, session);
    return session;
  }

  async endSession(sid: string): Promise<void> {
    this.kv.delete(`session:${sid}`);
    for (const challenge of this.challengesOf(sid)) this.kv.delete(`challenge:${challenge.id}`);
  }

  async listChallenges(sid: string, nowMs: number): Promise<Array<ChallengeRecord & { methods: Method[] }>> {
    if (!this.liveSession(sid, nowMs)) return [];
    const methods = this.usableMethods();
    return this.challengesOf(sid)
      .filter((challenge) => challenge.expiresAtMs > nowMs)
      .map((challenge) => ({ ...challenge, methods }));
  }

  /** Verifies a second factor against a pending challenge of this session. */
  async verifyChallenge(sid: string, challengeId: string, method: Method, code: string, nowMs: number): Promise<VerifyResult> {
    const session = this.liveSession(sid, nowMs);
    if (!session) return { ok: false, reason: "no_session" };
    const challenge = this.kv.get<ChallengeRecord>(`challenge:${challengeId}`);
    if (!challenge || challenge.sid !== sid) return { ok: false, reason: "no_challenge" };
    if (challenge.expiresAtMs <= nowMs) return { ok: false, reason: "challenge_expired" };
    if (!this.usableMethods().includes(method)) return { ok: false, reason: "method_unavailable" };
    const normalized = normalizeCode(code, method === "recovery" ? RECOVERY_CODE_LENGTH : 6);
    if (!normalized) return { ok: false, reason: "malformed" };

    // Reserve the attempt before any await: a concurrent burst is counted in full.
    const reservation = this.reserveAttempt(method, nowMs);
    if (!reservation.ok) return reservation;

    const outcome = method === "totp" ? await this.checkTotp(normalized, nowMs) : await this.checkRecovery(normalized);
    if (!outcome.ok) {
      this.disableIfCapped(method);
      return outcome;
    }
    // Re-read after the awaits: the challenge may have been consumed meanwhile.
    if (!this.kv.get(`challenge:${challengeId}`) || !this.liveSession(sid, nowMs)) return { ok: false, reason: "no_challenge" };
    if (!outcome.commit()) return { ok: false, reason: "replayed" };
    this.kv.delete("failures");
    this.kv.delete(`challenge:${challengeId}`);

    const next: NextStep = method === "recovery" ? "save_recovery_code" : "done";
    const rotated = this.rotateSession(session, next, [...new Set([...session.amr, AMR_BY_METHOD[method]])], nowMs);
    if (method !== "recovery") return { ok: true, next, session: rotated };
    // The used code is gone; the person must save a new one before going on.
    const recoveryCode = await this.issueRecoveryCode(nowMs);
    return { ok: true, next, session: rotated, recoveryCode };
  }

  /** Starts authenticator-app enrollment for this session; returns the new secret in Base32. */
  async beginTotpEnrollment(sid: string, nowMs: number): Promise<{ ok: true; secret: string } | Refusal<"not_allowed">> {
    const session = this.liveSession(sid, nowMs);
    if (!session || !this.mayChangeFactors(session, nowMs)) return { ok: false, reason: "not_allowed" };
    const secret = generateTotpSecret();
    const box = await seal(secret, this.ctx.id.toString(), this.config.dataKeys, this.config.dataKeyId);
    this.kv.put("totp_pending", { box, sid, createdAtMs: nowMs });
    return { ok: true, secret: encodeBase32(secret) };
  }

  /** Re-shows the pending secret to the session that started the set-up (a reloaded page). */
  async pendingTotpSecret(sid: string, nowMs: number): Promise<{ ok: true; secret: string } | Refusal<"not_allowed" | "no_pending">> {
    const session = this.liveSession(sid, nowMs);
    if (!session || !this.mayChangeFactors(session, nowMs)) return { ok: false, reason: "not_allowed" };
    const pending = this.kv.get<{ box: TotpFactor["box"]; sid: string; createdAtMs: number }>("totp_pending");
    if (!pending || pending.sid !== sid || pending.createdAtMs + TOTP_ENROLL_TTL_MS <= nowMs) return { ok: false, reason: "no_pending" };
    const secret = await open(pending.box, this.ctx.id.toString(), this.config.dataKeys);
    if (!secret) throw new Error("pending TOTP secret does not decrypt");
    return { ok: true, secret: encodeBase32(secret) };
  }

  /** Confirms enrollment with a current code: the new app replaces any old one. */
  async confirmTotpEnrollment(
    sid: string,
    code: string,
    nowMs: number,
  ): Promise<({ ok: true; recoveryCode: string } & SessionView) | Refusal<"not_allowed" | "no_pending" | "malformed" | "mismatch">> {
    const session = this.liveSession(sid, nowMs);
    if (!session || !this.mayChangeFactors(session, nowMs)) return { ok: false, reason: "not_allowed" };
    const pending = this.kv.get<{ box: TotpFactor["box"]; sid: string; createdAtMs: number }>("totp_pending");
    if (!pending || pending.sid !== sid || pending.createdAtMs + TOTP_ENROLL_TTL_MS <= nowMs) return { ok: false, reason: "no_pending" };
    const normalized = normalizeCode(code, 6);
    if (!normalized) return { ok: false, reason: "malformed" };
    const secret = await open(pending.box, this.ctx.id.toString(), this.config.dataKeys);
    if (!secret) throw new Error("pending TOTP secret does not decrypt");
    const result = await verifyTotp(secret, normalized, nowMs);
    if (!result.ok) return { ok: false, reason: "mismatch" };
    const stillPending = this.kv.get<{ createdAtMs: number }>("totp_pending");
    if (!stillPending || stillPending.createdAtMs !== pending.createdAtMs) return { ok: false, reason: "no_pending" };
    this.ctx.storage.transactionSync(() => {
      this.kv.delete("totp_pending");
      this.kv.put<TotpFactor>("totp", { box: pending.box, enrolledAtMs: nowMs, disabled: false });
      this.kv.put("totp_last_step", result.timeStep);
      this.kv.delete("failures");
    });
    const rotated = this.rotateSession(session, "save_recovery_code", [...new Set([...session.amr, "otp"])], nowMs);
    const recoveryCode = await this.issueRecoveryCode(nowMs);
    return { ok: true, session: rotated, recoveryCode };
  }

  /** Replaces the recovery code while the session is in the save step (the page was reloaded). */
  async reissueRecoveryCode(sid: string, nowMs: number): Promise<{ ok: true; recoveryCode: string } | Refusal<"not_allowed">> {
    const session = this.liveSession(sid, nowMs);
    if (!session || session.stage !== "save_recovery_code") return { ok: false, reason: "not_allowed" };
    return { ok: true, recoveryCode: await this.issueRecoveryCode(nowMs) };
  }

  /** The person ticked "I have securely saved this code": the session becomes complete. */
  async confirmRecoverySaved(sid: string, nowMs: number): Promise<({ ok: true } & SessionView) | Refusal<"not_allowed">> {
    const session = this.liveSession(sid, nowMs);
    if (!session || session.stage !== "save_recovery_code") return { ok: false, reason: "not_allowed" };
    session.stage = "done";
    this.kv.put(`session:${sid}`, session);
    return { ok: true, session };
  }

  async describeFactors(): Promise<FactorSummary> {
    const totp = this.kv.get<TotpFactor>("totp");
    const recovery = this.kv.get<RecoveryFactor>("recovery");
    return {
      totp: { enrolled: Boolean(totp), disabled: Boolean(totp?.disabled) },
      recovery: { enrolled: Boolean(recovery), disabled: Boolean(recovery?.disabled) },
    };
  }

  // --- internals -------------------------------------------------------------------------------

  private async decoyHash(): Promise<SlowHash> {
    let decoy = this.kv.get<SlowHash>("decoy");
    if (!decoy) {
      decoy = await hashSecret(randomId(), this.config.pepper, this.config.passwordRounds);
      this.kv.put("decoy", decoy);
    }
    return decoy;
  }

  private hasAnyFactor(): boolean {
    return Boolean(this.kv.get("totp")) || Boolean(this.kv.get("recovery"));
  }

  /** Methods that can pass a challenge now (enrolled and not disabled). */
  private usableMethods(): Method[] {
    const methods: Method[] = [];
    const totp = this.kv.get<TotpFactor>("totp");
    if (totp && !totp.disabled) methods.push("totp");
    const recovery = this.kv.get<RecoveryFactor>("recovery");
    if (recovery && !recovery.disabled) methods.push("recovery");
    return methods;
  }

  private mayChangeFactors(session: SessionRecord, nowMs: number): boolean {
    if (session.stage === "enroll") return true;
    if (session.stage !== "done") return false;
    if (!this.hasAnyFactor()) return true;
    return session.mfaAtMs !== undefined && nowMs - session.mfaAtMs <= FRESH_MFA_FOR_CHANGES_MS;
  }

  private reserveAttempt(method: Method, nowMs: number): { ok: true } | Refusal<"throttled"> {
    const state = this.kv.get<FailureState>("failures") ?? { consecutive: 0, nextAllowedAtMs: 0, byMethod: {} };
    if (state.nextAllowedAtMs > nowMs) {
      return { ok: false, reason: "throttled", retryAfterSeconds: retryAfterSeconds(state.nextAllowedAtMs, nowMs) };
    }
    const consecutive = state.consecutive + 1;
    this.kv.put<FailureState>("failures", {
      consecutive,
      nextAllowedAtMs: nowMs + waitSecondsAfter(consecutive) * 1000,
      byMethod: { ...state.byMethod, [method]: (state.byMethod[method] ?? 0) + 1 },
    });
    return { ok: true };
  }

  private disableIfCapped(method: Method): void {
    const state = this.kv.get<FailureState>("failures");
    if (!state || (state.byMethod[method] ?? 0) < FACTOR_DISABLE_AFTER) return;
    const key = method === "totp" ? "totp" : method === "recovery" ? "recovery" : null;
    const factor = key ? this.kv.get<TotpFactor | RecoveryFactor>(key) : undefined;
    if (key && factor && !factor.disabled) this.kv.put(key, { ...factor, disabled: true });
  }

  /** Verifies a TOTP code; `commit` atomically refuses a step at or before the last accepted one. */
  private async checkTotp(code: string, nowMs: number) {
    const factor = this.kv.get<TotpFactor>("totp");
    const secret = factor ? await open(factor.box, this.ctx.id.toString(), this.config.dataKeys) : null;
    if (!factor || !secret) throw new Error("TOTP secret unavailable");
    const result = await verifyTotp(secret, code, nowMs);
    if (!result.ok) return { ok: false as const, reason: "mismatch" as const };
    return {
      ok: true as const,
      commit: (): boolean => {
        const lastStep = this.kv.get<number>("totp_last_step") ?? -1;
        if (result.timeStep <= lastStep) return false;
        this.kv.put("totp_last_step", result.timeStep);
        return true;
      },
    };
  }

  /** Verifies a recovery code; `commit` consumes it only if it is still the stored one. */
  private async checkRecovery(code: string) {
    const factor = this.kv.get<RecoveryFactor>("recovery");
    if (!factor) return { ok: false as const, reason: "mismatch" as const };
    if (!(await verifySecret(code, factor.hash, this.config.pepper))) return { ok: false as const, reason: "mismatch" as const };
    return {
      ok: true as const,
      commit: (): boolean => {
        const current = this.kv.get<RecoveryFactor>("recovery");
        if (!current || current.hash.hash !== factor.hash.hash) return false;
        this.kv.delete("recovery");
        return true;
      },
    };
  }

  /** A fresh recovery code replaces any previous one at once; only its hash is kept. */
  private async issueRecoveryCode(nowMs: number): Promise<string> {
    const code = generateRecoveryCode();
    const hash = await hashSecret(code, this.config.pepper, 1);
    this.kv.put<RecoveryFactor>("recovery", { hash, createdAtMs: nowMs, disabled: false });
    return code;
  }

  private createSession(stage: NextStep, amr: string[], authTimeMs: number, nowMs: number, mfaAtMs?: number): SessionRecord {
    const session: SessionRecord = { sid: randomId(), stage, createdAtMs: nowMs, authTimeMs, amr, lastSeenMs: nowMs };
    if (mfaAtMs !== undefined) session.mfaAtMs = mfaAtMs;
    this.kv.put(`session:${session.sid}`, session);
    return session;
  }

  /** Ends `old` and opens a new session id carrying its sign-in time (after every MFA step). */
  private rotateSession(old: SessionRecord, stage: NextStep, amr: string[], nowMs: number): SessionRecord {
    this.kv.delete(`session:${old.sid}`);
    for (const challenge of this.challengesOf(old.sid)) this.kv.delete(`challenge:${challenge.id}`);
    return this.createSession(stage, amr, old.authTimeMs, nowMs, nowMs);
  }

  private createChallenge(sid: string, reason: ChallengeRecord["reason"], nowMs: number): ChallengeRecord {
    const challenge: ChallengeRecord = {
      id: randomId(),
      sid,
      reason,
      createdAtMs: nowMs,
      expiresAtMs: nowMs + this.config.challengeTtlSeconds * 1000,
    };
    this.kv.put(`challenge:${challenge.id}`, challenge);
    return challenge;
  }

  private challengesOf(sid: string): ChallengeRecord[] {
    const result: ChallengeRecord[] = [];
    // Materialised at once: only one kv.list() iterator may be open at a time.
    for (const [, challenge] of [...this.kv.list<ChallengeRecord>({ prefix: "challenge:" })]) {
      if (challenge.sid === sid) result.push(challenge);
    }
    return result;
  }

  private liveSession(sid: string, nowMs: number): SessionRecord | null {
    const session = this.kv.get<SessionRecord>(`session:${sid}`);
    if (!session) return null;
    const { sessionMaxAgeSeconds, idleTimeoutSeconds } = this.config;
    const tooOld = nowMs - session.authTimeMs > sessionMaxAgeSeconds * 1000;
    const idle = idleTimeoutSeconds > 0 && nowMs - session.lastSeenMs > idleTimeoutSeconds * 1000;
    if (tooOld || idle) {
      void this.endSession(sid);
      return null;
    }
    return session;
  }

  private deleteExpiredSessions(nowMs: number): void {
    for (const [, session] of [...this.kv.list<SessionRecord>({ prefix: "session:" })]) {
      if (nowMs - session.authTimeMs > this.config.sessionMaxAgeSeconds * 1000) void this.endSession(session.sid);
    }
    for (const [key, challenge] of [...this.kv.list<ChallengeRecord>({ prefix: "challenge:" })]) {
      if (challenge.expiresAtMs <= nowMs) this.kv.delete(key);
    }
  }
}
