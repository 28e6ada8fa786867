/**
 * The narrow storage ports the route handlers use. Each states its consistency contract; tests can
 * build Ports over failing bindings to prove that a storage error fails closed (503).
 */
import type { AccountDO } from "./do/account";
import type { AuditEntry, CompanyDO } from "./do/company";
import type { CompanyRecord, UserRecord } from "./domain/records";
import type { Bindings } from "./env";
import { getConfig } from "./config";
import { createNotifier, type Notifier } from "./notify";
import { devClockOffsetMs } from "./lib/dev-clock";

/** Read-mostly directory data in Workers KV: eventually consistent (up to ~60 s between locations). */
export interface DirectoryPort {
  findUserIdByEmail(email: string): Promise<string | null>;
  getUser(id: string): Promise<UserRecord | null>;
  getCompany(id: string): Promise<CompanyRecord | null>;
  putUser(user: UserRecord): Promise<void>;
  putCompany(company: CompanyRecord): Promise<void>;
}

export interface Ports {
  directory: DirectoryPort;
  /** The account's Durable Object: atomic per account, serialises every verification. */
  account(userId: string): DurableObjectStub<AccountDO>;
  /**
   * The decoy account that runs the same `signIn` as a real account (it has no password, so it
   * hashes against its decoy verifier and never succeeds) for `email` when it has no usable
   * account (unknown, inactive, SSO). One of DECOY_SHARDS objects, chosen by the email, so
   * concurrent unknown emails do not queue on one object (a latency signal real accounts lack).
   */
  decoyAccount(email: string): DurableObjectStub<AccountDO>;
  /** Appends to the company's audit log (company Durable Object, append-only). */
  audit(companyId: string, entry: AuditEntry): Promise<void>;
  company(companyId: string): DurableObjectStub<CompanyDO>;
  /** Tells a person about a security event on their account (never a code or secret). */
  notifier: Notifier;
  /** Wall clock in ms. */
  now(): number;
}

const EMAIL_KEY = (email: string) => `user:email:${email.toLowerCase()}`;
const USER_KEY = (id: string) => `user:id:${id}`;
const COMPANY_KEY = (id: string) => `company:${id}`;
const DIRECTORY_CACHE_TTL_SECONDS = 60;

const portsByEnv = new WeakMap<object, Ports>();

/** The ports for a bindings object, built once per isolate (workerd passes the same `env`). */
export function createPorts(env: Bindings): Ports {
  let ports = portsByEnv.get(env);
  if (!ports) {
    ports = buildPorts(env);
    portsByEnv.set(env, ports);
  }
  return ports;
}

function buildPorts(env: Bindings): Ports {
  const kv = env.KV;
  const development = getConfig(env).mode === "development";
  const now = development ? () => Date.now() + devClockOffsetMs() : () => Date.now();
  return {
    directory: {
      findUserIdByEmail: (email) => kv.get(EMAIL_KEY(email), { cacheTtl: DIRECTORY_CACHE_TTL_SECONDS }),
      getUser: (id) => kv.get<UserRecord>(USER_KEY(id), { type: "json", cacheTtl: DIRECTORY_CACHE_TTL_SECONDS }),
      getCompany: (id) => kv.get<CompanyRecord>(COMPANY_KEY(id), { type: "json", cacheTtl: DIRECTORY_CACHE_TTL_SECONDS }),
      async putUser(user) {
        await kv.put(USER_KEY(user.id), JSON.stringify(user));
        await kv.put(EMAIL_KEY(user.email), user.id);
      },
      putCompany: (company) => kv.put(COMPANY_KEY(company.id), JSON.stringify(company)),
    },
    account: (userId) => env.ACCOUNT.get(env.ACCOUNT.idFromName(`user:${userId}`)),
    decoyAccount: (email) => env.ACCOUNT.get(env.ACCOUNT.idFromName(`decoy:${decoyShard(email)}`)),
    company: (companyId) => env.COMPANY.get(env.COMPANY.idFromName(`company:${companyId}`)),
    audit: (companyId, entry) => env.COMPANY.get(env.COMPANY.idFromName(`company:${companyId}`)).appendAudit(entry),
    notifier: createNotifier(env, getConfig(env), now),
    now,
  };
}

export const DECOY_SHARDS = 64;

/** FNV-1a of the lower-cased email, modulo DECOY_SHARDS: the same email always gets the same decoy. */
export function decoyShard(email: string): number {
  let hash = 0x811c9dc5;
  for (const char of email.toLowerCase()) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % DECOY_SHARDS;
}
