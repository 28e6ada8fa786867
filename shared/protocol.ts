/**
 * The challenge/grant wire protocol shared by the Worker's JSON API and the extension: request
 * and response shapes with their valibot schemas. Changing a field here is a breaking change of
 * the documented API (docs/API.md).
 */
import * as v from "valibot";

export const CHALLENGE_REASONS = ["login", "payments_entry", "sensitive_action", "idle"] as const;
export type ChallengeReason = (typeof CHALLENGE_REASONS)[number];

export const METHODS = ["totp", "sms", "recovery"] as const;
export type Method = (typeof METHODS)[number];

/** What the client should do next after a sign-in or verification step. */
export const NEXT_STEPS = ["mfa", "enroll", "save_recovery_code", "done"] as const;
export type NextStep = (typeof NEXT_STEPS)[number];

/** Longest code input accepted before any work (a 32-digit code with generous separators). */
const MAX_CODE_INPUT = 64;
const MAX_EMAIL = 254;
const MAX_PASSWORD = 1024;

export const SignInRequest = v.strictObject({
  email: v.pipe(v.string(), v.trim(), v.minLength(3), v.maxLength(MAX_EMAIL), v.email()),
  password: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_PASSWORD)),
});
export type SignInRequest = v.InferOutput<typeof SignInRequest>;

export const VerifyRequest = v.strictObject({
  method: v.picklist(METHODS),
  code: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CODE_INPUT)),
});
export type VerifyRequest = v.InferOutput<typeof VerifyRequest>;

export const CodeRequest = v.strictObject({
  code: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CODE_INPUT)),
});
export type CodeRequest = v.InferOutput<typeof CodeRequest>;

export const SavedRecoveryCodeRequest = v.strictObject({ saved: v.literal(true) });

export const ChallengeSchema = v.object({
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{16,64}$/)),
  reason: v.picklist(CHALLENGE_REASONS),
  action: v.optional(v.object({ summary: v.string(), method: v.string(), path: v.string() })),
  methods: v.array(v.picklist(METHODS)),
  expiresAt: v.pipe(v.number(), v.integer()),
});
export type Challenge = v.InferOutput<typeof ChallengeSchema>;

export const SignInResponse = v.object({
  /** "sso": the email's domain signs in at its identity provider; go to `redirect`. */
  next: v.picklist([...NEXT_STEPS, "sso"]),
  challenge: v.optional(ChallengeSchema),
  redirect: v.optional(v.string()),
});
export type SignInResponse = v.InferOutput<typeof SignInResponse>;

export const VerifyResponse = v.object({
  next: v.picklist(NEXT_STEPS),
  grant: v.optional(v.string()),
  recoveryCode: v.optional(v.string()),
});
export type VerifyResponse = v.InferOutput<typeof VerifyResponse>;

export const ChallengesResponse = v.object({ challenges: v.array(ChallengeSchema) });

/**
 * `GET /api/challenges/{id}`: still pending, or passed. A passed sensitive action carries its
 * single-use grant until it is used or expires, for this session only.
 */
export const ChallengeStatusResponse = v.variant("status", [
  v.object({ status: v.literal("pending"), challenge: ChallengeSchema }),
  v.object({ status: v.literal("passed"), grant: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{16,64}$/)) }),
]);
export type ChallengeStatusResponse = v.InferOutput<typeof ChallengeStatusResponse>;

export const ErrorResponse = v.object({
  error: v.object({
    code: v.pipe(v.string(), v.regex(/^[A-Z][A-Z0-9_]*$/)),
    message: v.string(),
    retryAfterSeconds: v.optional(v.number()),
  }),
});
export type ErrorResponse = v.InferOutput<typeof ErrorResponse>;

/** The header a client repeats a sensitive request with, and the challenge header's scheme. */
export const GRANT_HEADER = "Stepgate-Grant";
export const CHALLENGE_AUTH_SCHEME = "Stepgate";
