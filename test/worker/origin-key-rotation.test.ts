/**
 * Rotating the origin signing key with an overlap: ORIGIN_JWKS_EXTRA publishes public keys beside
 * the signing key (the next one before the switch, the previous one until its assertions expire),
 * and refuses anything that is not a well-formed Ed25519 public key.
 */
import { env } from "cloudflare:test";
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../worker/config";
import { publicJwks, signOriginToken } from "../../worker/lib/tokens";

const base = env as unknown as Record<string, unknown>;

async function ed25519(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  return { privateJwk: { ...(await exportJWK(privateKey)), kid }, publicJwk: { ...(await exportJWK(publicKey)), kid } };
}

const claims = { sub: "demo-user", sid: "s1", jti: "j1", email: "user@demo.test", role: "standard" as const, company: "demo", amr: ["pwd", "otp"], auth_time: 1_800_000_000 };

function problemsOf(bindings: Record<string, unknown>): string {
  try {
    parseConfig(bindings);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join("\n");
    throw error;
  }
  return "";
}

describe("origin key rotation", () => {
  it("publishes the extra public keys after the signing key, and signs with the signing key only", async () => {
    const next = await ed25519("origin-next");
    const config = parseConfig({ ...base, ORIGIN_JWKS_EXTRA: JSON.stringify([next.publicJwk]) });
    const jwks = await publicJwks(config);
    expect(jwks.keys.map((key) => (key as unknown as { kid: string }).kid)).toEqual([config.originKeyJwk.kid, "origin-next"]);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    expect(jwks.keys[1]).toEqual({ kty: "OKP", crv: "Ed25519", x: next.publicJwk.x, kid: "origin-next", alg: "EdDSA", use: "sig" });
    const assertion = await signOriginToken(claims, config, Date.now());
    const { protectedHeader } = await jwtVerify(assertion, createLocalJWKSet(jwks as never), { issuer: config.issuer, audience: config.originUrl });
    expect(protectedHeader.kid).toBe(config.originKeyJwk.kid);
  });

  it("after the switch, an assertion signed with the previous key still verifies against the new JWKS", async () => {
    const [oldKey, newKey] = [await ed25519("origin-2026-10"), await ed25519("origin-2026-11")];
    const before = parseConfig({ ...base, ORIGIN_SIGNING_JWK: JSON.stringify(oldKey.privateJwk), ORIGIN_JWKS_EXTRA: JSON.stringify([newKey.publicJwk]) });
    const inFlight = await signOriginToken(claims, before, Date.now());
    const after = parseConfig({ ...base, ORIGIN_SIGNING_JWK: JSON.stringify(newKey.privateJwk), ORIGIN_JWKS_EXTRA: JSON.stringify([oldKey.publicJwk]) });
    const afterJwks = createLocalJWKSet((await publicJwks(after)) as never);
    await expect(jwtVerify(inFlight, afterJwks, { issuer: after.issuer, audience: after.originUrl })).resolves.toBeTruthy();
    // Without the overlap, the in-flight assertion is refused: the window the extra key closes.
    const bare = parseConfig({ ...base, ORIGIN_SIGNING_JWK: JSON.stringify(newKey.privateJwk) });
    await expect(jwtVerify(inFlight, createLocalJWKSet((await publicJwks(bare)) as never))).rejects.toThrow();
  });

  it("refuses a private key, malformed keys, reused kids and too many keys, without echoing values", async () => {
    const extra = await ed25519("origin-next");
    const cases: Array<[unknown, RegExp]> = [
      [[extra.privateJwk], /ORIGIN_JWKS_EXTRA\[0\] contains a private key part/],
      [[{ ...extra.publicJwk, crv: "X25519" }], /ORIGIN_JWKS_EXTRA\[0\] must be an Ed25519 public JWK/],
      [[{ ...extra.publicJwk, x: "c2hvcnQ" }], /ORIGIN_JWKS_EXTRA\[0\] must be an Ed25519 public JWK/],
      [[{ ...extra.publicJwk, kid: "bad kid/../" }], /ORIGIN_JWKS_EXTRA\[0\] must be an Ed25519 public JWK/],
      [[extra.publicJwk, extra.publicJwk], /ORIGIN_JWKS_EXTRA\[1\] reuses the kid origin-next/],
      [[{ ...extra.publicJwk, kid: JSON.parse(String(base.ORIGIN_SIGNING_JWK)).kid }], /reuses the kid/],
      [[{ ...extra.publicJwk, kid: JSON.parse(String(base.SESSION_SIGNING_JWK)).kid }], /reuses the kid/],
      [Array.from({ length: 5 }, (_, i) => ({ ...extra.publicJwk, kid: `k${i}` })), /at most 4/],
      [{ keys: [extra.publicJwk] }, /at most 4 Ed25519 public JWKs/],
      ["[not json", /must be a JSON array/],
    ];
    for (const [value, expected] of cases) {
      const problems = problemsOf({ ...base, ORIGIN_JWKS_EXTRA: typeof value === "string" ? value : JSON.stringify(value) });
      expect(problems, JSON.stringify(value)).toMatch(expected);
      expect(problems).not.toContain(extra.privateJwk.d!);
    }
    expect(problemsOf({ ...base, ORIGIN_JWKS_EXTRA: "" })).toBe("");
  });
});
