/**
 * OpenID Provider metadata (`<issuer>/.well-known/openid-configuration`) and the IdP's key set,
 * cached per isolate. The document must name exactly the configured issuer (OIDC Discovery §4.3),
 * so a provider cannot be swapped for another by its metadata. Failures are never cached.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";

export interface ProviderMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
}

const METADATA_TTL_MS = 60 * 60_000;
const metadataCache = new Map<string, { metadata: ProviderMetadata; fetchedAtMs: number }>();
const keySets = new Map<string, JWTVerifyGetKey>();

export class DiscoveryError extends Error {
  constructor(readonly reason: string) {
    super(`OpenID discovery failed: ${reason}`);
    this.name = "DiscoveryError";
  }
}

function endpoint(doc: Record<string, unknown>, name: string, allowHttp: boolean): string {
  const value = doc[name];
  if (typeof value !== "string") throw new DiscoveryError(`${name} missing`);
  const url = new URL(value);
  if (url.protocol !== "https:" && !(allowHttp && url.protocol === "http:")) throw new DiscoveryError(`${name} is not https`);
  return value;
}

/**
 * The provider's metadata, fetched at most once an hour per isolate, waiting at most `timeoutMs`
 * for the whole answer. Throws DiscoveryError ("unreachable" when it does not answer in time).
 */
export async function providerMetadata(issuer: string, nowMs: number, timeoutMs: number): Promise<ProviderMetadata> {
  const cached = metadataCache.get(issuer);
  if (cached && nowMs - cached.fetchedAtMs < METADATA_TTL_MS && nowMs >= cached.fetchedAtMs) return cached.metadata;
  const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" }, redirect: "manual", signal });
  } catch {
    throw new DiscoveryError("unreachable");
  }
  if (response.status !== 200) throw new DiscoveryError(`status ${response.status}`);
  let doc: Record<string, unknown>;
  try {
    doc = (await response.json()) as Record<string, unknown>;
  } catch {
    throw new DiscoveryError(signal.aborted ? "unreachable" : "not JSON");
  }
  if (doc.issuer !== issuer) throw new DiscoveryError("issuer mismatch");
  const allowHttp = issuer.startsWith("http:"); // development only (config refuses http otherwise)
  let metadata: ProviderMetadata;
  try {
    metadata = {
      issuer,
      authorizationEndpoint: endpoint(doc, "authorization_endpoint", allowHttp),
      tokenEndpoint: endpoint(doc, "token_endpoint", allowHttp),
      jwksUri: endpoint(doc, "jwks_uri", allowHttp),
    };
  } catch (error) {
    throw error instanceof DiscoveryError ? error : new DiscoveryError("bad endpoint URL");
  }
  const methods = doc.code_challenge_methods_supported;
  // Absent means "not advertised" (Entra ID, older Okta): PKCE is still sent. Present without S256: refuse.
  if (Array.isArray(methods) && !methods.includes("S256")) throw new DiscoveryError("S256 PKCE not supported");
  metadataCache.set(issuer, { metadata, fetchedAtMs: nowMs });
  return metadata;
}

/** The IdP's signing keys (jose re-fetches on an unknown `kid`, at most every 30 s). */
export function providerKeys(jwksUri: string, timeoutMs: number): JWTVerifyGetKey {
  const cacheKey = `${timeoutMs} ${jwksUri}`;
  let keys = keySets.get(cacheKey);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: timeoutMs, cooldownDuration: 30_000, cacheMaxAge: METADATA_TTL_MS });
    keySets.set(cacheKey, keys);
  }
  return keys;
}
