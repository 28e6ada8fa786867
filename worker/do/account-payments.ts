/**
 * The payments tool's rules, inside the account Durable Object (synchronous, so atomic): a
 * verified entry, at most PAYMENTS_IDLE_SECONDS between requests (Worker clock, never the
 * client's), and a single-use grant for each sensitive action, bound to that exact request.
 */
import type { Method } from "../../shared/protocol";
import type { Config } from "../config";
import type { BoundAction, ChallengeRecord, GrantRecord, SessionRecord } from "../domain/records";
import { randomId } from "../lib/ids";
import { usableMethods } from "./account-factors";
import { challengesOf, createChallenge, liveSession } from "./account-sessions";

export type PaymentsDecision =
  | { kind: "allowed"; session: SessionRecord; verifiedAtMs: number; grantId?: string }
  | { kind: "challenge"; challenge: ChallengeRecord & { methods: Method[] } }
  | { kind: "no_session" };

function sameAction(a: BoundAction, b: BoundAction): boolean {
  return a.method === b.method && a.path === b.path && a.mediaType === b.mediaType && a.bodyHash === b.bodyHash;
}

/** A pending challenge of this session for the same reason (and action) is reused, not piled up. */
function challengeFor(kv: SyncKvStorage, config: Config, sid: string, reason: ChallengeRecord["reason"], nowMs: number, action?: BoundAction) {
  const methods = usableMethods(kv);
  const pending = challengesOf(kv, sid).find(
    (c) => c.reason === reason && c.expiresAtMs > nowMs && (!action || (c.action && sameAction(c.action, action))),
  );
  if (pending) {
    if (action?.held && pending.action) kv.put(`challenge:${pending.id}`, { ...pending, action }); // latest form wins
    return { kind: "challenge" as const, challenge: { ...pending, ...(action ? { action } : {}), methods } };
  }
  const challenge = createChallenge(kv, config, sid, reason, nowMs);
  if (action) kv.put(`challenge:${challenge.id}`, { ...challenge, action });
  return { kind: "challenge" as const, challenge: { ...challenge, ...(action ? { action } : {}), methods } };
}

/** A live, unexpired grant of this session for exactly this request (by id when one is given). */
function findGrant(kv: SyncKvStorage, sid: string, action: BoundAction, grantId: string | undefined, nowMs: number): GrantRecord | null {
  const candidates = grantId
    ? [kv.get<GrantRecord>(`grant:${grantId}`)].filter((g): g is GrantRecord => g !== undefined)
    : [...kv.list<GrantRecord>({ prefix: "grant:" })].map(([, grant]) => grant);
  return candidates.find((g) => g.sid === sid && g.expiresAtMs > nowMs && sameAction(g.action, action)) ?? null;
}

/**
 * A request that carries a live grant for exactly this action: `commit` takes the grant and
 * records the activity. The caller runs it synchronously after the check (the account object);
 * it re-reads the session and the grant, so a grant is used once even if something ran between.
 */
export type PaymentsCheck = PaymentsDecision | { kind: "grant_found"; commit: () => PaymentsDecision };

/** Decides one request inside the payments tool and, when allowed, records it as activity. */
export function authorizePayments(
  kv: SyncKvStorage,
  config: Config,
  sid: string,
  request: { action?: BoundAction; grantId?: string },
  nowMs: number,
): PaymentsCheck {
  const session = liveSession(kv, config, sid, nowMs);
  if (!session || session.stage !== "done") return { kind: "no_session" };
  const state = session.payments;
  if (!state) return challengeFor(kv, config, sid, "payments_entry", nowMs);
  // Strictly more than the idle limit since the last request is idle (29:59 passes, 30:01 not).
  if (nowMs - state.lastSeenMs > config.paymentsIdleSeconds * 1000) return challengeFor(kv, config, sid, "idle", nowMs);
  const action = request.action;
  if (!action) return recordActivity(kv, session, state.verifiedAtMs, nowMs);
  const grant = findGrant(kv, sid, action, request.grantId, nowMs);
  if (!grant) return challengeFor(kv, config, sid, "sensitive_action", nowMs, action);
  return { kind: "grant_found", commit: () => useGrant(kv, config, sid, grant.id, action, nowMs) };
}

