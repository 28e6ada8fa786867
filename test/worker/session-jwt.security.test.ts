/**
 * More JWT attacks on the session cookie than tokens.security.test.ts (alg variants, wrong key
 * types, HMAC with the public key, not-yet-valid, crit/b64 extensions, kid injection, the origin
 * token presented as a session, oversized tokens, a forged cookie beside a real one), and
 * property-based checks of the session token parser: no arbitrary string and no one-character
 * change of a genuine token ever verifies. Every refusal is a 401 with the cookie cleared and
 * nothing forwarded to the origin.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { SignJWT, exportJWK, generateKeyPair, importJWK } from "jose";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../worker/config";
import type { Bindings } from "../../worker/env";
import { checkSessionToken, signSessionToken } from "../../worker/lib/tokens";
import { client, enrolledUser, GATEWAY, originHits, sessionClaimsOf } from "./helpers";

const config = getConfig(env as unknown as Bindings);
const sessionJwk = JSON.parse(env.SESSION_SIGNING_JWK as string) as JsonWebKey & { kid: string; x: string };
const b64url = (value: unknown) => btoa(typeof value === "string" ? value : JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const bytesOf = (segment: string) => atob(segment.replace(/-/g, "+").replace(/_/g, "/"));

function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: GATEWAY, aud: "stepgate:session", sub: "demo-user", sid: "C".repeat(22), stg: "done", email: "user@demo.test", role: "standard", cid: "demo-builders", amr: ["pwd", "otp"], auth_time: now, iat: now, exp: now + 300, ...overrides };
}

const HEADER = { alg: "EdDSA", kid: sessionJwk.kid, typ: "stepgate-session+jwt" };

async function sign(overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key?: CryptoKey | Uint8Array) {
  const signingKey = key ?? ((await importJWK(sessionJwk, "EdDSA")) as CryptoKey);
  return new SignJWT(claims(overrides)).setProtectedHeader({ ...HEADER, ...header } as never).sign(signingKey);
}

/** Signs any header as given (jose refuses to sign unknown `crit` extensions). */
async function rawSign(header: Record<string, unknown>, payload: Record<string, unknown>) {
  const key = (await importJWK(sessionJwk, "EdDSA")) as CryptoKey;
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", key, new TextEncoder().encode(input)));
  return `${input}.${b64url(String.fromCharCode(...signature))}`;
}

async function outcome(cookie: string, path: string) {
  const c = client();
  c.cookie = cookie;
  const response = await c.fetch(path, { headers: { accept: "application/json" } });
  const body = await response.text();
  return { status: response.status, setCookie: response.headers.get("set-cookie") ?? "", body };
}

