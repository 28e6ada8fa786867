/**
 * Signing and verification of Stepgate's two JWTs. Both are EdDSA (Ed25519) with a `kid`; the
 * algorithm, `typ`, issuer and audience are pinned, and a header carrying anything but alg/kid/typ
 * (jku, x5u, jwk, crit...) is refused. Keys are imported once per isolate.
 */
import { SignJWT, errors, exportJWK, importJWK, jwtVerify, type JWTHeaderParameters } from "jose";
import * as v from "valibot";
import {
  ORIGIN_TOKEN_TYP,
  SESSION_TOKEN_TYP,
  SessionClaims,
  TOKEN_ALGORITHM,
  type OriginClaims,
} from "../../shared/claims";
import type { Config } from "../config";

export const SESSION_AUDIENCE = "stepgate:session";

interface KeySet {
  sessionPrivate: CryptoKey;
  sessionPublic: CryptoKey;
  originPrivate: CryptoKey;
  jwks: { keys: JsonWebKey[] };
}

const keySets = new WeakMap<Config, Promise<KeySet>>();

async function importKeySet(config: Config): Promise<KeySet> {
  const publicPart = ({ d: _d, ...rest }: JsonWebKey) => rest;
  const [sessionPrivate, sessionPublic, originPrivate] = await Promise.all([
    importJWK(config.sessionKeyJwk, TOKEN_ALGORITHM),
    importJWK(publicPart(config.sessionKeyJwk), TOKEN_ALGORITHM),
    importJWK(config.originKeyJwk, TOKEN_ALGORITHM),
  ]);
  const originPublic = publicPart(config.originKeyJwk) as JsonWebKey & { kid: string };
  return {
    sessionPrivate: sessionPrivate as CryptoKey,
    sessionPublic: sessionPublic as CryptoKey,
    originPrivate: originPrivate as CryptoKey,
    jwks: {
      // The signing key first, then the published-only keys of a rotation (never used to sign).
      keys: [originPublic, ...config.originExtraPublicJwks].map(
        (key) => ({ kty: key.kty, crv: key.crv, x: key.x, kid: key.kid, alg: TOKEN_ALGORITHM, use: "sig" }) as JsonWebKey,
      ),
    },
  };
}

function keys(config: Config): Promise<KeySet> {
  let set = keySets.get(config);
  if (!set) {
    set = importKeySet(config);
    keySets.set(config, set);
  }
  return set;
}

export async function publicJwks(config: Config): Promise<{ keys: JsonWebKey[] }> {
  return (await keys(config)).jwks;
}

export type SessionClaimsInput = Omit<SessionClaims, "iss" | "aud" | "iat" | "exp">;

export async function signSessionToken(input: SessionClaimsInput, config: Config, nowMs: number): Promise<string> {
  const { sessionPrivate } = await keys(config);
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ ...input })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: config.sessionKeyJwk.kid, typ: SESSION_TOKEN_TYP })
    .setIssuer(config.issuer)
    .setAudience(SESSION_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + config.sessionTokenTtlSeconds)
    .sign(sessionPrivate);
}

export type OriginClaimsInput = Omit<OriginClaims, "iss" | "aud" | "iat" | "exp">;

export async function signOriginToken(input: OriginClaimsInput, config: Config, nowMs: number): Promise<string> {
  const { originPrivate } = await keys(config);
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ ...input })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: config.originKeyJwk.kid, typ: ORIGIN_TOKEN_TYP })
    .setIssuer(config.issuer)
    .setAudience(config.originUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + config.originTokenTtlSeconds)
    .sign(originPrivate);
}

const ALLOWED_HEADER_PARAMS = new Set(["alg", "kid", "typ"]);

/** The outcome of checking a session cookie's token. */
export type SessionTokenCheck =
  | { kind: "valid"; claims: SessionClaims }
  /** Signature, issuer, audience and type are right but it has expired: only the account's
   * Durable Object may renew it (the session may have ended). */
  | { kind: "expired"; claims: SessionClaims }
  | { kind: "invalid"; reason: string };

