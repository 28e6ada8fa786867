/**
 * The slice of WebCrypto and the Encoding API the core uses, read from `globalThis` so the core
 * needs no DOM, Node or Workers type library (and cannot clash with one when the Worker's or the
 * extension's tsconfig also includes these files).
 */

interface RandomSource {
  getRandomValues<T extends Uint8Array>(array: T): T;
}

interface Utf8Encoder {
  encode(text: string): Uint8Array;
}

interface WebGlobals {
  crypto: RandomSource;
  TextEncoder: new () => Utf8Encoder;
}

const web = globalThis as unknown as WebGlobals;

/** Largest request `getRandomValues` accepts in one call (WebCrypto quota). */
const MAX_RANDOM_BYTES_PER_CALL = 65_536;

/** Fresh bytes from the platform CSPRNG. */
export function generateRandomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new TypeError("length must be a non-negative integer");
  }
  const bytes = new Uint8Array(length);
  for (let start = 0; start < length; start += MAX_RANDOM_BYTES_PER_CALL) {
    web.crypto.getRandomValues(bytes.subarray(start, start + MAX_RANDOM_BYTES_PER_CALL));
  }
  return bytes;
}

let utf8Encoder: Utf8Encoder | undefined;

/** UTF-8 bytes of `text` (lone surrogates become U+FFFD, as TextEncoder does). */
export function encodeUtf8(text: string): Uint8Array {
  utf8Encoder ??= new web.TextEncoder();
  return utf8Encoder.encode(text);
}