/** The commit of a found grant: only if the session is still in the tool and the grant unused. */
function useGrant(kv: SyncKvStorage, config: Config, sid: string, grantId: string, action: BoundAction, nowMs: number): PaymentsDecision {
  const session = liveSession(kv, config, sid, nowMs);
  if (!session || session.stage !== "done") return { kind: "no_session" };
  if (!session.payments) return challengeFor(kv, config, sid, "payments_entry", nowMs);
  if (!kv.get(`grant:${grantId}`)) return challengeFor(kv, config, sid, "sensitive_action", nowMs, action);
  kv.delete(`grant:${grantId}`); // single use: gone before the request is forwarded
  return { ...recordActivity(kv, session, session.payments.verifiedAtMs, nowMs), grantId };
}

function recordActivity(kv: SyncKvStorage, session: SessionRecord, verifiedAtMs: number, nowMs: number): PaymentsDecision & { kind: "allowed" } {
  session.payments = { verifiedAtMs, lastSeenMs: nowMs };
  kv.put(`session:${session.sid}`, session);
  return { kind: "allowed", session, verifiedAtMs };
}

/** After a passed step-up challenge: the payments state it restores and, for an action, its grant. */
export function applyStepUp(kv: SyncKvStorage, config: Config, session: SessionRecord, challenge: ChallengeRecord, nowMs: number): string | undefined {
  if (challenge.reason === "payments_entry" || challenge.reason === "idle") {
    session.payments = { verifiedAtMs: nowMs, lastSeenMs: nowMs };
  }
  if (challenge.reason !== "sensitive_action" || !challenge.action) return undefined;
  if (session.payments) session.payments.lastSeenMs = nowMs;
  const grant: GrantRecord = {
    id: randomId(),
    sid: session.sid,
    action: challenge.action,
    expiresAtMs: nowMs + config.grantTtlSeconds * 1000,
    challengeId: challenge.id,
  };
  kv.put(`grant:${grant.id}`, grant);
  return grant.id;
}

/**
 * The live, unused grant a passed sensitive-action challenge of this session produced, or null
 * (never passed, another session's, used, expired, or the session ended). Reading it consumes
 * nothing: only sending the request on does.
 */
export function passedChallengeGrant(kv: SyncKvStorage, config: Config, sid: string, challengeId: string, nowMs: number): GrantRecord | null {
  const session = liveSession(kv, config, sid, nowMs);
  if (!session || session.stage !== "done") return null;
  for (const [, grant] of kv.list<GrantRecord>({ prefix: "grant:" })) {
    if (grant.challengeId === challengeId && grant.sid === sid && grant.expiresAtMs > nowMs) return grant;
  }
  return null;
}

/** Takes (consumes) a grant that holds a page form's request, for sending it on once. */
export function takeHeldAction(kv: SyncKvStorage, config: Config, sid: string, grantId: string, nowMs: number): { session: SessionRecord; grant: GrantRecord } | null {
  const session = liveSession(kv, config, sid, nowMs);
  const grant = kv.get<GrantRecord>(`grant:${grantId}`);
  if (!session || session.stage !== "done" || !grant || grant.sid !== sid || grant.expiresAtMs <= nowMs || !grant.action.held) return null;
  kv.delete(`grant:${grantId}`);
  if (session.payments) {
    session.payments.lastSeenMs = nowMs;
    kv.put(`session:${sid}`, session);
  }
  return { session, grant };
}

/** A navigation outside the payments tool: the next request inside it is a new entry. */
export function leavePayments(kv: SyncKvStorage, sid: string): void {
  const session = kv.get<SessionRecord>(`session:${sid}`);
  if (!session?.payments) return;
  delete session.payments;
  kv.put(`session:${sid}`, session);
}

export function deleteExpiredGrants(kv: SyncKvStorage, nowMs: number): void {
  for (const [key, grant] of [...kv.list<GrantRecord>({ prefix: "grant:" })]) if (grant.expiresAtMs <= nowMs) kv.delete(key);
}
