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
}

/** A pending request for a second factor (`challenge:<id>`), bound to one session. */
export interface ChallengeRecord {
  id: string;
  sid: string;
  reason: "login" | "payments_entry" | "sensitive_action" | "idle";
  createdAtMs: number;
  expiresAtMs: number;
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

export interface PasswordFailureState {
  consecutive: number;
  nextAllowedAtMs: number;
}
