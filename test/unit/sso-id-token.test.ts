// ID token verification (worker/sso/id-token.ts) with tokens signed here by jose against a local
// key set: each refusal is a tagged reason, never an exception.
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { idpDidMfa, verifyIdToken } from "../../worker/sso/id-token";

const ISSUER = "https://idp.example";
const CLIENT = "stepgate";
const NONCE = "n-0123456789";
const NOW_S = 1_800_000_000;
const expected = { issuer: ISSUER, clientId: CLIENT, nonce: NONCE, emailVerifiedClaim: "email_verified", nowMs: NOW_S * 1000 };

let signingKey: CryptoKey;
let otherKey: CryptoKey;
let keys: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  ({ privateKey: signingKey } = await generateKeyPair("RS256", { extractable: true }));
  ({ privateKey: otherKey } = await generateKeyPair("RS256"));
  // Publish the public half of `signingKey` under kid k1.
  const jwk = (await exportJWK(signingKey)) as JWK;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  keys = createLocalJWKSet({ keys: [{ ...publicJwk, kid: "k1", alg: "RS256", use: "sig" }] });
});

function token(claims: Record<string, unknown> = {}, options: { key?: CryptoKey; alg?: string; kid?: string } = {}) {
  const payload = { email: "ivy@sso.demo.test", email_verified: true, nonce: NONCE, amr: ["pwd", "mfa"], acr: "loa2", auth_time: NOW_S - 5, ...claims };
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? "RS256", kid: options.kid ?? "k1" })
    .setIssuer((claims.iss as string) ?? ISSUER)
    .setAudience((claims.aud as string | string[]) ?? CLIENT)
    .setSubject("idp-sub-1")
    .setIssuedAt(NOW_S - 10)
    .setExpirationTime((claims.exp as number) ?? NOW_S + 300);
  return jwt.sign(options.key ?? signingKey);
}

describe("verifyIdToken", () => {
  it("accepts a good token and returns the identity with amr, acr and auth_time", async () => {
    const result = await verifyIdToken(await token(), keys, expected);
    expect(result).toEqual({ ok: true, identity: { subject: "idp-sub-1", email: "ivy@sso.demo.test", amr: ["pwd", "mfa"], acr: "loa2", authTimeMs: (NOW_S - 5) * 1000 } });
  });

  it.each([
    ["a wrong nonce", () => token({ nonce: "other" }), "nonce_mismatch"],
    ["a missing nonce", () => token({ nonce: undefined }), "nonce_mismatch"],
    ["a wrong issuer", () => token({ iss: "https://evil.example" }), "id_token_ERR_JWT_CLAIM_VALIDATION_FAILED"],
    ["another audience", () => token({ aud: "someone-else" }), "id_token_ERR_JWT_CLAIM_VALIDATION_FAILED"],
    ["several audiences without azp", () => token({ aud: [CLIENT, "other"] }), "id_token_azp"],
    ["an expired token (beyond 30 s tolerance)", () => token({ exp: NOW_S - 31 }), "id_token_ERR_JWT_EXPIRED"],
    ["a token signed by another key", () => token({}, { key: otherKey }), "id_token_ERR_JWS_SIGNATURE_VERIFICATION_FAILED"],
    ["an unknown kid", () => token({}, { kid: "k2" }), "id_token_ERR_JWKS_NO_MATCHING_KEY"],
    ["an unverified email", () => token({ email_verified: false }), "email_unverified"],
    ["no email", () => token({ email: undefined }), "email_missing"],
  ])("refuses %s", async (_, make, reason) => {
    expect(await verifyIdToken(await make(), keys, expected)).toEqual({ ok: false, reason });
  });

  it("refuses HS256 (a token MACed with the client secret) before any key lookup", async () => {
    const hs = await new SignJWT({ nonce: NONCE, email: "a@b.c", email_verified: true })
      .setProtectedHeader({ alg: "HS256", kid: "k1" }).setIssuer(ISSUER).setAudience(CLIENT).setSubject("s").setIssuedAt(NOW_S).setExpirationTime(NOW_S + 60)
      .sign(new TextEncoder().encode("client-secret-client-secret-client-secret"));
    expect(await verifyIdToken(hs, keys, expected)).toEqual({ ok: false, reason: "id_token_ERR_JOSE_ALG_NOT_ALLOWED" });
  });

  it("reads the configured verified-email claim (Entra ID: xms_edov)", async () => {
    const entra = { ...expected, emailVerifiedClaim: "xms_edov" };
    expect((await verifyIdToken(await token({ email_verified: undefined, xms_edov: true }), keys, entra)).ok).toBe(true);
    expect(await verifyIdToken(await token({ xms_edov: false }), keys, entra)).toEqual({ ok: false, reason: "email_unverified" });
  });
});

describe("idpDidMfa", () => {
  it.each([
    [["pwd", "mfa"], true],
    [["pwd", "otp"], true],
    [["hwk"], true],
    [["pwd"], false],
    [["wia"], false],
    [[], false],
  ])("%j -> %s", (amr, result) => {
    expect(idpDidMfa(amr)).toBe(result);
  });
});
