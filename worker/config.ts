/**
 * The deployment's configuration, parsed once per isolate from the Worker's bindings. A bad
 * configuration throws one ConfigError listing every problem, so an operator fixes them in one go.
 */
import { DEFAULT_SENSITIVE_ACTIONS, type SensitiveAction } from "./payments/actions";

import { parseAllowedRequestHeaders, type RequestHeaderAllowList } from "./forwarded-headers";
import { parseMessagingConfig, type MessagingConfig } from "./messaging/config";
import { DEFAULT_PROVIDER_TIMEOUT_MS } from "./messaging/port";
import { parseSsoConfig, type SsoConfig } from "./sso/config";

export type Mode = "development" | "production";

const FORM_METHOD_OVERRIDES = ["_method", "none", "unknown"] as const;
export type FormMethodOverride = (typeof FORM_METHOD_OVERRIDES)[number];

export interface Config {
  mode: Mode;
  /** Public origin of the gateway, e.g. https://app.example.com (no trailing slash). */
  publicUrl: string;
  publicOrigin: string;
  /** The site owner's application the gateway forwards to. */
  originUrl: string;
  issuer: string;
  prefix: string;
  /** Path prefixes served without a session (still proxied). */
  publicPaths: string[];
  /**
   * ALLOWED_REQUEST_HEADERS: null forwards every client header but the deny-list
   * (forwarded-headers.ts); a list forwards only those (never a deny-listed one, refused here).
   */
  allowedRequestHeaders: RequestHeaderAllowList | null;
  sessionKeyJwk: JsonWebKey & { kid: string };
  originKeyJwk: JsonWebKey & { kid: string };
  /**
   * Public keys published in the JWKS beside the signing key, never used to sign: the next key
   * before a rotation, the previous one until its assertions expire (docs/OPERATIONS.md).
   */
  originExtraPublicJwks: Array<JsonWebKey & { kid: string }>;
  /** AES-GCM data keys by id; `dataKeyId` encrypts, all decrypt (rotation). */
  dataKeys: Map<string, Uint8Array>;
  dataKeyId: string;
  pepper: Uint8Array;
  /** Other origins (e.g. the extension's) allowed to make state-changing JSON calls. */
  trustedOrigins: string[];
  seedDemo: boolean;
  sessionTokenTtlSeconds: number;
  sessionRemintAfterSeconds: number;
  sessionMaxAgeSeconds: number;
  /** 0 = standard sessions never expire from inactivity (the default). */
  idleTimeoutSeconds: number;
  originTokenTtlSeconds: number;
  challengeTtlSeconds: number;
  smsCodeTtlSeconds: number;
  passwordRounds: number;
  /** SMS and email delivery, and SMS send limits (worker/messaging/config.ts). */
  messaging: MessagingConfig;
  /**
   * Longest wait for one call to an outside provider: an SMS or email provider, or an identity
   * provider's discovery, token or key-set endpoint. Past it the call fails closed.
   */
  providerTimeoutMs: number;
  /** The payments tool: every request under this prefix is checked by the account's Durable Object. */
  paymentsPrefix: string;
  paymentsIdleSeconds: number;
  sensitiveActions: SensitiveAction[];
  /**
   * Whether the origin reads a POSTed form's `_method` field as the real method (Rails, Laravel,
   * Symfony, the demo): `_method` yes, `none` no, `unknown` (default): a form whose two readings
   * are different sensitive actions is refused (docs/decisions/0014).
   */
  formMethodOverride: FormMethodOverride;
  grantTtlSeconds: number;
  /** A body the gateway reads (its own JSON and forms, a sensitive action's) must arrive within this. */
  bodyReadTimeoutSeconds: number;
  /** Single sign-on providers and their email domains (worker/sso/config.ts). */
  sso: SsoConfig;
}

/** A configured public path (PUBLIC_PATHS): served without a session, still proxied. */
export function isPublicPath(config: Config, path: string): boolean {
  return config.publicPaths.some((prefix) => path === prefix || path.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`));
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid Stepgate configuration:\n- ${problems.join("\n- ")}`);
    this.name = "ConfigError";
  }
}

const cache = new WeakMap<object, Config>();

/** Parses (once per bindings object) and returns the configuration, or throws ConfigError. */
export function getConfig(env: Record<string, unknown>): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env);
    cache.set(env, config);
  }
  return config;
}

