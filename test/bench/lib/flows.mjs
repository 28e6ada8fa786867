// The HTTP steps the benchmark needs against a running gateway: sign-in, authenticator enrollment
// through the JSON API (with TOTP codes computed here), challenge verification, and tokens made
// with the deployment's own keys (the bench generated them): a fresh session token carrying a
// real session's claims, and an origin assertion for the scenarios that bypass the gateway.
import { createHmac } from "node:crypto";
import { SignJWT, importJWK } from "jose";

export const SESSION_COOKIE = "__Host-stepgate";
const API = "/_stepgate/api";

/** A cookie-keeping JSON client for one gateway. */
export class GatewayClient {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.token = null;
  }

  get cookieHeader() {
    return this.token ? `${SESSION_COOKIE}=${this.token}` : "";
  }

  async request(method, path, body) {
    const headers = { accept: "application/json" };
    if (this.token) headers.cookie = this.cookieHeader;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(line);
      if (match) this.token = match[1] || null;
    }
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: response.status, json, text };
  }

  async expect(method, path, body, status = 200) {
    const result = await this.request(method, path, body);
    if (result.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${result.status} ${result.text.slice(0, 300)}`);
    return result.json;
  }

  /** The gateway's clock (development clock included), or the local clock if it has none. */
  async now() {
    const result = await fetch(`${this.baseUrl}/_stepgate/dev/clock`);
    if (!result.ok) return Date.now();
    return (await result.json()).now;
  }

  /** Moves the development clock on (the TOTP scenario needs a new 30-second step per verify). */
  async advanceClock(seconds) {
    const result = await fetch(`${this.baseUrl}/_stepgate/dev/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ advanceSeconds: seconds }) });
    if (!result.ok) throw new Error(`POST /_stepgate/dev/clock: ${result.status} (the TOTP scenario needs the development clock)`);
    return (await result.json()).now;
  }

  signIn(email, password) {
    return this.expect("POST", `${API}/session`, { email, password });
  }

  /** The claims of the current session token (read, not verified: it came from the gateway). */
  claims() {
    if (!this.token) throw new Error("no session");
    return JSON.parse(Buffer.from(this.token.split(".")[1], "base64url").toString("utf8"));
  }
}

function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of text.replace(/[\s=]/g, "").toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error("bad base32");
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), computed with node:crypto. */
export function totp(secretBase32, nowMs) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(nowMs / 1000 / 30)));
  const mac = createHmac("sha1", base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, "0");
}

/**
 * Signs `email` in and enrolls an authenticator app through the JSON API, ending with a session at
 * `done`. Returns the TOTP secret (for later verifications) and the client holding the session.
 */
export async function enrollWithApp(baseUrl, email, password) {
  const client = new GatewayClient(baseUrl);
  const first = await client.signIn(email, password);
  if (first.next !== "enroll") throw new Error(`${email}: expected next=enroll at first sign-in, got ${JSON.stringify(first)}`);
  const { secret } = await client.expect("POST", `${API}/enroll/totp`, {});
  const confirmed = await client.expect("POST", `${API}/enroll/totp/confirm`, { code: totp(secret, await client.now()) });
  if (confirmed.next !== "save_recovery_code") throw new Error(`enroll confirm: ${JSON.stringify(confirmed)}`);
  const done = await client.expect("POST", `${API}/recovery-code/confirm`, { saved: true });
  if (done.next !== "done") throw new Error(`recovery-code confirm: ${JSON.stringify(done)}`);
  return { client, secret };
}

/** Signs in an enrolled person and returns the client and the login challenge. */
export async function signInToChallenge(baseUrl, email, password) {
  const client = new GatewayClient(baseUrl);
  const answer = await client.signIn(email, password);
  if (answer.next !== "mfa" || !answer.challenge) throw new Error(`expected next=mfa, got ${JSON.stringify(answer)}`);
  return { client, challenge: answer.challenge };
}

/** Signs tokens with the deployment's keys (the benchmark generated the secrets). */
export async function tokenMinter({ secrets, issuer, originUrl }) {
  const sessionJwk = JSON.parse(secrets.SESSION_SIGNING_JWK);
  const originJwk = JSON.parse(secrets.ORIGIN_SIGNING_JWK);
  const sessionKey = await importJWK(sessionJwk, "EdDSA");
  const originKey = await importJWK(originJwk, "EdDSA");
  return {
    /**
     * A session token with a real session's claims, issued at `nowMs` (gateway clock): what the
     * gateway's own re-mint would produce. Younger than SESSION_REMINT_AFTER_SECONDS (60 s), it is
     * trusted on its signature alone, which is the hot path.
     */
    session(claims, nowMs) {
      const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, ...rest } = claims;
      const iat = Math.floor(nowMs / 1000);
      return new SignJWT(rest)
        .setProtectedHeader({ alg: "EdDSA", kid: sessionJwk.kid, typ: "stepgate-session+jwt" })
        .setIssuer(issuer)
        .setAudience("stepgate:session")
        .setIssuedAt(iat)
        .setExpirationTime(iat + 300)
        .sign(sessionKey);
    },
    /** An origin assertion like the gateway's, for requests that do not pass through it. */
    origin(sessionClaims, nowMs = Date.now()) {
      const iat = Math.floor(nowMs / 1000);
      const c = sessionClaims;
      return new SignJWT({ sub: c.sub, sid: c.sid, jti: crypto.randomUUID(), email: c.email, role: c.role, company: c.cid, amr: c.amr, auth_time: c.auth_time, ...(c.mfa_at ? { mfa_at: c.mfa_at } : {}) })
        .setProtectedHeader({ alg: "EdDSA", kid: originJwk.kid, typ: "stepgate-origin+jwt" })
        .setIssuer(issuer)
        .setAudience(originUrl)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 120)
        .sign(originKey);
    },
  };
}
