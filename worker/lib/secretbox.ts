/**
 * Encryption at rest for TOTP secrets: AES-256-GCM with a data key from a Worker secret. The key
 * id is stored beside the ciphertext so keys can rotate, and the account id is bound in as
 * additional data so a ciphertext copied to another account does not decrypt.
 */
import { decodeBase64Url, encodeBase64Url } from "../config";

export interface SealedBox {
  kid: string;
  iv: string;
  ct: string;
}

const keyCache = new Map<string, Promise<CryptoKey>>();
const encoder = new TextEncoder();

function importKey(kid: string, raw: Uint8Array): Promise<CryptoKey> {
  const cacheKey = `${kid}:${encodeBase64Url(raw.subarray(0, 4))}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keyCache.set(cacheKey, key);
  }
  return key;
}

export async function seal(
  plaintext: Uint8Array,
  accountId: string,
  keys: Map<string, Uint8Array>,
  kid: string,
): Promise<SealedBox> {
  const raw = keys.get(kid);
  if (!raw) throw new TypeError(`unknown data key id ${kid}`);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(accountId) },
    await importKey(kid, raw),
    plaintext,
  );
  return { kid, iv: encodeBase64Url(iv), ct: encodeBase64Url(new Uint8Array(ct)) };
}

/** Returns the plaintext, or null when the key is unknown or the box was tampered with. */
export async function open(box: SealedBox, accountId: string, keys: Map<string, Uint8Array>): Promise<Uint8Array | null> {
  const raw = keys.get(box.kid);
  const iv = decodeBase64Url(box.iv);
  const ct = decodeBase64Url(box.ct);
  if (!raw || !iv || !ct) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(accountId) },
      await importKey(box.kid, raw),
      ct,
    );
    return new Uint8Array(plain);
  } catch {
    return null;
  }
}