export function parseConfig(env: Record<string, unknown>): Config {
  const problems: string[] = [];
  const text = (name: string, fallback?: string): string => {
    const value = env[name];
    if (value === undefined || value === "") {
      if (fallback !== undefined) return fallback;
      problems.push(`${name} is required`);
      return "";
    }
    if (typeof value !== "string") {
      problems.push(`${name} must be a string`);
      return "";
    }
    return value;
  };
  const url = (name: string, fallback?: string): string => {
    const value = text(name, fallback);
    if (!value) return "";
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new Error();
      return value.replace(/\/+$/, "");
    } catch {
      problems.push(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
      return "";
    }
  };
  const seconds = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name, String(fallback));
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return value;
  };
  const bytes = (name: string, raw: string, minBytes: number): Uint8Array => {
    const decoded = decodeBase64Url(raw);
    if (!decoded || decoded.length < minBytes) {
      problems.push(`${name} must be base64url of at least ${minBytes} random bytes`);
      return new Uint8Array(minBytes);
    }
    return decoded;
  };
  const ed25519Jwk = (name: string): JsonWebKey & { kid: string } => {
    const raw = text(name);
    if (!raw) return { kty: "OKP", kid: "" };
    try {
      const jwk = JSON.parse(raw) as JsonWebKey & { kid?: unknown };
      if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.d !== "string" || typeof jwk.x !== "string") throw new Error();
      if (typeof jwk.kid !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(jwk.kid)) throw new Error();
      return jwk as JsonWebKey & { kid: string };
    } catch {
      // No parser message: JSON.parse quotes the input, and the input is a secret.
      problems.push(`${name} must be an Ed25519 private JWK (JSON) with a kid`);
      return { kty: "OKP", kid: "" };
    }
  };

  const modeText = text("STEPGATE_MODE", "production");
  if (modeText !== "development" && modeText !== "production")
    problems.push(`STEPGATE_MODE must be "development" or "production", got ${JSON.stringify(modeText)}`);
  const mode: Mode = modeText === "development" ? "development" : "production";

  const publicUrl = url("PUBLIC_URL");
  const originUrl = url("ORIGIN_URL");
  const issuer = url("ISSUER", publicUrl || undefined);
  if (mode === "production" && publicUrl.startsWith("http:"))
    problems.push("PUBLIC_URL must use https in production");

  const prefix = text("STEPGATE_PREFIX", "/_stepgate");
  if (!/^\/[a-z0-9_-]+$/i.test(prefix)) problems.push(`STEPGATE_PREFIX must look like /_stepgate, got ${prefix}`);

  const list = (name: string): string[] =>
    text(name, "").split(",").map((item) => item.trim()).filter(Boolean);
  const publicPaths = list("PUBLIC_PATHS");
  for (const path of publicPaths) if (!path.startsWith("/")) problems.push(`PUBLIC_PATHS entry ${path} must start with /`);
  const trustedOrigins = list("TRUSTED_ORIGINS");
  const allowedRequestHeaders = parseAllowedRequestHeaders(text("ALLOWED_REQUEST_HEADERS", ""), problems);

  const sessionKeyJwk = ed25519Jwk("SESSION_SIGNING_JWK");
  const originKeyJwk = ed25519Jwk("ORIGIN_SIGNING_JWK");
  if (sessionKeyJwk.kid && sessionKeyJwk.kid === originKeyJwk.kid)
    problems.push("SESSION_SIGNING_JWK and ORIGIN_SIGNING_JWK must be different keys");
  const originExtraPublicJwks = publicJwkList("ORIGIN_JWKS_EXTRA", text("ORIGIN_JWKS_EXTRA", ""), [originKeyJwk.kid, sessionKeyJwk.kid], problems);

  const dataKeys = new Map<string, Uint8Array>();
  let dataKeyId = "";
  const dataKeyEntries = [text("DATA_KEY"), ...list("DATA_KEYS_PREVIOUS")].filter(Boolean);
  dataKeyEntries.forEach((entry, index) => {
    const [id, key] = entry.split(":");
    if (!id || !key || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      problems.push("DATA_KEY entries must look like <keyId>:<base64url of 32 bytes>");
      return;
    }
    const raw = bytes("DATA_KEY", key, 32);
    if (raw.length !== 32) problems.push("DATA_KEY must be exactly 32 bytes");
    if (dataKeys.has(id)) problems.push(`DATA_KEY id ${id} appears more than once`);
    else dataKeys.set(id, raw);
    if (index === 0) dataKeyId = id;
  });

  const pepperText = text("PEPPER");
  const pepper = pepperText ? bytes("PEPPER", pepperText, 32) : new Uint8Array(0);

  const paymentsPrefix = text("PAYMENTS_PREFIX", "/payments/");
  if (!/^\/[A-Za-z0-9._~\/-]*\/$/.test(paymentsPrefix)) problems.push("PAYMENTS_PREFIX must be a path that starts and ends with /");
  let sensitiveActions = DEFAULT_SENSITIVE_ACTIONS;
  const actionsText = text("SENSITIVE_ACTIONS", "");
  if (actionsText) {
    try {
      const parsed = JSON.parse(actionsText) as unknown;
      const valid = Array.isArray(parsed) && parsed.every((a) =>
        a && typeof a === "object" && typeof a.method === "string" && /^(GET|POST|PUT|PATCH|DELETE)$/.test(a.method) &&
        typeof a.path === "string" && a.path.startsWith(paymentsPrefix) && typeof a.summary === "string" && a.summary.length <= 200);
      if (!valid) throw new Error();
      sensitiveActions = parsed as SensitiveAction[];
    } catch {
      problems.push("SENSITIVE_ACTIONS must be a JSON array of {method, path (under PAYMENTS_PREFIX), summary}");
    }
  }

  const formMethodOverride = text("FORM_METHOD_OVERRIDE", "unknown");
  if (!FORM_METHOD_OVERRIDES.includes(formMethodOverride as FormMethodOverride)) {
    problems.push(`FORM_METHOD_OVERRIDE must be one of ${FORM_METHOD_OVERRIDES.join(", ")}, got ${JSON.stringify(formMethodOverride)}`);
  }

  const seedDemo = text("DEMO_SEED", "false") === "true";
  if (seedDemo && mode !== "development") problems.push("DEMO_SEED is only allowed in development mode");

  const config: Config = {
    mode,
    publicUrl,
    publicOrigin: publicUrl ? new URL(publicUrl).origin : "",
    originUrl,
    issuer,
    prefix,
    publicPaths,
    allowedRequestHeaders,
    sessionKeyJwk,
    originKeyJwk,
    originExtraPublicJwks,
    dataKeys,
    dataKeyId,
    pepper,
    trustedOrigins,
    seedDemo,
    sessionTokenTtlSeconds: seconds("SESSION_TOKEN_TTL_SECONDS", 300, 60, 3600),
    sessionRemintAfterSeconds: seconds("SESSION_REMINT_AFTER_SECONDS", 60, 10, 600),
    sessionMaxAgeSeconds: seconds("SESSION_MAX_AGE_SECONDS", 12 * 3600, 600, 30 * 86400),
    idleTimeoutSeconds: seconds("IDLE_TIMEOUT_SECONDS", 0, 0, 30 * 86400),
    originTokenTtlSeconds: seconds("ORIGIN_TOKEN_TTL_SECONDS", 120, 61, 900),
    challengeTtlSeconds: seconds("CHALLENGE_TTL_SECONDS", 600, 60, 3600),
    smsCodeTtlSeconds: seconds("SMS_CODE_TTL_SECONDS", 600, 60, 3600),
    passwordRounds: seconds("PASSWORD_PBKDF2_ROUNDS", 6, 1, 20),
    messaging: parseMessagingConfig(env, mode, problems),
    // Same integer-range check as the seconds settings; this one is in milliseconds.
    providerTimeoutMs: seconds("PROVIDER_TIMEOUT_MS", DEFAULT_PROVIDER_TIMEOUT_MS, 100, 30_000),
    paymentsPrefix,
    paymentsIdleSeconds: seconds("PAYMENTS_IDLE_SECONDS", 30 * 60, 60, 24 * 3600),
    sensitiveActions,
    formMethodOverride: FORM_METHOD_OVERRIDES.includes(formMethodOverride as FormMethodOverride) ? (formMethodOverride as FormMethodOverride) : "unknown",
    grantTtlSeconds: seconds("GRANT_TTL_SECONDS", 120, 10, 600),
    bodyReadTimeoutSeconds: seconds("BODY_READ_TIMEOUT_SECONDS", 10, 1, 60),
    sso: parseSsoConfig(env, mode, problems),
  };
  if (config.idleTimeoutSeconds > 0 && config.idleTimeoutSeconds < 2 * config.sessionRemintAfterSeconds)
    problems.push("IDLE_TIMEOUT_SECONDS must be 0 (off) or at least twice SESSION_REMINT_AFTER_SECONDS");
  if (config.sessionRemintAfterSeconds >= config.sessionTokenTtlSeconds)
    problems.push("SESSION_REMINT_AFTER_SECONDS must be shorter than SESSION_TOKEN_TTL_SECONDS");
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * A JSON array of Ed25519 *public* JWKs with distinct kids (none of `takenKids`). A private part
 * (`d`) is refused outright: the JWKS is public. An empty value is an empty list.
 */
