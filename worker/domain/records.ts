/**
 * The shapes kept in storage. KV keys and Durable Object keys are documented with their
 * consistency and TTL in docs/storage-schema.md; change both together.
 */
import type { Method, NextStep } from "../../shared/protocol";
import type { Role } from "../../shared/policy";
import type { SealedBox } from "../lib/secretbox";
import type { SlowHash } from "../lib/slowhash";

/** Directory entry for a person (KV `user:id:<id>`), read-mostly. */
export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: Role;
  companyId: string;
  active: boolean;
  sso: boolean;
  phone?: string;
  /** Admin-tool permissions; absent means none. Every admin action needs both. */
  permissions?: { companyAdmin: boolean; directory: boolean };
}

/** Company security settings (KV `company:<id>`), read-mostly. */
export interface CompanyRecord {
  id: string;
  name: string;
  requireMfa: boolean;
  deadline: string | null;
  timeZone: string;
}

/** A browser session, held in the account's Durable Object (`session:<sid>`). */
export interface SessionRecord {
  sid: string;
  stage: NextStep;
  createdAtMs: number;
  authTimeMs: number;
  mfaAtMs?: number;
  amr: string[];
  lastSeenMs: number;
  /** Inside the payments tool: when it was last verified and last used (Worker clock). */
  payments?: { verifiedAtMs: number; lastSeenMs: number };
  /**
   * Keyed hash of the device cookie of the browser that typed the password: that browser becomes
   * a known device when this session completes its sign-in (docs/decisions/0017-device-cookie.md).
   */
  device?: string;
  /** Signed in through single sign-on: the IdP and what it said about the login (worker/sso/). */
  idp?: { providerId: string; issuer: string; subject: string; amr: string[]; acr?: string; authTimeMs?: number };
}

/** The exact request a sensitive-action challenge or grant is bound to. */
export interface BoundAction {
  method: string;
  path: string;
  /**
   * The body's canonical media type as summarised ("" for an empty body): the same bytes under
   * another type are another request (worker/payments/media-type.ts).
   */
  mediaType: string;
  /** SHA-256 of the request body, base64url ("" hashes the empty body). */
  bodyHash: string;
  summary: string;
  /** A page form's request, held so it can be sent on only through the grant (<= 16 KB). */
  held?: { contentType: string; body: string };
}

/** A single-use approval of one exact request (`grant:<id>`), bound to one session. */
export interface GrantRecord {
  id: string;
  sid: string;
  action: BoundAction;
  expiresAtMs: number;
  /**
   * The challenge it passed. Whoever passed it (the page, or the extension's popup through the
   * JSON API), the session's own page can then show the approval (docs/decisions/0011).
   */
  challengeId?: string;
}

/** A pending request for a second factor (`challenge:<id>`), bound to one session. */
export interface ChallengeRecord {
  id: string;
  sid: string;
  reason: "login" | "payments_entry" | "sensitive_action" | "idle";
  createdAtMs: number;
  expiresAtMs: number;
  /** For a sensitive action: the request it approves. */
  action?: BoundAction;
}

export interface TotpFactor {
  box: SealedBox;
  enrolledAtMs: number;
  disabled: boolean;
}

export interface RecoveryFactor {
  hash: SlowHash;
  createdAtMs: number;
  disabled: boolean;
}

/** Consecutive second-factor failures, counted per account across sessions. */
export interface FailureState {
  consecutive: number;
  nextAllowedAtMs: number;
  byMethod: Partial<Record<Method, number>>;
}
