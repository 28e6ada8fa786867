/**
 * Sessions and pending challenges inside the account Durable Object's synchronous storage.
 * Every function here is synchronous: callers compose them into one atomic block.
 */
import type { NextStep } from "../../shared/protocol";
import type { Config } from "../config";
import type { ChallengeRecord, SessionRecord } from "../domain/records";
import { randomId } from "../lib/ids";

export function createSession(kv: SyncKvStorage, stage: NextStep, amr: string[], authTimeMs: number, nowMs: number, mfaAtMs?: number): SessionRecord {
  const session: SessionRecord = { sid: randomId(), stage, createdAtMs: nowMs, authTimeMs, amr, lastSeenMs: nowMs };
  if (mfaAtMs !== undefined) session.mfaAtMs = mfaAtMs;
  kv.put(`session:${session.sid}`, session);
  return session;
}

export function endSession(kv: SyncKvStorage, sid: string): void {
  kv.delete(`session:${sid}`);
  for (const challenge of challengesOf(kv, sid)) kv.delete(`challenge:${challenge.id}`);
  for (const [key, grant] of [...kv.list<{ sid: string }>({ prefix: "grant:" })]) if (grant.sid === sid) kv.delete(key);
}

/** Ends every session of the account (sign-out everywhere, resets, deactivation). */
export function endAllSessions(kv: SyncKvStorage): number {
  const sessions = [...kv.list<SessionRecord>({ prefix: "session:" })];
  for (const [, session] of sessions) endSession(kv, session.sid);
  return sessions.length;
}

/** Ends `old` and opens a new session id carrying its sign-in time (after every MFA step). */
export function rotateSession(kv: SyncKvStorage, old: SessionRecord, stage: NextStep, amr: string[], nowMs: number): SessionRecord {
  endSession(kv, old.sid);
  const session = createSession(kv, stage, amr, old.authTimeMs, nowMs, nowMs);
  // Single sign-on facts and the signing-in browser's device stay with the person's session.
  if (old.idp || old.device) kv.put(`session:${session.sid}`, Object.assign(session, old.idp ? { idp: old.idp } : {}, old.device ? { device: old.device } : {}));
  return session;
}

export function createChallenge(
  kv: SyncKvStorage,
  config: Config,
  sid: string,
  reason: ChallengeRecord["reason"],
  nowMs: number,
): ChallengeRecord {
  const challenge: ChallengeRecord = { id: randomId(), sid, reason, createdAtMs: nowMs, expiresAtMs: nowMs + config.challengeTtlSeconds * 1000 };
  kv.put(`challenge:${challenge.id}`, challenge);
  return challenge;
}

export function challengesOf(kv: SyncKvStorage, sid: string): ChallengeRecord[] {
  // Materialised at once: only one kv.list() iterator may be open at a time.
  return [...kv.list<ChallengeRecord>({ prefix: "challenge:" })].map(([, challenge]) => challenge).filter((challenge) => challenge.sid === sid);
}

/** The session if it exists and is within its maximum age and idle timeout; ends it otherwise. */
export function liveSession(kv: SyncKvStorage, config: Config, sid: string, nowMs: number): SessionRecord | null {
  const session = kv.get<SessionRecord>(`session:${sid}`);
  if (!session) return null;
  const tooOld = nowMs - session.authTimeMs > config.sessionMaxAgeSeconds * 1000;
  const idle = config.idleTimeoutSeconds > 0 && nowMs - session.lastSeenMs > config.idleTimeoutSeconds * 1000;
  if (tooOld || idle) {
    endSession(kv, sid);
    return null;
  }
  return session;
}

export function deleteExpired(kv: SyncKvStorage, config: Config, nowMs: number): void {
  for (const [, session] of [...kv.list<SessionRecord>({ prefix: "session:" })]) liveSession(kv, config, session.sid, nowMs);
  for (const [key, challenge] of [...kv.list<ChallengeRecord>({ prefix: "challenge:" })]) {
    if (challenge.expiresAtMs <= nowMs) kv.delete(key);
  }
}