describe("session token attacks (more)", () => {
  it("the hand-signed and jose-signed controls are accepted (so each refusal below is about the attack)", async () => {
    for (const [name, token] of [["jose", await sign()], ["raw", await rawSign(HEADER, claims())]] as const) {
      const result = await outcome(`__Host-stepgate=${token}`, `/sjwt/control-${name}`);
      expect(result.status, name).toBe(200);
      expect(await originHits(`/sjwt/control-${name}`)).toBe(1);
    }
  });

  it("refuses alg variants, wrong key types, HMAC with the public key, not-yet-valid, extensions and kid injection", async () => {
    const valid = await sign();
    const [header, payload, signature] = valid.split(".");
    const now = Math.floor(Date.now() / 1000);
    const publicX = Uint8Array.from(bytesOf(sessionJwk.x), (ch) => ch.charCodeAt(0));
    const publicJwkText = new TextEncoder().encode(JSON.stringify({ kty: "OKP", crv: "Ed25519", x: sessionJwk.x }));
    const rsa = await generateKeyPair("RS256");
    const p256 = await generateKeyPair("ES256");
    const attacker = await generateKeyPair("EdDSA", { extractable: true });
    const cases: Record<string, string> = {
      algNoneLower: `${b64url({ ...HEADER, alg: "none" })}.${payload}.`,
      algNoneMixed: `${b64url({ ...HEADER, alg: "nOnE" })}.${payload}.`,
      algNoneKeptSignature: `${b64url({ ...HEADER, alg: "none" })}.${payload}.${signature}`,
      algEmpty: `${b64url({ ...HEADER, alg: "" })}.${payload}.${signature}`,
      algMissing: `${b64url({ kid: HEADER.kid, typ: HEADER.typ })}.${payload}.${signature}`,
      algEd448Claimed: `${b64url({ ...HEADER, alg: "Ed448" })}.${payload}.${signature}`,
      hs256WithPublicX: await sign({}, { alg: "HS256" }, publicX),
      hs256WithPublicJwk: await sign({}, { alg: "HS256" }, publicJwkText),
      rs256WrongKeyType: await sign({}, { alg: "RS256" }, rsa.privateKey as CryptoKey),
      es256WrongKeyType: await sign({}, { alg: "ES256" }, p256.privateKey as CryptoKey),
      truncatedSignature: `${header}.${payload}.${signature!.slice(0, 43)}`,
      otherTokensSignature: `${header}.${payload}.${(await sign({ sub: "demo-admin" })).split(".")[2]}`,
      fourSegments: `${valid}.${signature}`,
      notYetValid: await sign({ nbf: now + 600 }),
      issuedInFuture: await sign({ iat: now + 3600, exp: now + 3900 }),
      expiredLongAgo: await sign({ iat: now - 86_400, exp: now - 86_000 }),
      audArrayWithoutOurs: await sign({ aud: ["https://origin.test"] }),
      missingTyp: await new SignJWT(claims()).setProtectedHeader({ alg: "EdDSA", kid: sessionJwk.kid }).sign((await importJWK(sessionJwk, "EdDSA")) as CryptoKey),
      plainJwtTyp: await sign({}, { typ: "JWT" }),
      originTyp: await sign({}, { typ: "stepgate-origin+jwt" }),
      kidMissing: await new SignJWT(claims()).setProtectedHeader({ alg: "EdDSA", typ: HEADER.typ }).sign((await importJWK(sessionJwk, "EdDSA")) as CryptoKey),
      kidSql: await sign({}, { kid: "' OR 1=1 --" }),
      kidTraversalOtherKey: await sign({}, { kid: "../../../dev/null" }, attacker.privateKey as CryptoKey),
      kidNullByte: await sign({}, { kid: `${sessionJwk.kid}\u0000` }),
      x5cHeader: await sign({}, { x5c: ["MIIB"] }),
      embeddedAttackerJwk: await sign({}, { jwk: await exportJWK(attacker.publicKey) }, attacker.privateKey as CryptoKey),
      critUnknown: await rawSign({ ...HEADER, crit: ["x-bypass"], "x-bypass": true }, claims()),
      unencodedPayload: await rawSign({ ...HEADER, b64: false, crit: ["b64"] }, claims()),
      claimsOutOfSchema: await sign({ stg: "superuser", role: "root" }),
      oversized: await sign({ pad: "x".repeat(5000) }),
    };
    const leaks: string[] = [];
    for (const [name, token] of Object.entries(cases)) {
      const path = `/sjwt/${name}`;
      const result = await outcome(`__Host-stepgate=${token}`, path);
      if (result.status !== 401) leaks.push(`${name} -> ${result.status}`);
      if (!/__Host-stepgate=;/.test(result.setCookie)) leaks.push(`${name}: cookie not cleared`);
      if ((await originHits(path)) !== 0) leaks.push(`${name}: reached the origin`);
    }
    expect(leaks).toEqual([]);
  });

  it("the origin token (another key, audience and typ) is not a session", async () => {
    const { client: c } = await enrolledUser("payee@demo.test");
    const echo = (await (await c.fetch("/sjwt/get-assertion")).json()) as { headers: Record<string, string> };
    const assertion = echo.headers["stepgate-assertion"]!;
    const result = await outcome(`__Host-stepgate=${assertion}`, "/sjwt/assertion-as-session");
    expect(result.status).toBe(401);
    expect(await originHits("/sjwt/assertion-as-session")).toBe(0);
  });

  it("a forged cookie beside a genuine one never lends the forged identity", async () => {
    const { client: c } = await enrolledUser("user@demo.test");
    const genuine = c.cookie!;
    const forgedAdmin = `__Host-stepgate=${`${c.cookie!.split("=")[1]!.split(".")[0]}.${b64url({ ...sessionClaimsOf(c), sub: "demo-admin", role: "company_admin" })}.${c.cookie!.split(".")[2]}`}`;
    for (const [order, cookie] of [["forged first", `${forgedAdmin}; ${genuine}`], ["genuine first", `${genuine}; ${forgedAdmin}`]] as const) {
      const path = `/sjwt/two-cookies-${order.replace(" ", "-")}`;
      const result = await outcome(cookie, path);
      if (result.status === 200) {
        const assertion = (JSON.parse(result.body) as { headers: Record<string, string> }).headers["stepgate-assertion"]!;
        expect(JSON.parse(bytesOf(assertion.split(".")[1]!)).sub, order).toBe("demo-user");
      } else {
        expect(result.status, order).toBe(401);
        expect(await originHits(path)).toBe(0);
      }
    }
  });
});

describe("the session token parser (property-based)", () => {
  it("no arbitrary string verifies", async () => {
    const nowMs = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.array(fc.base64String({ maxLength: 200 }), { minLength: 1, maxLength: 4 }).map((parts) => parts.join("."))), async (token) => {
        const result = await checkSessionToken(token, config, nowMs);
        expect(result.kind).toBe("invalid");
      }),
      { numRuns: 300 },
    );
  });

  it("no one-character change of a genuine token verifies (unless it decodes to the same bytes)", async () => {
    const nowMs = Date.now();
    const input = { sub: "demo-user", sid: "D".repeat(22), stg: "done" as const, email: "user@demo.test", role: "standard" as const, cid: "demo-builders", amr: ["pwd", "otp"], auth_time: Math.floor(nowMs / 1000) };
    const genuine = await signSessionToken(input, config, nowMs);
    expect((await checkSessionToken(genuine, config, nowMs)).kind).toBe("valid");
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: genuine.length - 1 }), fc.constantFrom(...alphabet), async (at, character) => {
        const mutated = genuine.slice(0, at) + character + genuine.slice(at + 1);
        fc.pre(mutated !== genuine);
        const result = await checkSessionToken(mutated, config, nowMs);
        if (result.kind !== "invalid") {
          // Base64url's last character carries spare bits: only a token with identical bytes may pass.
          const same = mutated.split(".").length === 3 && mutated.split(".").every((segment, i) => bytesOf(segment) === bytesOf(genuine.split(".")[i]!));
          expect(same).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });
});