function publicJwkList(name: string, raw: string, takenKids: string[], problems: string[]): Array<JsonWebKey & { kid: string }> {
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push(`${name} must be a JSON array of Ed25519 public JWKs with a kid`);
    return [];
  }
  if (!Array.isArray(parsed) || parsed.length > 4) {
    problems.push(`${name} must be a JSON array of at most 4 Ed25519 public JWKs`);
    return [];
  }
  const seen = new Set(takenKids.filter(Boolean));
  const keys: Array<JsonWebKey & { kid: string }> = [];
  parsed.forEach((entry: unknown, index) => {
    const jwk = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    if ("d" in jwk) return problems.push(`${name}[${index}] contains a private key part ("d"): publish public keys only`);
    const { kty, crv, x, kid } = jwk;
    if (kty !== "OKP" || crv !== "Ed25519" || typeof x !== "string" || decodeBase64Url(x)?.length !== 32 || typeof kid !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(kid))
      return problems.push(`${name}[${index}] must be an Ed25519 public JWK (kty OKP, crv Ed25519, x, kid)`);
    if (seen.has(kid)) return problems.push(`${name}[${index}] reuses the kid ${kid}`);
    seen.add(kid);
    keys.push({ kty, crv, x, kid });
  });
  return keys;
}

export function decodeBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  try {
    return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

export function encodeBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
