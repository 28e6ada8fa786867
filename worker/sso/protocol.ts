/**
 * The relying-party side of the authorization code flow with PKCE (RFC 7636, S256): the
 * authorize URL and the code exchange at the token endpoint. Only the IdP's token endpoint ever
 * sees the client secret and the code verifier; neither is logged or put in a URL.
 */
import { encodeBase64Url } from "../config";
import type { SsoProvider } from "./config";

const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** 256 random bits, base64url (state, nonce, PKCE verifier, browser binding). */
export function randomToken(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function sha256Base64Url(text: string): Promise<string> {
  return encodeBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))));
}

export interface AuthorizeParams {
  authorizationEndpoint: string;
  redirectUri: string;
  state: string;
  nonce: string;
  codeChallenge: string;
  loginHint: string;
}

export function authorizeUrl(provider: SsoProvider, params: AuthorizeParams): string {
  const url = new URL(params.authorizationEndpoint);
  const query: Record<string, string> = {
    response_type: "code",
    client_id: provider.clientId,
    redirect_uri: params.redirectUri,
    scope: provider.scopes.join(" "),
    state: params.state,
    nonce: params.nonce,
    code_challenge: params.codeChallenge,
    code_challenge_method: "S256",
    login_hint: params.loginHint,
  };
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.toString();
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  const bytes = new TextEncoder().encode(`${encode(clientId)}:${encode(clientSecret)}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

export type TokenExchangeResult = { ok: true; idToken: string } | { ok: false; reason: string };

/**
 * Exchanges the authorization code for tokens; returns the ID token only. The whole answer must
 * arrive within `timeoutMs`, or the result is `token_endpoint_unreachable`.
 */
export async function exchangeCode(provider: SsoProvider, tokenEndpoint: string, code: string, codeVerifier: string, redirectUri: string, timeoutMs: number): Promise<TokenExchangeResult> {
  const body = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: codeVerifier });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  if (provider.tokenAuthMethod === "client_secret_basic") headers.authorization = basicCredentials(provider.clientId, provider.clientSecret);
  else {
    body.set("client_id", provider.clientId);
    body.set("client_secret", provider.clientSecret);
  }
  let response: Response;
  let text: string;
  try {
    response = await fetch(tokenEndpoint, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    text = await response.text(); // the signal also bounds the body
  } catch {
    return { ok: false, reason: "token_endpoint_unreachable" };
  }
  if (text.length > MAX_TOKEN_RESPONSE_BYTES) return { ok: false, reason: "token_response_too_large" };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: `token_status_${response.status}` };
  }
  if (response.status !== 200) {
    const error = typeof json.error === "string" ? json.error.replace(/[^a-z_]/g, "").slice(0, 40) : "unknown";
    return { ok: false, reason: `token_error_${error}` };
  }
  if (typeof json.id_token !== "string" || json.id_token.length === 0) return { ok: false, reason: "no_id_token" };
  return { ok: true, idToken: json.id_token };
}
