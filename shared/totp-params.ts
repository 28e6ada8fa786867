/**
 * TOTP parameters and their limits, checked in one place: a bad value is a programming or
 * configuration error and throws TypeError before any HMAC runs.
 */

export type TotpAlgorithm = "SHA1" | "SHA256" | "SHA512";
export const TOTP_ALGORITHMS: readonly TotpAlgorithm[] = ["SHA1", "SHA256", "SHA512"];

export interface TotpParams {
  /** Code length; default 6 (what every authenticator app shows). */
  digits?: 6 | 8;
  /** Time step; default 30 seconds. */
  periodSeconds?: number;
  /** HMAC hash; default SHA1 (the only one every common authenticator app supports). */
  algorithm?: TotpAlgorithm;
}

export type ResolvedTotpParams = Required<TotpParams>;

/** RFC 4226 R6: a shared secret of at least 128 bits. */
export const MIN_SECRET_BYTES = 16;
/** otplib's upper bound (one SHA-512 block of key). */
export const MAX_SECRET_BYTES = 64;
/** Size of the secrets Stepgate issues (160 bits, RFC 4226's recommendation). */
export const SECRET_BYTES = 20;
export const MIN_PERIOD_SECONDS = 1;
export const MAX_PERIOD_SECONDS = 3600;

/** The params with defaults (6 digits, 30 s, SHA1) filled in; throws TypeError when invalid. */
export function resolveTotpParams(params: TotpParams | undefined): ResolvedTotpParams {
  const digits = params?.digits ?? 6;
  const periodSeconds = params?.periodSeconds ?? 30;
  const algorithm = params?.algorithm ?? "SHA1";
  if (digits !== 6 && digits !== 8) throw new TypeError("digits must be 6 or 8");
  assertPeriodSeconds(periodSeconds);
  if (!TOTP_ALGORITHMS.includes(algorithm)) {
    throw new TypeError("algorithm must be SHA1, SHA256 or SHA512");
  }
  return { digits, periodSeconds, algorithm };
}

export function isValidPeriodSeconds(periodSeconds: number): boolean {
  return (
    Number.isInteger(periodSeconds) &&
    periodSeconds >= MIN_PERIOD_SECONDS &&
    periodSeconds <= MAX_PERIOD_SECONDS
  );
}

export function isValidSecretLength(secret: Uint8Array): boolean {
  return secret.length >= MIN_SECRET_BYTES && secret.length <= MAX_SECRET_BYTES;
}

export function assertPeriodSeconds(periodSeconds: number): void {
  if (!isValidPeriodSeconds(periodSeconds)) {
    throw new TypeError(
      `periodSeconds must be an integer from ${MIN_PERIOD_SECONDS} to ${MAX_PERIOD_SECONDS}`,
    );
  }
}

export function assertTotpSecret(secret: Uint8Array): void {
  if (!(secret instanceof Uint8Array)) throw new TypeError("secret must be a Uint8Array");
  if (!isValidSecretLength(secret)) {
    throw new TypeError(`secret must be ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes`);
  }
}
