/** The Worker's bindings and per-request variables, declared once for every route group. */
import type { AccountDO } from "./do/account";
import type { CompanyDO } from "./do/company";
import type { Config } from "./config";
import type { SessionClaims } from "../shared/claims";
import type { Ports } from "./ports";

export interface Bindings {
  KV: KVNamespace;
  ACCOUNT: DurableObjectNamespace<AccountDO>;
  COMPANY: DurableObjectNamespace<CompanyDO>;
  [name: string]: unknown;
}

export interface Variables {
  config: Config;
  ports: Ports;
  /** The verified session of this request, if any (any stage). */
  session: SessionClaims | null;
  /** CSP nonce for the page being rendered. */
  nonce: string;
  /** Set when a session cookie was set or cleared on the response (kept by a forwarded answer). */
  responseHeadersSet: boolean;
}

export type AppEnv = { Bindings: Bindings; Variables: Variables };
