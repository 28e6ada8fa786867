// Generates the Worker's secrets for local development and tests (never for production: see
// docs/OPERATIONS.md). Each call returns fresh random keys.
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";

function ed25519PrivateJwk() {
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  return JSON.stringify({ ...jwk, kid: randomUUID(), alg: "EdDSA" });
}

/** Returns the secret bindings the Worker's configuration requires, as strings. */
export function generateSecrets() {
  return {
    SESSION_SIGNING_JWK: ed25519PrivateJwk(),
    ORIGIN_SIGNING_JWK: ed25519PrivateJwk(),
    DATA_KEY: `k${Date.now().toString(36)}:${randomBytes(32).toString("base64url")}`,
    PEPPER: randomBytes(32).toString("base64url"),
  };
}

/** Serialises secrets in the dotenv format wrangler reads from .dev.vars. */
export function toDevVars(secrets) {
  return Object.entries(secrets)
    .map(([name, value]) => `${name}='${value}'`)
    .join("\n") + "\n";
}
