/**
 * The browser session: a cookie holding a short-lived signed session token. A fresh token is
 * trusted on signature and claims alone (the hot path: no storage call). An older or expired one
 * is renewed only after the account's Durable Object confirms the session is still alive, so a
 * sign-out or reset ends every session within one re-mint interval.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { SessionClaims } from "../shared/claims";
import type { Config } from "./config";
import type { SessionRecord, UserRecord } from "./domain/records";
import type { AppEnv } from "./env";
import { checkSessionToken, revokeSessionInIsolate, signSessionToken } from "./lib/tokens";

export const SESSION_COOKIE = "__Host-stepgate";

/**
 * Records that a session cookie was set or cleared on `c`'s response, so that a forwarded answer
 * keeps it (`forwardToOrigin`). Requests that set no header skip that merge (the hot path).
 */
function markResponseHeaders(c: Context<AppEnv>): void {
  c.set("responseHeadersSet", true);
}

/** The directory fields a session token carries. */
export type TokenUser = Pick<UserRecord, "id" | "email" | "role" | "companyId">;

export function userFromClaims(claims: SessionClaims): TokenUser {
  return { id: claims.sub, email: claims.email, role: claims.role, companyId: claims.cid };
}

export function sessionClaimsFor(session: SessionRecord, user: TokenUser) {
  const claims = {
    sub: user.id,
    sid: session.sid,
    stg: session.stage,
    email: user.email,
    role: user.role,
    cid: user.companyId,
    amr: session.amr,
    auth_time: Math.floor(session.authTimeMs / 1000),
  };
  return {
    ...claims,
    ...(session.mfaAtMs === undefined ? {} : { mfa_at: Math.floor(session.mfaAtMs / 1000) }),
    ...(session.payments ? { pay: 1 as const } : {}),
  };
}

/** Mints a session token for `session` and sets the cookie; returns the claims now in force. */
export async function issueSession(c: Context<AppEnv>, session: SessionRecord, user: TokenUser): Promise<SessionClaims> {
  const { config, ports } = c.var;
  const nowMs = ports.now();
  const input = sessionClaimsFor(session, user);
  const token = await signSessionToken(input, config, nowMs);
  setCookie(c, SESSION_COOKIE, token, cookieOptions(config));
  markResponseHeaders(c);
  const iat = Math.floor(nowMs / 1000);
  const claims: SessionClaims = { ...input, iss: config.issuer, aud: "stepgate:session", iat, exp: iat + config.sessionTokenTtlSeconds };
  c.set("session", claims);
  return claims;
}

export function clearSession(c: Context<AppEnv>): void {
  const session = c.var.session;
  if (session) revokeSessionInIsolate(session.sid, c.var.ports.now() + c.var.config.sessionTokenTtlSeconds * 1000);
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
  markResponseHeaders(c);
  c.set("session", null);
}

function cookieOptions(config: Config) {
  return {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax" as const,
    // The cookie outlives the token: an expired token is the handle for a checked renewal.
    maxAge: config.sessionMaxAgeSeconds,
  };
}

/** Loads the session (any stage) into `c.var.session`, renewing the token when due. */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("session", null);
  const token = getCookie(c, SESSION_COOKIE);
  if (token) {
    const { config, ports } = c.var;
    const nowMs = ports.now();
    const check = await checkSessionToken(token, config, nowMs);
    if (check.kind === "valid" && nowMs - check.claims.iat * 1000 < config.sessionRemintAfterSeconds * 1000) {
      c.set("session", check.claims);
    } else if (check.kind === "invalid") {
      clearSession(c);
    } else {
      await renewSession(c, check.claims, nowMs);
    }
  }
  await next();
};

async function renewSession(c: Context<AppEnv>, claims: SessionClaims, nowMs: number): Promise<void> {
  const { ports } = c.var;
  const [session, user] = await Promise.all([
    // `Stepgate-Passive: 1` marks a background poll (the extension): not activity for idle timeouts.
    ports.account(claims.sub).touchSession(claims.sid, nowMs, c.req.header("stepgate-passive") === "1"),
    ports.directory.getUser(claims.sub),
  ]);
  if (!session || !user || !user.active) {
    clearSession(c);
    return;
  }
  await issueSession(c, session, user);
}
