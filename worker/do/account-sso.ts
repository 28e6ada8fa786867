/**
 * A session opened after a verified identity-provider login (single sign-on) instead of a
 * password: the same stages as after a password (Stepgate challenge, enrollment, or done), with
 * the IdP's `amr`/`acr` kept on the session. Synchronous: the caller runs it in one block.
 */
import type { Method, NextStep } from "../../shared/protocol";
import type { Config } from "../config";
import type { ChallengeRecord, SessionRecord } from "../domain/records";
import { hasAnyFactor, usableMethods } from "./account-factors";
import { deleteExpiredGrants } from "./account-payments";
import { createChallenge, createSession, deleteExpired } from "./account-sessions";

export interface SsoSessionInput {
  /** The company policy's verdict for this person (mfaRequirement). */
  mfaRequired: boolean;
  /** The deployment accepts the IdP's MFA and the IdP says it did MFA: no Stepgate code now. */
  idpMfaAccepted: boolean;
  idp: NonNullable<SessionRecord["idp"]>;
}

export type SsoSessionResult =
  | { ok: true; session: SessionRecord; challenge?: ChallengeRecord & { methods: Method[] } }
  | { ok: false; reason: "inactive" };

export function openSsoSession(kv: SyncKvStorage, config: Config, input: SsoSessionInput, nowMs: number): SsoSessionResult {
  // Deactivation is marked here too (strongly consistent), not only in KV.
  if (kv.get("inactive") === true) return { ok: false, reason: "inactive" };
  deleteExpired(kv, config, nowMs);
  deleteExpiredGrants(kv, nowMs);
  let stage: NextStep;
  let amr: string[];
  let mfaAtMs: number | undefined;
  if (input.idpMfaAccepted) {
    stage = "done";
    amr = ["sso", "mfa"];
    // Admin freshness and factor changes count from when the IdP actually authenticated the person.
    mfaAtMs = Math.min(nowMs, input.idp.authTimeMs ?? nowMs);
  } else {
    stage = hasAnyFactor(kv) ? "mfa" : input.mfaRequired ? "enroll" : "done";
    amr = ["sso"];
  }
  const session = createSession(kv, stage, amr, nowMs, nowMs, mfaAtMs);
  session.idp = input.idp;
  kv.put(`session:${session.sid}`, session);
  if (stage !== "mfa") return { ok: true, session };
  const challenge = createChallenge(kv, config, session.sid, "login", nowMs);
  return { ok: true, session, challenge: { ...challenge, methods: usableMethods(kv) } };
}
