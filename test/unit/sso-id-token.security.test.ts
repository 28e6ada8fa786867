/**
 * JWT attacks on the third token Stepgate verifies: the identity provider's ID token
 * (worker/sso/id-token.ts), beyond the cases of sso-id-token.test.ts. Every forged, altered or
 * misdirected token is refused with a tagged reason (never an exception), and no arbitrary
 * string or one-character change of a good token is ever accepted (property-based).
 */
import fc from "fast-check";
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyIdToken } from "../../worker/sso/id-token";

const ISSUER = "https://idp.example";
const CLIENT = "stepgate";
const NONCE = "n-0123456789";
const NOW_S = 1_800_000_000;
const expected = { issuer: ISSUER, clientId: CLIENT, nonce: NONCE, emailVerifiedClaim: "email_verified", nowMs: NOW_S * 1000 };
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

let signingKey: CryptoKey;
let publicJwk: JWK;
let keys: ReturnType<typeof createLocalJWKSet>;

const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: ISSUER, aud: CLIENT, sub: "idp-sub-1", iat: NOW_S - 10, exp: NOW_S + 300,
  email: "ivy@sso.demo.test", email_verified: true, nonce: NONCE, ...overrides,
});

async function sign(overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key: CryptoKey | Uint8Array = signingKey) {
  return new SignJWT(claims(overrides)).setProtectedHeader({ alg: "RS256", kid: "k1", ...header } as never).sign(key);
}

beforeAll(async () => {
  ({ privateKey: signingKey } = await generateKeyPair("RS256", { extractable: true }));
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = (await exportJWK(signingKey)) as JWK;
  publicJwk = { ...pub, kid: "k1", alg: "RS256", use: "sig" };
  keys = createLocalJWKSet({ keys: [publicJwk] });
});

describe("ID token attacks", () => {
  it("accepts the control token", async () => {
    expect((await verifyIdToken(await sign(), keys, expected)).ok).toBe(true);
  });

  it("refuses alg none, stripped or altered signatures, wrong key types, nbf, header key injection", async () => {
    const good = await sign();
    const [header, payload, signature] = good.split(".");
    const attacker = await generateKeyPair("RS256", { extractable: true });
    const p256 = await generateKeyPair("ES256");
    const cases: Record<string, string> = {
      algNone: `${b64url({ alg: "none", kid: "k1" })}.${payload}.`,
      algNoneKeptSignature: `${b64url({ alg: "none", kid: "k1" })}.${payload}.${signature}`,
      hs256WithPublicKey: await sign({}, { alg: "HS256" }, new TextEncoder().encode(JSON.stringify(publicJwk))),
      es256WrongKeyType: await sign({}, { alg: "ES256" }, p256.privateKey as CryptoKey),
      stripped: `${header}.${payload}.`,
      alteredEmail: `${header}.${b64url(claims({ email: "admin@sso.demo.test" }))}.${signature}`,
      alteredAudience: `${header}.${b64url(claims({ aud: "stepgate", azp: "stepgate" }))}.${signature}`,
      otherKeySameKid: await sign({}, {}, attacker.privateKey as CryptoKey),
      embeddedJwk: await sign({}, { jwk: await exportJWK(attacker.publicKey) }, attacker.privateKey as CryptoKey),
      jku: await sign({}, { jku: "https://evil.test/jwks" }, attacker.privateKey as CryptoKey),
      kidTraversal: await sign({}, { kid: "../../k1" }),
      notYetValid: await sign({ nbf: NOW_S + 600 }),
      expiredLongAgo: await sign({ iat: NOW_S - 7200, exp: NOW_S - 3600 }),
      noSubject: await sign({ sub: undefined }),
      noIssuedAt: await sign({ iat: undefined }),
      otherAzp: await sign({ azp: "another-client" }),
      emailArray: await sign({ email: ["ivy@sso.demo.test"] }),
      emailVerifiedString: await sign({ email_verified: "yes" }),
      nonceArray: await sign({ nonce: [NONCE] }),
    };
    const accepted: string[] = [];
    for (const [name, token] of Object.entries(cases)) {
      const result = await verifyIdToken(token, keys, expected);
      if (result.ok) accepted.push(name);
    }
    expect(accepted).toEqual([]);
  });

  it("no arbitrary string and no one-character change of a good token is accepted (property)", async () => {
    const good = await sign();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (token) => {
        expect((await verifyIdToken(token, keys, expected)).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
    const bytes = (segment: string) => Buffer.from(segment, "base64url").toString("hex");
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: good.length - 1 }), fc.constantFrom(..."AZaz09-_.x"), async (at, character) => {
        const mutated = good.slice(0, at) + character + good.slice(at + 1);
        fc.pre(mutated !== good);
        const result = await verifyIdToken(mutated, keys, expected);
        if (result.ok) expect(mutated.split(".").map(bytes)).toEqual(good.split(".").map(bytes)); // spare base64url bits only
      }),
      { numRuns: 300 },
    );
  });
});
