/** Unguessable identifiers (128 random bits, base64url) for sessions, challenges and users. */
import { encodeBase64Url } from "../config";

export function randomId(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}
