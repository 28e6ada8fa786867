/**
 * Which client request headers may reach the origin. The gateway decided on the request's real
 * path, method, host and sender; a header asking the origin to use another one (a path rewrite, a
 * method override, a forwarded host or scheme, an identity a front proxy would vouch for) could
 * make the origin act on something the gateway never checked. Such headers are dropped in every
 * mode; who reads each one is in docs/decisions/0012-forwarded-headers.md.
 */
import { ORIGIN_ASSERTION_HEADER } from "../shared/claims";
import { GRANT_HEADER } from "../shared/protocol";

/** Hop-by-hop headers (RFC 9110 §7.6.1): for one connection, never forwarded either way. */
export const HOP_BY_HOP = ["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "proxy-connection"];

/** Exact names (lower case) a client may not send to the origin. Grouped as in decision 0012. */
const DENIED_NAMES = [
  ...HOP_BY_HOP,
  // The gateway's own headers: set by the gateway, never by a client.
  ORIGIN_ASSERTION_HEADER.toLowerCase(),
  GRANT_HEADER.toLowerCase(),
  // Path and URL rewrites (the x-original-*, x-rewrite-*, x-forwarded-* families are prefixes below).
  "x-override-url",
  "x-matched-path",
  "x-now-route-matches",
  "x-middleware-subrequest",
  // Method overrides.
  "x-http-method-override",
  "x-http-method",
  "x-method-override",
  // Host and scheme claims.
  "forwarded",
  "x-host",
  "x-http-host-override",
  "front-end-https",
  "x-url-scheme",
  "x-scheme",
  // Client address claims.
  "x-real-ip",
  "true-client-ip",
  "x-client-ip",
  "client-ip",
  "x-cluster-client-ip",
  "fastly-client-ip",
  "x-proxyuser-ip",
  "x-originating-ip",
  "x-remote-ip",
  "x-remote-addr",
  "x-forwarded",
  "forwarded-for",
  "proxy-client-ip",
  "wl-proxy-client-ip",
  "x-appengine-user-ip",
  "x-azure-clientip",
  "x-azure-socketip",
  // Identities a front proxy would vouch for.
  "x-remote-user",
  "x-remote-email",
  "remote-user",
  "remote-email",
  "remote-groups",
  "remote-name",
  "x-user",
  "x-user-id",
  "x-auth-user",
  "x-webauth-user",
  "x-authenticated-user",
  "x-authenticated-userid",
  "x-credential-identifier",
  "x-client-cert",
  "x-client-verify",
  "x-client-dn",
];

const DENIED = new Set(DENIED_NAMES);

/**
 * Header families a client may not send: whole prefixes of proxy-set headers (a new member of a
 * family is denied without a code change). Anchored at the start; most names fail on their first
 * character, so this costs about what two `startsWith` calls did before.
 */
const DENIED_PREFIXES =
  /^(?:stepgate-|x-(?:stepgate-|forwarded-|original-|rewrite-|envoy-|amzn-|arr-|auth-request-|ms-client-principal|ms-token-|goog-authenticated-|goog-iap-|ssl-client-|invoke-|consumer-)|cf-access-)/;

/**
 * True when a client may never send `name` (lower case, as `Headers` iterates) to the origin, in
 * either mode. The gateway sets its own X-Forwarded-Host/-Proto/-For and Stepgate-Assertion after
 * removing the client's.
 */
export function isDeniedRequestHeader(name: string): boolean {
  return DENIED.has(name) || DENIED_PREFIXES.test(name);
}

/** Content headers that describe a forwarded body: part of the body, forwarded in either mode. */
export const BODY_HEADERS = ["content-type", "content-length", "content-encoding"];

/**
 * The allow-list mode (ALLOWED_REQUEST_HEADERS): only `names` reach the origin, plus the body
 * headers and what the gateway sets itself. Cookies are a separate flag because the session
 * cookie is always taken out of them first.
 */
export interface RequestHeaderAllowList {
  /** Names kept as they are (lower case), the body headers included; never "cookie". */
  names: ReadonlySet<string>;
  /** Whether the client's other cookies (the session cookie removed) reach the origin. */
  cookies: boolean;
}

/** RFC 9110 field-name: a token. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const MAX_ALLOWED_NAMES = 100;

/**
 * Parses ALLOWED_REQUEST_HEADERS (comma-separated names, any case). Empty: null, the default mode
 * (everything but the deny-list). A name on the deny-list is refused rather than silently dropped:
 * the operator asked for a header the gateway will never forward, and should know.
 */
export function parseAllowedRequestHeaders(raw: string, problems: string[]): RequestHeaderAllowList | null {
  const listed = raw.split(",").map((item) => item.trim().toLowerCase()).filter(Boolean);
  if (listed.length === 0) return null;
  const name = "ALLOWED_REQUEST_HEADERS";
  if (listed.length > MAX_ALLOWED_NAMES) problems.push(`${name} may list at most ${MAX_ALLOWED_NAMES} headers`);
  const names = new Set(BODY_HEADERS);
  let cookies = false;
  for (const header of listed) {
    if (!FIELD_NAME.test(header)) problems.push(`${name} entry ${JSON.stringify(header)} is not a header name`);
    else if (isDeniedRequestHeader(header)) problems.push(`${name} lists ${header}, which the gateway never forwards (docs/decisions/0012-forwarded-headers.md)`);
    else if (header === "cookie") cookies = true;
    else names.add(header);
  }
  return { names, cookies };
}
