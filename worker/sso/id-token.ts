/**
 * Verifies an OpenID Connect ID token: signature against the IdP's keys with a pinned algorithm
 * allowlist, exact issuer, audience = our client id (and `azp` when several audiences), expiry
 * with a small clock tolerance, the nonce of this login, and a verified email. No I/O of its own
 * (the key getter comes in), no clock (`nowMs` comes in). Failures are returned, tagged.
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";

/** Asymmetric only: an HMAC token would be signed with our own client secret. */
export const ID_TOKEN_ALGORITHMS = ["RS256", "ES256", "EdDSA"];
const CLOCK_TOLERANCE_SECONDS = 30;

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  nonce: string;
  emailVerifiedClaim: string;
  nowMs: number;
}

export interface IdTokenIdentity {
  subject: string;
  email: string;
  amr: string[];
  acr?: string;
  authTimeMs?: number;
}

export type IdTokenResult =
  | { ok: true; identity: IdTokenIdentity }
  | { ok: false; reason: string };

export async function verifyIdToken(idToken: string, keys: JWTVerifyGetKey, expected: IdTokenExpectations): Promise<IdTokenResult> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, keys, {
      issuer: expected.issuer,
      audience: expected.clientId,
      algorithms: ID_TOKEN_ALGORITHMS,
      currentDate: new Date(expected.nowMs),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
    }));
  } catch (error) {
    return { ok: false, reason: `id_token_${error instanceof errors.JOSEError ? error.code : "invalid"}` };
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (audiences.length > 1 && payload.azp !== expected.clientId) return { ok: false, reason: "id_token_azp" };
  if (payload.azp !== undefined && payload.azp !== expected.clientId) return { ok: false, reason: "id_token_azp" };
  if (typeof payload.nonce !== "string" || payload.nonce !== expected.nonce) return { ok: false, reason: "nonce_mismatch" };
  const email = payload.email;
  if (typeof email !== "string" || email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) return { ok: false, reason: "email_missing" };
  const verified = payload[expected.emailVerifiedClaim];
  if (verified !== true && verified !== "true") return { ok: false, reason: "email_unverified" };
  const amr = Array.isArray(payload.amr) ? payload.amr.filter((v): v is string => typeof v === "string").slice(0, 16).map((v) => v.slice(0, 32)) : [];
  const identity: IdTokenIdentity = { subject: String(payload.sub), email: email.toLowerCase(), amr };
  if (typeof payload.acr === "string") identity.acr = payload.acr.slice(0, 200);
  if (typeof payload.auth_time === "number" && Number.isFinite(payload.auth_time)) identity.authTimeMs = payload.auth_time * 1000;
  return { ok: true, identity };
}

/**
 * RFC 8176 values that show a factor beyond the password: "mfa" itself, or a possession or
 * biometric factor (one-time code, hardware/software key, SMS/phone, smart card, biometrics).
 */
const MFA_AMR = new Set(["mfa", "otp", "hwk", "swk", "sms", "tel", "sc", "fpt", "face", "iris", "retina", "vbm"]);

/** True when the IdP says this login used more than a password. */
export function idpDidMfa(amr: readonly string[]): boolean {
  return amr.some((value) => MFA_AMR.has(value));
}
