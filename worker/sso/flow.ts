/**
 * Single sign-on sign-in (docs/decisions/0010-sso.md). `startSsoLogin` stores a single-use
 * pending login (state, nonce, PKCE verifier, browser binding, return path; 10 minutes) in the
 * provider's company Durable Object and returns the IdP's authorize URL. `completeSsoLogin`
 * takes it back exactly once, exchanges the code, verifies the ID token and maps its verified
 * email to an active SSO person of that company; the Stepgate challenge or enrollment then
 * follows exactly as after a password. Every refusal is one generic answer; the audit log keeps
 * the precise reason (never a code, token or secret).
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { isPaymentsRole, mfaRequirement } from "../../shared/policy";
import type { Challenge, NextStep } from "../../shared/protocol";
import type { UserRecord } from "../domain/records";
import type { AppEnv } from "../env";
import { challengeToWire } from "../flows";
import type { WireReason } from "../lib/errors";
import { issueSession } from "../session";
import { ssoProviderForEmail, type SsoProvider } from "./config";
import { DiscoveryError, providerKeys, providerMetadata } from "./discovery";
import { idpDidMfa, verifyIdToken } from "./id-token";
import { authorizeUrl, exchangeCode, randomToken, sha256Base64Url } from "./protocol";

export const SSO_BINDING_COOKIE = "__Host-stepgate-sso";
export const SSO_LOGIN_TTL_SECONDS = 600;
const STATE = /^([a-z0-9-]{1,32})\.([A-Za-z0-9_-]{43})$/;

export function ssoRedirectUri(c: Context<AppEnv>): string {
  return `${c.var.config.publicUrl}${c.var.config.prefix}/sso/callback`;
}

function audit(c: Context<AppEnv>, companyId: string, outcome: "success" | "failure", reason: string, user?: UserRecord | null) {
  const ip = c.req.header("cf-connecting-ip");
  const entry = { atMs: c.var.ports.now(), event: "sign_in_sso", outcome, reason, ...(user ? { subjectId: user.id, actorId: user.id } : {}), ...(ip ? { ip } : {}) };
  return c.var.ports.audit(companyId, entry);
}

export type StartResult = { ok: true; redirect: string } | { ok: false; reason: WireReason };

/** Begins an IdP login for `email` (its domain is an SSO domain); sets the browser-binding cookie. */
export async function startSsoLogin(c: Context<AppEnv>, provider: SsoProvider, email: string, returnTo: string): Promise<StartResult> {
  const nowMs = c.var.ports.now();
  let metadata;
  try {
    metadata = await providerMetadata(provider.issuer, nowMs, c.var.config.providerTimeoutMs);
  } catch (error) {
    console.error(`stepgate: SSO provider ${provider.id} discovery failed: ${error instanceof DiscoveryError ? error.reason : "error"}`);
    return { ok: false, reason: "sso_unavailable" };
  }
  const state = `${provider.id}.${randomToken()}`;
  const nonce = randomToken();
  const codeVerifier = randomToken();
  const binding = randomToken();
  await c.var.ports.company(provider.companyId).putSsoLogin(
    state,
    { providerId: provider.id, nonce, codeVerifier, bindingHash: await sha256Base64Url(binding), returnTo, createdAtMs: nowMs, expiresAtMs: nowMs + SSO_LOGIN_TTL_SECONDS * 1000 },
    nowMs,
  );
  // Login CSRF: the callback is accepted only in the browser that started the login.
  setCookie(c, SSO_BINDING_COOKIE, binding, { path: "/", secure: true, httpOnly: true, sameSite: "Lax", maxAge: SSO_LOGIN_TTL_SECONDS });
  const redirect = authorizeUrl(provider, {
    authorizationEndpoint: metadata.authorizationEndpoint,
    redirectUri: ssoRedirectUri(c),
    state,
    nonce,
    codeChallenge: await sha256Base64Url(codeVerifier),
    loginHint: email,
  });
  return { ok: true, redirect };
}

export type CompleteResult =
  | { ok: true; next: NextStep; returnTo: string; challenge?: Challenge }
  | { ok: false; reason: WireReason };

const FAILED: CompleteResult = { ok: false, reason: "sso_failed" };
const UNAVAILABLE: CompleteResult = { ok: false, reason: "sso_unavailable" };

/** Reasons that mean the provider did not answer (in time): "try again shortly", not "refused". */
const NO_ANSWER = new Set(["discovery: unreachable", "token_endpoint_unreachable", "id_token_ERR_JWKS_TIMEOUT"]);

