/**
 * Single sign-on providers, parsed once at start-up from `SSO_PROVIDERS` (JSON) with each client
 * secret in its own secret binding. Every problem is reported at once; no secret value is ever
 * quoted in a problem. An email domain belongs to at most one provider.
 */
import type { Mode } from "../config";

export type TokenAuthMethod = "client_secret_basic" | "client_secret_post";

export interface SsoProvider {
  /** Short stable name, also the prefix of `state` ("okta-acme"). */
  id: string;
  /** The IdP's issuer identifier, exactly as its ID tokens carry it. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  tokenAuthMethod: TokenAuthMethod;
  /** The Stepgate company whose directory the IdP's people belong to. */
  companyId: string;
  /** Lower-case email domains this IdP is authoritative for (exact match, no subdomains). */
  domains: string[];
  /** Count the IdP's MFA (amr "mfa", "otp", "hwk", ...) instead of asking for a Stepgate code. */
  acceptIdpMfa: boolean;
  /** The boolean claim that says the email is verified ("email_verified"; Entra ID: "xms_edov"). */
  emailVerifiedClaim: string;
  scopes: string[];
}

export interface SsoConfig {
  providers: SsoProvider[];
  /** Email domain -> provider. */
  byDomain: Map<string, SsoProvider>;
}

const PROVIDER_ID = /^[a-z0-9-]{1,32}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
const KNOWN_KEYS = new Set(["id", "issuer", "clientId", "clientSecretBinding", "tokenAuthMethod", "companyId", "domains", "acceptIdpMfa", "emailVerifiedClaim", "scopes"]);

/** The binding a provider's client secret is read from unless `clientSecretBinding` names another. */
export function defaultSecretBinding(id: string): string {
  return `SSO_CLIENT_SECRET_${id.toUpperCase().replace(/-/g, "_")}`;
}

export function parseSsoConfig(env: Record<string, unknown>, mode: Mode, problems: string[]): SsoConfig {
  const config: SsoConfig = { providers: [], byDomain: new Map() };
  const raw = env.SSO_PROVIDERS;
  if (raw === undefined || raw === "") return config;
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(raw));
  } catch {
    problems.push("SSO_PROVIDERS must be a JSON array of providers");
    return config;
  }
  if (!Array.isArray(parsed)) {
    problems.push("SSO_PROVIDERS must be a JSON array of providers");
    return config;
  }
  parsed.forEach((entry: unknown, index) => {
    const provider = parseProvider(entry, `SSO_PROVIDERS[${index}]`, env, mode, problems);
    if (!provider) return;
    if (config.providers.some((other) => other.id === provider.id)) problems.push(`SSO_PROVIDERS: provider id ${provider.id} appears more than once`);
    for (const domain of provider.domains) {
      const owner = config.byDomain.get(domain);
      if (owner) problems.push(`SSO_PROVIDERS: domain ${domain} belongs to both ${owner.id} and ${provider.id}`);
      else config.byDomain.set(domain, provider);
    }
    config.providers.push(provider);
  });
  return config;
}

function parseProvider(entry: unknown, where: string, env: Record<string, unknown>, mode: Mode, problems: string[]): SsoProvider | null {
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
    problems.push(`${where} must be an object`);
    return null;
  }
  const e = entry as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(e)) if (!KNOWN_KEYS.has(key)) problems.push(`${where} has an unknown setting ${JSON.stringify(key)}`);
  const id = typeof e.id === "string" && PROVIDER_ID.test(e.id) ? e.id : "";
  if (!id) problems.push(`${where}.id must be 1-32 characters a-z, 0-9 or -`);
  const name = id ? `SSO provider ${id}` : where;

  let issuer = "";
  if (typeof e.issuer !== "string") problems.push(`${name}: issuer must be a URL`);
  else {
    try {
      const url = new URL(e.issuer);
      const httpOk = mode === "development" && url.protocol === "http:";
      if (url.protocol !== "https:" && !httpOk) throw new Error();
      if (url.search || url.hash || url.username || url.password) throw new Error();
      issuer = e.issuer; // kept verbatim: ID tokens must carry exactly this string
    } catch {
      problems.push(`${name}: issuer must be an https URL without query or fragment (http only in development), got ${JSON.stringify(e.issuer)}`);
    }
  }
  const clientId = typeof e.clientId === "string" && e.clientId.length > 0 && e.clientId.length <= 256 ? e.clientId : "";
  if (!clientId) problems.push(`${name}: clientId is required`);

  const bindingName = e.clientSecretBinding === undefined ? (id ? defaultSecretBinding(id) : "") : e.clientSecretBinding;
  let clientSecret = "";
  if (typeof bindingName !== "string" || !/^[A-Z][A-Z0-9_]{0,63}$/.test(bindingName)) problems.push(`${name}: clientSecretBinding must name a secret binding (A-Z, 0-9, _)`);
  else if (id || e.clientSecretBinding !== undefined) {
    const secret = env[bindingName];
    if (typeof secret !== "string" || secret.length === 0) problems.push(`${name}: the client secret binding ${bindingName} is missing or empty`);
    else clientSecret = secret;
  }

  const tokenAuthMethod = e.tokenAuthMethod ?? "client_secret_basic";
  if (tokenAuthMethod !== "client_secret_basic" && tokenAuthMethod !== "client_secret_post")
    problems.push(`${name}: tokenAuthMethod must be "client_secret_basic" or "client_secret_post"`);

  const companyId = typeof e.companyId === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(e.companyId) ? e.companyId : "";
  if (!companyId) problems.push(`${name}: companyId must name a Stepgate company id`);

  const domains = Array.isArray(e.domains) ? e.domains.map((d) => (typeof d === "string" ? d.trim().toLowerCase() : "")) : [];
  if (domains.length === 0) problems.push(`${name}: domains must be a non-empty array of email domains`);
  for (const domain of domains) if (!DOMAIN.test(domain)) problems.push(`${name}: ${JSON.stringify(domain)} is not an email domain`);

  if (e.acceptIdpMfa !== undefined && typeof e.acceptIdpMfa !== "boolean") problems.push(`${name}: acceptIdpMfa must be true or false`);
  const emailVerifiedClaim = e.emailVerifiedClaim ?? "email_verified";
  if (typeof emailVerifiedClaim !== "string" || !/^[A-Za-z0-9_]{1,64}$/.test(emailVerifiedClaim)) problems.push(`${name}: emailVerifiedClaim must be a claim name`);
  const scopes = e.scopes ?? ["openid", "email", "profile"];
  if (!Array.isArray(scopes) || !scopes.includes("openid") || !scopes.every((s) => typeof s === "string" && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s)))
    problems.push(`${name}: scopes must be an array of scope names including "openid"`);

  if (problems.length > before) return null;
  return {
    id,
    issuer,
    clientId,
    clientSecret,
    tokenAuthMethod: tokenAuthMethod as TokenAuthMethod,
    companyId,
    domains,
    acceptIdpMfa: e.acceptIdpMfa === true,
    emailVerifiedClaim: emailVerifiedClaim as string,
    scopes: scopes as string[],
  };
}

/** The provider responsible for this email's domain, if any (checked before any password work). */
export function ssoProviderForEmail(config: SsoConfig, email: string): SsoProvider | null {
  const at = email.lastIndexOf("@");
  if (at < 0) return null;
  return config.byDomain.get(email.slice(at + 1).trim().toLowerCase()) ?? null;
}
