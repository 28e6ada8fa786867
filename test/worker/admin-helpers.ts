/** Helpers for the admin tests: extra directory members, forged session tokens, admin calls. */
import { env } from "cloudflare:test";
import { SignJWT, importJWK } from "jose";
import { writeUser } from "../../worker/domain/directory";
import type { UserRecord } from "../../worker/domain/records";
import type { Bindings } from "../../worker/env";
import { createPorts } from "../../worker/ports";
import { accountStub, GATEWAY, PASSWORD, sessionClaimsOf, type Client } from "./helpers";

const sessionKey = JSON.parse(env.SESSION_SIGNING_JWK as string) as JsonWebKey & { kid: string };

/** Adds a person to Demo Builders through the one directory write path, with the demo password. */
export async function addMember(user: Partial<UserRecord> & { id: string; email: string }): Promise<UserRecord> {
  const record: UserRecord = { name: user.id, role: "standard", companyId: "demo-builders", active: true, sso: false, ...user };
  await writeUser(createPorts(env as unknown as Bindings), record);
  await accountStub(record.id).setPassword(PASSWORD);
  return record;
}

/**
 * A correctly signed copy of the client's session token with some claims changed, as the Worker
 * would have minted it `ageSeconds` ago (an old token is due for re-mint, which checks the DO).
 */
export async function forgeSessionToken(c: Client, changes: Record<string, unknown> = {}, ageSeconds = 0): Promise<string> {
  const { iat: _iat, exp: _exp, iss: _iss, aud: _aud, ...claims } = sessionClaimsOf(c);
  const iat = Math.floor(Date.now() / 1000) - ageSeconds;
  return new SignJWT({ ...claims, ...changes })
    .setProtectedHeader({ alg: "EdDSA", kid: sessionKey.kid, typ: "stepgate-session+jwt" })
    .setIssuer(GATEWAY)
    .setAudience("stepgate:session")
    .setIssuedAt(iat)
    .setExpirationTime(iat + 300)
    .sign((await importJWK(sessionKey, "EdDSA")) as CryptoKey);
}

export async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

export const resetMfa = (c: Client, email: string, verified = true) =>
  c.fetch("/_stepgate/api/admin/reset-mfa", { method: "POST", json: { email, verified } });

export const putSettings = (c: Client, settings: unknown) => c.fetch("/_stepgate/api/admin/settings", { method: "PUT", json: settings });
