/**
 * RFC 4648 Base32 (the alphabet authenticator apps use for TOTP keys): uppercase, unpadded on
 * output; lenient about case, spaces, hyphens and trailing `=` on input, strict about everything
 * else, so a mistyped key is refused instead of silently becoming a different key.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Characters a person may type or paste between groups; ignored when decoding. */
const IGNORED_CHARACTERS = /[\s-]/g;

/** Remainders (characters mod 8) that no byte string encodes to. */
const IMPOSSIBLE_REMAINDERS = new Set([1, 3, 6]);

export function encodeBase32(bytes: Uint8Array): string {
  let output = "";
  let buffer = 0;
  let bufferedBits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bufferedBits += 8;
    while (bufferedBits >= 5) {
      bufferedBits -= 5;
      output += ALPHABET[(buffer >> bufferedBits) & 31];
    }
  }
  if (bufferedBits > 0) {
    output += ALPHABET[(buffer << (5 - bufferedBits)) & 31];
  }
  return output;
}

/**
 * Decodes Base32 text, or returns null when it is not the canonical encoding of some byte
 * string: unknown characters, `=` anywhere but the end, an impossible length, or non-zero
 * trailing bits (which a correct encoder never produces, so they signal a typo).
 */
export function decodeBase32(text: string): Uint8Array | null {
  const compact = text.replace(IGNORED_CHARACTERS, "").replace(/=+$/, "").toUpperCase();
  if (IMPOSSIBLE_REMAINDERS.has(compact.length % 8)) return null;

  const bytes = new Uint8Array(Math.floor((compact.length * 5) / 8));
  let buffer = 0;
  let bufferedBits = 0;
  let written = 0;
  for (const character of compact) {
    const value = ALPHABET.indexOf(character);
    if (value === -1) return null;
    buffer = ((buffer << 5) | value) & 0xfff;
    bufferedBits += 5;
    if (bufferedBits >= 8) {
      bufferedBits -= 8;
      bytes[written++] = (buffer >> bufferedBits) & 0xff;
    }
  }
  const leftover = buffer & ((1 << bufferedBits) - 1);
  return leftover === 0 ? bytes : null;
}
