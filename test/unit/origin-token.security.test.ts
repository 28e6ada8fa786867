/**
 * JWT attacks on the origin token, against the reference verifier every origin is shown (the demo
 * origin, demo/server.mjs: jose, the gateway's published JWKS, EdDSA only, issuer, audience and
 * typ pinned). A correctly signed token is served (the positive control); every forged or
 * misdirected one is refused with 401 and never reaches the app (the origin logs no subject).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoOrigin } from "../../demo/server.mjs";

const KID = "origin-key-1";
const b64url = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

let jwksServer: Server;
let gatewayUrl: string;
let origin: Awaited<ReturnType<typeof startDemoOrigin>>;
let originKey: CryptoKey;
let publicJwk: JWK;
let attackerKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair("EdDSA", { extractable: true });
  originKey = pair.privateKey as CryptoKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: "EdDSA", use: "sig" };
  attackerKey = (await generateKeyPair("EdDSA")).privateKey as CryptoKey;
  // Stands in for the gateway's /_stepgate/jwks.json (one Ed25519 key, as the gateway publishes).
  jwksServer = createServer((req, res) => {
    if (req.url === "/_stepgate/jwks.json") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [publicJwk] }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
  gatewayUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
  origin = await startDemoOrigin({ port: 0, gatewayUrl });
});

afterAll(async () => {
  await origin?.close();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: gatewayUrl, aud: origin.url, sub: "demo-payor", sid: "S".repeat(22), jti: crypto.randomUUID(), email: "payor@demo.test", role: "payor", company: "demo-builders", amr: ["pwd", "otp"], auth_time: now, iat: now, exp: now + 120, ...overrides };
}

async function sign(overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key: CryptoKey | Uint8Array = originKey) {
  return new SignJWT(claims(overrides)).setProtectedHeader({ alg: "EdDSA", kid: KID, typ: "stepgate-origin+jwt", ...header } as never).sign(key);
}

/** Signs any header as given (jose refuses to sign unknown `crit` extensions). */
async function rawSign(header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey = originKey) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = await crypto.subtle.sign("Ed25519", key, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(signature).toString("base64url")}`;
}

async function present(token: string | null, path: string) {
  const response = await fetch(`${origin.url}${path}`, { headers: token === null ? {} : { "stepgate-assertion": token, accept: "application/json" } });
  await response.arrayBuffer();
  const logged = origin.requests.filter((entry: { path: string }) => entry.path === path);
  return { status: response.status, sub: logged.at(-1)?.sub ?? null };
}

describe("origin token attacks, against the reference verifier", () => {
  it("serves a correctly signed token (positive control)", async () => {
    expect(await present(await sign(), "/ot/valid")).toEqual({ status: 404, sub: "demo-payor" }); // 404: a path the app does not have, but served
    // The hand-made signatures used for the crit/b64 cases below are good ones.
    expect(await present(await rawSign({ alg: "EdDSA", kid: KID, typ: "stepgate-origin+jwt" }, claims()), "/ot/valid-raw")).toEqual({ status: 404, sub: "demo-payor" });
  });

  it("refuses every forged, altered or misdirected token with 401, before the app", async () => {
    const valid = await sign();
    const [header, payload, signature] = valid.split(".");
    const now = Math.floor(Date.now() / 1000);
    const rsa = await generateKeyPair("RS256");
    const p256 = await generateKeyPair("ES256");
    const hmacFromPublicKey = new TextEncoder().encode(JSON.stringify(publicJwk));
    const hmacFromX = Buffer.from(publicJwk.x!, "base64url");
    const cases: Record<string, string | null> = {
      missing: null,
      empty: "",
      garbage: "not-a-jwt",
      twoParts: `${header}.${payload}`,
      algNone: `${b64url({ alg: "none", typ: "stepgate-origin+jwt", kid: KID })}.${payload}.`,
      algNoneCased: `${b64url({ alg: "nOnE", typ: "stepgate-origin+jwt", kid: KID })}.${payload}.`,
      algNoneKeptSignature: `${b64url({ alg: "none", typ: "stepgate-origin+jwt", kid: KID })}.${payload}.${signature}`,
      algEmpty: `${b64url({ alg: "", typ: "stepgate-origin+jwt", kid: KID })}.${payload}.${signature}`,
      hs256WithPublicJwk: await sign({}, { alg: "HS256" }, hmacFromPublicKey),
      hs256WithPublicX: await sign({}, { alg: "HS256" }, hmacFromX),
      rs256WrongKeyType: await sign({}, { alg: "RS256" }, rsa.privateKey as CryptoKey),
      es256WrongKeyType: await sign({}, { alg: "ES256" }, p256.privateKey as CryptoKey),
      strippedSignature: `${header}.${payload}.`,
      truncatedSignature: `${header}.${payload}.${signature!.slice(0, 40)}`,
      otherTokensSignature: `${header}.${payload}.${(await sign({ sub: "someone-else" })).split(".")[2]}`,
      alteredPayload: `${header}.${b64url({ ...claims(), role: "company_admin" })}.${signature}`,
      alteredHeader: `${b64url({ alg: "EdDSA", kid: KID, typ: "stepgate-origin+jwt", extra: 1 })}.${payload}.${signature}`,
      otherKeySameKid: await sign({}, {}, attackerKey),
      expired: await sign({ iat: now - 600, exp: now - 60 }),
      notYetValid: await sign({ nbf: now + 600 }),
      wrongAudience: await sign({ aud: "stepgate:session" }),
      otherOriginAudience: await sign({ aud: "https://another-origin.test" }),
      wrongIssuer: await sign({ iss: "https://evil.test" }),
      sessionTyp: await sign({}, { typ: "stepgate-session+jwt" }),
      plainJwtTyp: await sign({}, { typ: "JWT" }),
      noTyp: await new SignJWT(claims()).setProtectedHeader({ alg: "EdDSA", kid: KID }).sign(originKey),
      noExp: await new SignJWT({ ...claims(), exp: undefined }).setProtectedHeader({ alg: "EdDSA", kid: KID, typ: "stepgate-origin+jwt" }).sign(originKey),
      kidTraversal: await sign({}, { kid: "../../../../dev/null" }, attackerKey),
      kidSql: await sign({}, { kid: "' OR '1'='1" }, attackerKey),
      kidUnknownRightKey: await sign({}, { kid: "not-published" }),
      jkuHeader: await sign({}, { jku: "https://evil.test/jwks.json" }, attackerKey),
      x5uHeader: await sign({}, { x5u: "https://evil.test/cert.pem" }, attackerKey),
      embeddedJwk: await sign({}, { jwk: await exportJWK((await generateKeyPair("EdDSA")).publicKey) }, attackerKey),
      critUnknown: await rawSign({ alg: "EdDSA", kid: KID, typ: "stepgate-origin+jwt", crit: ["stepgate-bypass"], "stepgate-bypass": true }, claims()),
      unencodedPayload: await rawSign({ alg: "EdDSA", kid: KID, typ: "stepgate-origin+jwt", b64: false, crit: ["b64"] }, claims()),
    };
    const served: string[] = [];
    for (const [name, token] of Object.entries(cases)) {
      const result = await present(token, `/ot/${name}`);
      if (result.status !== 401 || result.sub !== null) served.push(`${name} -> ${result.status} ${result.sub}`);
    }
    expect(served).toEqual([]);
  });

  it("a token replayed from the gateway's request log is only good until it expires (120 s lifetime)", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await present(await sign({ iat: now - 100, exp: now + 20 }), "/ot/still-fresh")).status).toBe(404);
    expect((await present(await sign({ iat: now - 130, exp: now - 10 }), "/ot/replayed-late")).status).toBe(401);
  });
});