const verifiedCache = new Map<string, { claims: SessionClaims; expMs: number }>();
const VERIFIED_CACHE_LIMIT = 2_000;

const revokedSessions = new Map<string, number>();

/**
 * Sign-out in this isolate: the session id is refused here at once, until its tokens could no
 * longer be fresh anyway; other isolates refuse it at their next re-mint (<= 60 s).
 */
export function revokeSessionInIsolate(sid: string, untilMs: number): void {
  if (revokedSessions.size >= VERIFIED_CACHE_LIMIT) {
    const oldest = revokedSessions.keys().next().value;
    if (oldest !== undefined) revokedSessions.delete(oldest);
  }
  revokedSessions.set(sid, untilMs);
}

function isRevokedInIsolate(sid: string, nowMs: number): boolean {
  const untilMs = revokedSessions.get(sid);
  if (untilMs === undefined) return false;
  if (untilMs > nowMs) return true;
  revokedSessions.delete(sid);
  return false;
}

/**
 * The claims of a session token this isolate has already verified, while it is unexpired and its
 * session not signed out here; otherwise undefined (then `checkSessionToken` decides). No I/O.
 */
export function verifiedSessionClaims(token: string, nowMs: number): SessionClaims | undefined {
  const cached = verifiedCache.get(token);
  if (cached === undefined || cached.expMs <= nowMs || isRevokedInIsolate(cached.claims.sid, nowMs)) return undefined;
  return cached.claims;
}

/** Verifies a session token. Successful verifications are cached per isolate, never past `exp`. */
export async function checkSessionToken(token: string, config: Config, nowMs: number): Promise<SessionTokenCheck> {
  const cached = verifiedCache.get(token);
  if (cached && isRevokedInIsolate(cached.claims.sid, nowMs)) return { kind: "invalid", reason: "revoked" };
  if (cached && cached.expMs > nowMs) return { kind: "valid", claims: cached.claims };
  if (cached) verifiedCache.delete(token);
  if (token.length > 4096) return { kind: "invalid", reason: "token_too_long" };

  const { sessionPublic } = await keys(config);
  const getKey = (header: JWTHeaderParameters) => {
    for (const name of Object.keys(header)) if (!ALLOWED_HEADER_PARAMS.has(name)) throw new errors.JOSEError(`header ${name} refused`);
    if (header.kid !== config.sessionKeyJwk.kid) throw new errors.JOSEError("unknown kid");
    return sessionPublic;
  };
  const options = {
    algorithms: [TOKEN_ALGORITHM],
    issuer: config.issuer,
    audience: SESSION_AUDIENCE,
    typ: SESSION_TOKEN_TYP,
    currentDate: new Date(nowMs),
    requiredClaims: ["exp", "iat", "sub"],
  };
  try {
    const { payload } = await jwtVerify(token, getKey, options);
    const parsed = v.safeParse(SessionClaims, payload);
    if (!parsed.success) return { kind: "invalid", reason: "claims_schema" };
    if (parsed.output.iat * 1000 > nowMs + 60_000) return { kind: "invalid", reason: "issued_in_future" };
    if (isRevokedInIsolate(parsed.output.sid, nowMs)) return { kind: "invalid", reason: "revoked" };
    if (verifiedCache.size >= VERIFIED_CACHE_LIMIT) {
      const oldest = verifiedCache.keys().next().value;
      if (oldest !== undefined) verifiedCache.delete(oldest);
    }
    verifiedCache.set(token, { claims: parsed.output, expMs: parsed.output.exp * 1000 });
    return { kind: "valid", claims: parsed.output };
  } catch (error) {
    // jose checks the signature before the claims, so an expired error means a genuine token.
    if (error instanceof errors.JWTExpired) {
      const parsed = v.safeParse(SessionClaims, error.payload);
      if (parsed.success) return { kind: "expired", claims: parsed.output };
    }
    return { kind: "invalid", reason: error instanceof errors.JOSEError ? error.code : "malformed" };
  }
}

/** Exports a public key as JWK (used by tests and docs tooling). */
export const exportPublicJwk = exportJWK;
