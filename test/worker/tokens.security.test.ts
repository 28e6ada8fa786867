/**
 * JWT attacks on the session cookie (refused by the gateway, origin never called) and the
 * properties of the origin assertion (verifiable with the published JWKS, pinned claims).
 */
import { env } from "cloudflare:test";
import { SignJWT, createLocalJWKSet, decodeProtectedHeader, generateKeyPair, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { accountStub, client, enrolledUser, GATEWAY, originHits, sessionClaimsOf } from "./helpers";

const sessionKey = JSON.parse(env.SESSION_SIGNING_JWK as string) as JsonWebKey & { kid: string };
const b64 = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function forged(claims: Record<string, unknown>, header: Record<string, unknown> = {}, key?: CryptoKey) {
  const now = Math.floor(Date.now() / 1000);
  const signingKey = key ?? ((await importJWK(sessionKey, "EdDSA")) as CryptoKey);
  return new SignJWT({ sub: "demo-user", sid: "A".repeat(22), stg: "done", email: "user@demo.test", role: "standard", cid: "demo-builders", amr: ["pwd", "otp"], auth_time: now, ...claims })
    .setProtectedHeader({ alg: "EdDSA", kid: sessionKey.kid, typ: "stepgate-session+jwt", ...header })
    .setIssuer((claims.iss as string) ?? GATEWAY)
    .setAudience((claims.aud as string) ?? "stepgate:session")
    .setIssuedAt(now)
    .setExpirationTime((claims.exp as number) ?? now + 300)
    .sign(signingKey);
}

async function refusedWith(token: string, path: string) {
  const c = client();
  c.cookie = `__Host-stepgate=${token}`;
  const response = await c.fetch(path, { headers: { accept: "application/json" } });
  expect(response.status).toBe(401);
  expect(await originHits(path)).toBe(0);
}

describe("session token attacks", () => {
  it("a correctly signed token for a session that does not exist is refused once due for renewal", async () => {
    const now = Math.floor(Date.now() / 1000);
    await refusedWith(await forged({ exp: now - 10 }), "/tok/expired-unknown-session");
  });

  it("an expired token is renewed only while the account's Durable Object still holds the session", async () => {
    const { client: real } = await enrolledUser("payee@demo.test");
    const claims = sessionClaimsOf(real);
    const now = Math.floor(Date.now() / 1000);
    const expired = await forged({ ...claims, iat: undefined, exp: now - 5 });
    const renewed = client();
    renewed.cookie = `__Host-stepgate=${expired}`;
    const ok = await renewed.fetch("/tok/renewed");
    expect(ok.status).toBe(200);
    expect(renewed.cookie).not.toContain(expired); // a fresh token was minted
    await accountStub("demo-payee").endSession(claims.sid);
    await refusedWith(expired, "/tok/renewal-after-sign-out");
  });

  it("refuses alg none, stripped or altered signatures, wrong issuer/audience/typ, unknown kid and injected key headers", async () => {
    const { client: real } = await enrolledUser("user@demo.test");
    const token = real.cookie!.split("=")[1]!;
    const [header, payload, signature] = token.split(".");
    const claims = sessionClaimsOf(real);
    const other = await generateKeyPair("EdDSA", { extractable: true });
    const cases: Record<string, string> = {
      algNone: `${b64({ alg: "none", typ: "stepgate-session+jwt", kid: sessionKey.kid })}.${payload}.`,
      algNoneUpper: `${b64({ alg: "NONE", typ: "stepgate-session+jwt", kid: sessionKey.kid })}.${payload}.`,
      hs256Confusion: `${b64({ alg: "HS256", typ: "stepgate-session+jwt", kid: sessionKey.kid })}.${payload}.${signature}`,
      stripped: `${header}.${payload}.`,
      alteredPayload: `${header}.${b64({ ...claims, role: "company_admin" })}.${signature}`,
      otherKey: await forged({}, {}, other.privateKey),
      wrongIssuer: await forged({ iss: "https://evil.test" }),
      wrongAudience: await forged({ aud: "https://origin.test" }),
      wrongTyp: await forged({}, { typ: "stepgate-origin+jwt" }),
      unknownKid: await forged({}, { kid: "../../etc/passwd" }),
      jkuHeader: await forged({}, { jku: "https://evil.test/jwks.json" }),
      x5uHeader: await forged({}, { x5u: "https://evil.test/cert.pem" }),
      jwkHeader: await forged({}, { jwk: { kty: "OKP", crv: "Ed25519", x: "AAAA" } }),
      notYetIssued: await forged({}, {}, undefined).then(async () => {
        const future = Math.floor(Date.now() / 1000) + 3600;
        return new SignJWT({ ...claims, iat: future, exp: future + 300 })
          .setProtectedHeader({ alg: "EdDSA", kid: sessionKey.kid, typ: "stepgate-session+jwt" })
          .sign((await importJWK(sessionKey, "EdDSA")) as CryptoKey);
      }),
    };
    for (const [name, forgedToken] of Object.entries(cases)) {
      await refusedWith(forgedToken, `/tok/${name}`);
    }
  });
});

describe("origin assertion", () => {
  it("is EdDSA with a kid, audience = origin, verifiable with the published JWKS; the cookie is not forwarded", async () => {
    const { client: c } = await enrolledUser("payor@demo.test");
    const echo = (await (await c.fetch("/tok/whoami", { headers: { cookie: `${c.cookie}; theme=dark` } })).json()) as { headers: Record<string, string> };
    const assertion = echo.headers["stepgate-assertion"]!;
    expect(echo.headers.cookie).toBe("theme=dark");
    const jwks = (await (await c.fetch("/_stepgate/jwks.json")).json()) as { keys: JsonWebKey[] };
    expect(jwks.keys).toHaveLength(1);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: "EdDSA", typ: "stepgate-origin+jwt", kid: (jwks.keys[0] as unknown as { kid: string }).kid });
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(jwks as never), {
      algorithms: ["EdDSA"],
      issuer: GATEWAY,
      audience: "https://origin.test",
      typ: "stepgate-origin+jwt",
    });
    expect(payload).toMatchObject({ sub: "demo-payor", email: "payor@demo.test", role: "payor", amr: ["pwd", "otp"] });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeLessThanOrEqual(120);
    // The session signing key is not the published key: a session token never verifies as an origin token.
    const sessionToken = c.cookie!.split("=")[1]!;
    await expect(jwtVerify(sessionToken, createLocalJWKSet(jwks as never), { algorithms: ["EdDSA"] })).rejects.toThrow();
  });

  it("is reused within a session rather than signed per request", async () => {
    const { client: c } = await enrolledUser("admin@demo.test");
    const first = (await (await c.fetch("/tok/a")).json()) as { headers: Record<string, string> };
    const second = (await (await c.fetch("/tok/b")).json()) as { headers: Record<string, string> };
    expect(second.headers["stepgate-assertion"]).toBe(first.headers["stepgate-assertion"]);
  });
});