/** Handles the IdP's redirect back (`code`, `state`, or `error`). */
export async function completeSsoLogin(c: Context<AppEnv>, query: Record<string, string | undefined>): Promise<CompleteResult> {
  const { config, ports } = c.var;
  const nowMs = ports.now();
  const binding = getCookie(c, SSO_BINDING_COOKIE);
  deleteCookie(c, SSO_BINDING_COOKIE, { path: "/", secure: true });
  const match = STATE.exec(query.state ?? "");
  const provider = match ? config.sso.providers.find((p) => p.id === match[1]) : undefined;
  if (!match || !provider) return FAILED; // not ours: nothing to audit against
  const state = match[0];
  const pending = await ports.company(provider.companyId).takeSsoLogin(state, nowMs);
  const fail = async (reason: string, user?: UserRecord | null): Promise<CompleteResult> => {
    await audit(c, provider.companyId, "failure", `${provider.id}: ${reason}`, user);
    return NO_ANSWER.has(reason) ? UNAVAILABLE : FAILED;
  };
  if (!pending || pending.providerId !== provider.id) return fail("state unknown, used or expired");
  if (!binding || (await sha256Base64Url(binding)) !== pending.bindingHash) return fail("state not started in this browser");
  if (query.error) return fail(`idp error ${query.error.replace(/[^A-Za-z0-9_]/g, "").slice(0, 40)}`);
  // RFC 9207 (mix-up defence): when the IdP names itself in the response, it must be this one.
  if (query.iss !== undefined && query.iss !== provider.issuer) return fail("iss parameter mismatch");
  const code = query.code ?? "";
  if (!code || code.length > 2048) return fail("no code");

  let metadata;
  try {
    metadata = await providerMetadata(provider.issuer, nowMs, config.providerTimeoutMs);
  } catch (error) {
    return fail(`discovery: ${error instanceof DiscoveryError ? error.reason : "error"}`);
  }
  const tokens = await exchangeCode(provider, metadata.tokenEndpoint, code, pending.codeVerifier, ssoRedirectUri(c), config.providerTimeoutMs);
  if (!tokens.ok) return fail(tokens.reason);
  const verified = await verifyIdToken(tokens.idToken, providerKeys(metadata.jwksUri, config.providerTimeoutMs), {
    issuer: provider.issuer,
    clientId: provider.clientId,
    nonce: pending.nonce,
    emailVerifiedClaim: provider.emailVerifiedClaim,
    nowMs,
  });
  if (!verified.ok) return fail(verified.reason);
  const identity = verified.identity;
  const domain = identity.email.slice(identity.email.lastIndexOf("@") + 1);
  // An IdP speaks only for its own domains: company A's IdP cannot sign in company B's people.
  if (!provider.domains.includes(domain)) return fail(`email domain ${domain} not owned by this provider`);

  const userId = await ports.directory.findUserIdByEmail(identity.email);
  const user = userId ? await ports.directory.getUser(userId) : null;
  if (!user || user.email.toLowerCase() !== identity.email) return fail("no directory user for the IdP's email");
  if (user.companyId !== provider.companyId) return fail("directory user belongs to another company", user);
  if (!user.sso) return fail("directory user is not an SSO user", user);
  if (!user.active) return fail("inactive", user);
  const company = await ports.directory.getCompany(user.companyId);
  if (!company) return fail("company missing", user);

  const requirement = mfaRequirement({ role: user.role, active: user.active, sso: true, company, nowMs });
  // Payments roles keep Stepgate factors: their step-ups (entry, actions, idle) need them.
  const idpMfaAccepted = provider.acceptIdpMfa && !isPaymentsRole(user.role) && idpDidMfa(identity.amr);
  const idp = {
    providerId: provider.id,
    issuer: provider.issuer,
    subject: identity.subject.slice(0, 255),
    amr: identity.amr,
    ...(identity.acr !== undefined ? { acr: identity.acr } : {}),
    ...(identity.authTimeMs !== undefined ? { authTimeMs: identity.authTimeMs } : {}),
  };
  const result = await ports.account(user.id).signInWithSso({ mfaRequired: requirement.kind === "required", idpMfaAccepted, idp }, nowMs);
  if (!result.ok) return fail(result.reason, user);

  const previous = c.var.session;
  if (previous) await ports.account(previous.sub).endSession(previous.sid);
  await issueSession(c, result.session, user);
  const facts = `amr=[${identity.amr.join(" ")}]; acr=${identity.acr ?? "none"}; idp mfa ${idpMfaAccepted ? "accepted" : "not counted"}; next=${result.session.stage}`;
  await audit(c, provider.companyId, "success", `${provider.id}: ${facts}`, user);
  const answer: CompleteResult = { ok: true, next: result.session.stage, returnTo: pending.returnTo };
  if (result.challenge) answer.challenge = challengeToWire(result.challenge);
  return answer;
}

/** When `email`'s domain is an SSO domain: the started IdP login (before any password work). */
export async function ssoLoginFor(c: Context<AppEnv>, email: string, returnTo: string): Promise<StartResult | null> {
  const provider = ssoProviderForEmail(c.var.config.sso, email);
  return provider ? startSsoLogin(c, provider, email, returnTo) : null;
}
