/**
 * fast-check commands over one account Durable Object (its RPC, the clock passed in) and the
 * reference model of model.ts. Each command states what the model expects, asks the real object,
 * compares the answers, then copies the real object's opaque outputs (session ids, the new secret,
 * the new recovery code) into the model. After every command the factors and the failure count
 * are compared too.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { decodeBase32 } from "../../../shared/base32";
import { generateTotpForStep } from "../../../shared/totp";
import type { AccountDO } from "../../../worker/do/account";
import { PASSWORD } from "../helpers";
import {
  CHALLENGE_TTL_MS,
  PASSWORD_FAILURE_LEAK_MS,
  PENDING_TOTP_TTL_MS,
  UNKNOWN_DEVICE_PASSWORD_CEILING,
  countFailure,
  hasAnyFactor,
  liveSession,
  mayChangeFactors,
  stepAt,
  usableMethods,
  type Model,
  type Stage,
} from "./model";

export interface Real {
  account: DurableObjectStub<AccountDO>;
}

type Answer = { ok: boolean; reason?: string; retryAfterSeconds?: number; next?: string };
type Cmd = fc.AsyncCommand<Model, Real>;

/** How often each command ended how, over a whole property run (so the test can show it reached the rules). */
export const outcomes = new Map<string, number>();
function tally(command: string, answer: { ok: boolean; reason?: string } | string): void {
  const key = `${command}: ${typeof answer === "string" ? answer : answer.ok ? "ok" : answer.reason}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}

const retryAfter = (nextAllowedAtMs: number, nowMs: number) => Math.ceil((nextAllowedAtMs - nowMs) / 1000);

/** What a refused or accepted answer must look like (the fields the model decides). */
function answerOf(result: { ok: boolean; reason?: string; retryAfterSeconds?: number; next?: string }): Answer {
  const answer: Answer = { ok: result.ok };
  if (result.reason !== undefined) answer.reason = result.reason;
  if (result.retryAfterSeconds !== undefined) answer.retryAfterSeconds = result.retryAfterSeconds;
  if (result.next !== undefined) answer.next = result.next;
  return answer;
}

async function codeFor(secret: Uint8Array, step: number): Promise<string> {
  return generateTotpForStep(secret, step);
}

/** A 6-digit code that matches none of the steps a verification would try for `secret`. */
async function wrongCodeFor(secret: Uint8Array | undefined, nowMs: number): Promise<string> {
  const step = stepAt(nowMs);
  const near = secret ? await Promise.all([-1, 0, 1].map((offset) => codeFor(secret, step + offset))) : [];
  for (const candidate of ["000000", "111111", "222222", "333333"]) if (!near.includes(candidate)) return candidate;
  throw new Error("unreachable: four codes cannot all be near");
}

/** The step a code matches, nearest first (current, then -1, then +1), or null. */
async function matchedStep(secret: Uint8Array, code: string, nowMs: number): Promise<number | null> {
  const step = stepAt(nowMs);
  for (const offset of [0, -1, 1]) if ((await codeFor(secret, step + offset)) === code) return step + offset;
  return null;
}

/** After a passed second factor or a confirmed set-up: a new session id with a fresh MFA time. */
function rotate(model: Model, sid: string, stage: Stage): void {
  model.session = { sid, stage, mfaAtMs: model.nowMs, alive: true };
}

function issueRecovery(model: Model, code: string | undefined): void {
  expect(code, "a new recovery code is issued").toMatch(/^[0-9]{32}$/);
  if (model.recovery) model.usedRecoveryCodes.push(model.recovery.code);
  model.recovery = { code: code ?? "" };
}

async function compareState(model: Model, real: Real): Promise<void> {
  const factors = await real.account.describeFactors();
  expect(factors).toEqual({
    totp: { enrolled: model.totp !== null, disabled: false },
    sms: { enrolled: false, disabled: false },
    recovery: { enrolled: model.recovery !== null, disabled: false },
  });
  expect(await real.account.consecutiveFailures(), "second-factor failures").toBe(model.factorFailures.consecutive);
}

class SignIn implements Cmd {
  constructor(readonly right: boolean) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const result = await real.account.signIn(this.right ? PASSWORD : "not-the-password", true, model.nowMs);
    const { nowMs } = model;
    const overMs = model.passwordBudgetEmptyAtMs - nowMs - (UNKNOWN_DEVICE_PASSWORD_CEILING - 1) * PASSWORD_FAILURE_LEAK_MS;
    if (overMs > 0) {
      expect(answerOf(result)).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: Math.ceil(overMs / 1000) });
    } else if (!this.right) {
      expect(answerOf(result)).toEqual({ ok: false, reason: "invalid_password" });
      model.passwordBudgetEmptyAtMs = Math.max(model.passwordBudgetEmptyAtMs, nowMs) + PASSWORD_FAILURE_LEAK_MS;
    } else {
      const stage: Stage = hasAnyFactor(model) ? "mfa" : "enroll";
      if (!result.ok) throw new Error(`the right password was refused: ${result.reason}`);
      expect(result.session.stage).toBe(stage);
      if (stage === "mfa") expect({ methods: result.challenge?.methods, expiresAtMs: result.challenge?.expiresAtMs }).toEqual({ methods: usableMethods(model), expiresAtMs: nowMs + CHALLENGE_TTL_MS });
      else expect(result.challenge).toBeUndefined();
      // Its own reserved attempt is given back (the budget is as before it); strangers' failures stay.
      model.session = { sid: result.session.sid, stage, alive: true, ...(result.challenge ? { challenge: { id: result.challenge.id, expiresAtMs: result.challenge.expiresAtMs } } : {}) };
      model.liveSessions++;
    }
    tally("SignIn", result);
    await compareState(model, real);
  }
  toString = () => `SignIn(${this.right ? "right" : "wrong"} password)`;
}

/** The checks every challenge verification shares, in the order the rules give; null to go on. */
function refusalBeforeCheck(model: Model, method: string): Answer | null {
  const session = liveSession(model);
  if (!session) return { ok: false, reason: "no_session" };
  const challenge = session.challenge;
  if (!challenge) return { ok: false, reason: "no_challenge" };
  if (challenge.expiresAtMs <= model.nowMs) return { ok: false, reason: "challenge_expired" };
  if (!usableMethods(model).includes(method)) return { ok: false, reason: "method_unavailable" };
  if (model.factorFailures.nextAllowedAtMs > model.nowMs) return { ok: false, reason: "throttled", retryAfterSeconds: retryAfter(model.factorFailures.nextAllowedAtMs, model.nowMs) };
  model.factorFailures = countFailure(model.factorFailures, model.nowMs); // reserved before the check
  return null;
}

type TotpKind = "current" | "previous" | "next" | "two-back" | "replayed" | "wrong";

class VerifyTotp implements Cmd {
  constructor(readonly kind: TotpKind) {}
  check = (model: Readonly<Model>) => model.session?.challenge !== undefined;
  async run(model: Model, real: Real) {
    const session = model.session;
    if (!session?.challenge) throw new Error("unreachable: checked");
    const secret = model.totp?.secret;
    const step = stepAt(model.nowMs);
    const offsets: Record<Exclude<TotpKind, "replayed" | "wrong">, number> = { current: 0, previous: -1, next: 1, "two-back": -2 };
    const code =
      !secret || this.kind === "wrong"
        ? await wrongCodeFor(secret, model.nowMs)
        : this.kind === "replayed"
          ? await codeFor(secret, Math.max(model.lastTotpStep, 0))
          : await codeFor(secret, step + offsets[this.kind]);
    const result = await real.account.verifyChallenge(session.sid, session.challenge.id, "totp", code, model.nowMs);
    const refusal = refusalBeforeCheck(model, "totp");
    const matched = secret ? await matchedStep(secret, code, model.nowMs) : null;
    if (refusal) expect(answerOf(result)).toEqual(refusal);
    else if (matched === null) expect(answerOf(result)).toEqual({ ok: false, reason: "mismatch" });
    else if (matched <= model.lastTotpStep) expect(answerOf(result)).toEqual({ ok: false, reason: "replayed" });
    else {
      expect(answerOf(result)).toEqual({ ok: true, next: "done" });
      if (!result.ok) throw new Error("unreachable: compared");
      model.lastTotpStep = matched;
      model.factorFailures = { consecutive: 0, nextAllowedAtMs: 0 };
      rotate(model, result.session.sid, "done");
    }
    tally("VerifyTotp", result);
    await compareState(model, real);
  }
  toString = () => `VerifyTotp(${this.kind})`;
}

type RecoveryKind = "right" | "wrong" | "old";

class VerifyRecovery implements Cmd {
  constructor(
    readonly kind: RecoveryKind,
    readonly randomCode: string,
  ) {}
  check = (model: Readonly<Model>) => model.session?.challenge !== undefined;
  async run(model: Model, real: Real) {
    const session = model.session;
    if (!session?.challenge) throw new Error("unreachable: checked");
    const code = (this.kind === "right" ? model.recovery?.code : this.kind === "old" ? model.usedRecoveryCodes.at(-1) : undefined) ?? this.randomCode;
    const result = await real.account.verifyChallenge(session.sid, session.challenge.id, "recovery", code, model.nowMs);
    const refusal = refusalBeforeCheck(model, "recovery");
    if (refusal) expect(answerOf(result)).toEqual(refusal);
    else if (code !== model.recovery?.code) expect(answerOf(result)).toEqual({ ok: false, reason: "mismatch" });
    else {
      expect(answerOf(result)).toEqual({ ok: true, next: "save_recovery_code" });
      if (!result.ok) throw new Error("unreachable: compared");
      model.factorFailures = { consecutive: 0, nextAllowedAtMs: 0 };
      issueRecovery(model, result.recoveryCode); // the used code is gone; a new one must be saved
      rotate(model, result.session.sid, "save_recovery_code");
    }
    tally("VerifyRecovery", result);
    await compareState(model, real);
  }
  toString = () => `VerifyRecovery(${this.kind})`;
}

class EnrollTotp implements Cmd {
  check = (model: Readonly<Model>) => model.session !== null;
  async run(model: Model, real: Real) {
    const session = model.session;
    if (!session) throw new Error("unreachable: checked");
    const result = await real.account.beginTotpEnrollment(session.sid, model.nowMs);
    if (!mayChangeFactors(model)) {
      expect(answerOf(result)).toEqual({ ok: false, reason: "not_allowed" });
    } else {
      if (!result.ok) throw new Error(`set-up refused: ${result.reason}`);
      const secret = decodeBase32(result.secret);
      expect(secret?.length, "a 20-byte secret").toBe(20);
      model.pendingTotp = { secret: secret ?? new Uint8Array(), sid: session.sid, createdAtMs: model.nowMs };
    }
    tally("EnrollTotp", result);
    await compareState(model, real);
  }
  toString = () => "EnrollTotp";
}

class ConfirmTotp implements Cmd {
  constructor(readonly right: boolean) {}
  check = (model: Readonly<Model>) => model.session !== null;
  async run(model: Model, real: Real) {
    const session = model.session;
    if (!session) throw new Error("unreachable: checked");
    const pending = model.pendingTotp;
    const code = pending && this.right ? await codeFor(pending.secret, stepAt(model.nowMs)) : await wrongCodeFor(pending?.secret, model.nowMs);
    const result = await real.account.confirmTotpEnrollment(session.sid, code, model.nowMs);
    const matched = pending ? await matchedStep(pending.secret, code, model.nowMs) : null;
    if (!mayChangeFactors(model)) expect(answerOf(result)).toEqual({ ok: false, reason: "not_allowed" });
    else if (!pending || pending.sid !== session.sid || pending.createdAtMs + PENDING_TOTP_TTL_MS <= model.nowMs) expect(answerOf(result)).toEqual({ ok: false, reason: "no_pending" });
    else if (matched === null) expect(answerOf(result)).toEqual({ ok: false, reason: "mismatch" });
    else {
      if (!result.ok) throw new Error(`confirmation refused: ${result.reason}`);
      expect(result.session.stage).toBe("save_recovery_code");
      model.totp = { secret: pending.secret }; // the new app replaces any old one
      model.lastTotpStep = matched;
      model.pendingTotp = null;
      model.factorFailures = { consecutive: 0, nextAllowedAtMs: 0 };
      issueRecovery(model, result.recoveryCode);
      rotate(model, result.session.sid, "save_recovery_code");
    }
    tally("ConfirmTotp", result);
    await compareState(model, real);
  }
  toString = () => `ConfirmTotp(${this.right ? "right" : "wrong"} code)`;
}

class SaveRecovery implements Cmd {
  check = (model: Readonly<Model>) => model.session !== null;
  async run(model: Model, real: Real) {
    const session = model.session;
    if (!session) throw new Error("unreachable: checked");
    const result = await real.account.confirmRecoverySaved(session.sid, model.nowMs);
    const live = liveSession(model);
    if (live?.stage === "save_recovery_code") {
      expect(answerOf(result)).toEqual({ ok: true });
      live.stage = "done";
    } else {
      expect(answerOf(result)).toEqual({ ok: false, reason: "not_allowed" });
    }
    tally("SaveRecovery", result);
    await compareState(model, real);
  }
  toString = () => "SaveRecovery";
}

class AdminReset implements Cmd {
  check = () => true;
  async run(model: Model, real: Real) {
    expect(await real.account.resetMfa()).toEqual({ sessionsEnded: model.liveSessions });
    tally("AdminReset", model.liveSessions > 0 ? "ended sessions" : "no sessions");
    if (model.session) model.session.alive = false;
    if (model.recovery) model.usedRecoveryCodes.push(model.recovery.code);
    Object.assign(model, { liveSessions: 0, totp: null, lastTotpStep: -1, pendingTotp: null, recovery: null, factorFailures: { consecutive: 0, nextAllowedAtMs: 0 } });
    await compareState(model, real);
  }
  toString = () => "AdminReset";
}

class AdvanceClock implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: Model) {
    model.nowMs += this.ms;
  }
  toString = () => `AdvanceClock(${this.ms / 1000} s)`;
}

/** One command run `times` times in a row (bursts of failures reach the waits). */
class Repeat implements Cmd {
  constructor(
    readonly command: Cmd,
    readonly times: number,
  ) {}
  check = (model: Readonly<Model>) => this.command.check(model);
  async run(model: Model, real: Real) {
    for (let i = 0; i < this.times && this.command.check(model); i++) await this.command.run(model, real);
  }
  toString = () => `${this.command.toString()} x${this.times}`;
}

/**
 * Starting points, as command prefixes: a new account; one that has set up the app and saved its
 * code; and the same person signed in again, at the login challenge.
 */
const ENROLLED: Cmd[] = [new SignIn(true), new EnrollTotp(), new ConfirmTotp(true), new SaveRecovery()];
export const PREFIXES: Cmd[][] = [[], ENROLLED, [...ENROLLED, new SignIn(true)]];

/** Clock steps around the rules' boundaries: a TOTP step, the waits, the 10- and 15-minute windows (and the password budget's leak). */
const CLOCK_STEPS_MS = [1_000, 29_000, 30_000, 31_000, 5 * 60_000, 10 * 60_000, 11 * 60_000, 15 * 60_000];

/**
 * Weighted towards the steps that lead somewhere (the right password, set-up, the current code), so
 * that most sequences get past enrollment and reach replays, waits and resets.
 */
export const commandArbitraries: fc.Arbitrary<Cmd>[] = [
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(new SignIn(true)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 24 }).map((times) => new Repeat(new SignIn(false), times)) },
    { weight: 6, arbitrary: fc.constantFrom<TotpKind>("current", "current", "previous", "next", "two-back", "replayed").map((kind) => new VerifyTotp(kind)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }).map((times) => new Repeat(new VerifyTotp("wrong"), times)) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom<RecoveryKind>("right", "right", "wrong", "old"), fc.stringMatching(/^[0-9]{32}$/)).map(([kind, code]) => new VerifyRecovery(kind, code)) },
    { weight: 2, arbitrary: fc.constant(new EnrollTotp()) },
    { weight: 3, arbitrary: fc.oneof(fc.constant(new ConfirmTotp(true)), fc.constant(new ConfirmTotp(true)), fc.constant(new ConfirmTotp(false))) },
    { weight: 2, arbitrary: fc.constant(new SaveRecovery()) },
    { weight: 1, arbitrary: fc.constant(new AdminReset()) },
    { weight: 3, arbitrary: fc.constantFrom(...CLOCK_STEPS_MS).map((ms) => new AdvanceClock(ms)) },
  ),
];
