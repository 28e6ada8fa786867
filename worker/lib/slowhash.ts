/**
 * Slow, salted, peppered hashing for passwords and recovery codes (PBKDF2-HMAC-SHA-256 over
 * WebCrypto). Production Workers refuse more than 100,000 PBKDF2 iterations per call, so the
 * password verifier chains `rounds` calls of 100,000 (each round's output keys the next): the
 * attacker's cost per guess is rounds x 100,000 sequential HMACs, like one long PBKDF2 run.
 * See docs/decisions/0002-password-verifier.md for the measured cost.
 */
import { constantTimeEqual } from "../../shared/codes";
import { decodeBase64Url, encodeBase64Url } from "../config";

export const PBKDF2_ITERATIONS_PER_ROUND = 100_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

export interface SlowHash {
  v: 1;
  alg: "pbkdf2-sha256-chain";
  iterations: number;
  rounds: number;
  salt: string;
  hash: string;
}

const encoder = new TextEncoder();

async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, data));
}

async function derive(secret: string, pepper: Uint8Array, salt: Uint8Array, iterations: number, rounds: number) {
  // The pepper (a Worker secret) keys the first step, so a stolen database alone cannot be attacked.
  let material = await hmacSha256(pepper, encoder.encode(secret.normalize("NFC")));
  for (let round = 0; round < rounds; round++) {
    const key = await crypto.subtle.importKey("raw", material, "PBKDF2", false, ["deriveBits"]);
    const roundSalt = new Uint8Array([...salt, round]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: roundSalt, iterations },
      key,
      HASH_BYTES * 8,
    );
    material = new Uint8Array(bits);
  }
  return material;
}

/** Hashes a secret with a fresh random salt. */
export async function hashSecret(secret: string, pepper: Uint8Array, rounds: number): Promise<SlowHash> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(secret, pepper, salt, PBKDF2_ITERATIONS_PER_ROUND, rounds);
  return {
    v: 1,
    alg: "pbkdf2-sha256-chain",
    iterations: PBKDF2_ITERATIONS_PER_ROUND,
    rounds,
    salt: encodeBase64Url(salt),
    hash: encodeBase64Url(hash),
  };
}

/** True when `secret` matches `stored`; the comparison is constant-time. */
export async function verifySecret(secret: string, stored: SlowHash, pepper: Uint8Array): Promise<boolean> {
  const salt = decodeBase64Url(stored.salt);
  const expected = decodeBase64Url(stored.hash);
  if (!salt || !expected || stored.alg !== "pbkdf2-sha256-chain") return false;
  const actual = await derive(secret, pepper, salt, stored.iterations, stored.rounds);
  return constantTimeEqual(actual, expected);
}

/** Keyed hash for short-lived codes (SMS): HMAC-SHA-256 with the pepper, base64url. */
export async function keyedHash(value: string, pepper: Uint8Array): Promise<string> {
  return encodeBase64Url(await hmacSha256(pepper, encoder.encode(value)));
}
