/**
 * The two JWT claim sets Stepgate mints: the browser session token (verified only by the Worker)
 * and the origin assertion (verified by the site owner's origin with the published JWKS).
 */
import * as v from "valibot";
import { METHODS, NEXT_STEPS } from "./protocol";

export const SESSION_TOKEN_TYP = "stepgate-session+jwt";
export const ORIGIN_TOKEN_TYP = "stepgate-origin+jwt";
/** The only signature algorithm Stepgate signs or accepts (Ed25519). */
export const TOKEN_ALGORITHM = "EdDSA";
/** The request header that carries the origin assertion. */
export const ORIGIN_ASSERTION_HEADER = "Stepgate-Assertion";

const epochSeconds = v.pipe(v.number(), v.integer(), v.minValue(0));
const roles = v.picklist(["standard", "company_admin", "payor", "payee_admin"]);

export const SessionClaims = v.object({
  iss: v.string(),
  aud: v.string(),
  sub: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  sid: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{22,64}$/)),
  /** Where the session stands: the same vocabulary as the API's `next`. */
  stg: v.picklist(NEXT_STEPS),
  email: v.string(),
  role: roles,
  cid: v.string(),
  amr: v.array(v.string()),
  auth_time: epochSeconds,
  mfa_at: v.optional(epochSeconds),
  /** Present while the session is inside the payments tool (the account's Durable Object decides). */
  pay: v.optional(v.literal(1)),
  iat: epochSeconds,
  exp: epochSeconds,
});
export type SessionClaims = v.InferOutput<typeof SessionClaims>;

export const OriginClaims = v.object({
  iss: v.string(),
  aud: v.string(),
  sub: v.string(),
  sid: v.string(),
  jti: v.string(),
  email: v.string(),
  role: roles,
  company: v.string(),
  /** RFC 8176 method references: "pwd" plus "otp" (authenticator) / "sms" / "rec" (recovery). */
  amr: v.array(v.string()),
  auth_time: epochSeconds,
  mfa_at: v.optional(epochSeconds),
  /** Last second-factor verification for the payments tool (entry or idle re-authentication). */
  pay_at: v.optional(epochSeconds),
  /** The single-use grant this request was approved with (sensitive actions only). */
  grant: v.optional(v.string()),
  iat: epochSeconds,
  exp: epochSeconds,
});
export type OriginClaims = v.InferOutput<typeof OriginClaims>;

/** RFC 8176 `amr` value for each second-factor method. */
export const AMR_BY_METHOD: Record<(typeof METHODS)[number], string> = {
  totp: "otp",
  sms: "sms",
  recovery: "rec",
};
