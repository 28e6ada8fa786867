/**
 * Forwarding to the origin. A request reaches this only after the session checks allowed it.
 * The path must be canonical, the headers on the deny-list (forwarded-headers.ts) and the gateway's
 * cookies (session and device) are stripped, the origin gets its own short-lived assertion, and
 * redirects are not followed.
 */
import type { Context } from "hono";
import { ORIGIN_ASSERTION_HEADER, type SessionClaims } from "../shared/claims";
import type { AppEnv } from "./env";
import { DEVICE_COOKIE } from "./device-cookie";
import { HOP_BY_HOP, isDeniedRequestHeader } from "./forwarded-headers";
import { SESSION_COOKIE } from "./session";
import { signOriginToken } from "./lib/tokens";
import type { Config } from "./config";

/**
 * Hop-by-hop response headers that workerd's HTTP layer never writes to the client (it frames the
 * response itself). The others in HOP_BY_HOP (proxy-*) it would pass on, so the proxy removes them.
 */
const RESPONSE_FRAMING_HEADERS = new Set(["connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"]);
const RESPONSE_HEADERS_TO_REWRITE = [...HOP_BY_HOP.filter((name) => !RESPONSE_FRAMING_HEADERS.has(name)), "location"];

/** True when the origin's answer carries a header the proxy removes or rewrites. */
function needsHeaderRewrite(headers: Headers): boolean {
  for (const name of RESPONSE_HEADERS_TO_REWRITE) if (headers.has(name)) return true;
  return false;
}

const origins = new Map<string, string>();
/** The origin (scheme://host:port) of a URL, parsed once per isolate. */
function originOf(url: string): string {
  let origin = origins.get(url);
  if (origin === undefined) {
    origin = new URL(url).origin;
    origins.set(url, origin);
  }
  return origin;
}

/**
 * True when the raw path is canonical: no dot segments, no empty segments, no backslashes, no
 * encoded slash/backslash/dot/percent or control characters that the origin might decode
 * differently from the gateway.
 */
export function isCanonicalPath(rawPath: string): boolean {
  if (isPlainPath(rawPath)) return true;
  if (!rawPath.startsWith("/") || rawPath.includes("//") || rawPath.includes("\\")) return false;
  if (/%(2f|5c|2e|25|3b|[01][0-9a-f]|7f)/i.test(rawPath) || /[\x00-\x1f\x7f]/.test(rawPath)) return false;
  // `;` starts path parameters that some origins strip (/payments;x/ is /payments/ to Tomcat).
  if (rawPath.includes(";")) return false;
  // An encoded unreserved character (%70 for "p") has a canonical plain form; an origin decodes it
  // and would see a path the gateway did not match (e.g. /%70ayments/ for /payments/).
  for (const match of rawPath.matchAll(/%([0-9a-f]{2})/gi)) {
    if (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(parseInt(match[1] ?? "0", 16)))) return false;
  }
  for (const segment of rawPath.split("/")) if (segment === "." || segment === "..") return false;
  try {
    decodeURIComponent(rawPath);
  } catch {
    return false;
  }
  return true;
}

/**
 * The common case, decided in one scan: "/" then segments of unreserved characters only
 * (A-Z a-z 0-9 - . _ ~), none empty (a trailing "/" aside), none "." or "..". Such a path passes
 * every rule of `isCanonicalPath`; anything else is left to those rules. Exported for its tests:
 * the hot path relies on it covering ordinary paths.
 */
export function isPlainPath(path: string): boolean {
  if (path.charCodeAt(0) !== 0x2f) return false;
  let segmentStart = 1;
  for (let i = 1; i <= path.length; i++) {
    const code = i < path.length ? path.charCodeAt(i) : 0x2f;
    if (code === 0x2f) {
      const length = i - segmentStart;
      if (length === 0 && i < path.length) return false; // "//"
      if ((length === 1 || length === 2) && path.charCodeAt(segmentStart) === 0x2e && path.charCodeAt(i - 1) === 0x2e) return false; // "." or ".."
      segmentStart = i + 1;
    } else if (
      !(
        (code >= 0x61 && code <= 0x7a) || // a-z
        (code >= 0x41 && code <= 0x5a) || // A-Z
        (code >= 0x30 && code <= 0x39) || // 0-9
        code === 0x2d || // -
        code === 0x2e || // .
        code === 0x5f || // _
        code === 0x7e // ~
      )
    ) {
      return false;
    }
  }
  return true;
}

/** The raw path as sent, before any URL normalisation. */
export function rawPathOf(url: string): string {
  const afterScheme = url.indexOf("://");
  const pathStart = url.indexOf("/", afterScheme + 3);
  if (pathStart < 0) return "/";
  let end = url.indexOf("?", pathStart);
  const fragment = url.indexOf("#", pathStart);
  if (fragment >= 0 && (end < 0 || fragment < end)) end = fragment;
  return end < 0 ? url.slice(pathStart) : url.slice(pathStart, end);
}

/** The raw path and query as sent (what the origin is asked for). */
export function pathAndSearchOf(url: string): string {
  const queryAt = url.indexOf("?");
  return queryAt < 0 ? rawPathOf(url) : `${rawPathOf(url)}${url.slice(queryAt)}`;
}

const originTokens = new Map<string, { token: string; expMs: number }>();
const ORIGIN_TOKEN_CACHE_LIMIT = 2_000;
const ORIGIN_TOKEN_MIN_REMAINING_MS = 60_000;

function originTokenKey(session: SessionClaims, options: ForwardOptions): string {
  return `${session.sid}:${session.mfa_at ?? 0}:${session.stg}:${options.payAt ?? 0}`;
}

/** The cached origin assertion for this session while it has more than a minute left, else undefined. */
function cachedOriginToken(session: SessionClaims, nowMs: number, options: ForwardOptions): string | undefined {
  if (options.grant) return undefined; // a grant's assertion is for one request only
  const cached = originTokens.get(originTokenKey(session, options));
  return cached && cached.expMs - nowMs > ORIGIN_TOKEN_MIN_REMAINING_MS ? cached.token : undefined;
}

/** The origin assertion for this session, reused while it has more than a minute left. */
async function originTokenFor(session: SessionClaims, config: Config, nowMs: number, options: ForwardOptions): Promise<string> {
  const key = originTokenKey(session, options);
  const cached = cachedOriginToken(session, nowMs, options);
  if (cached !== undefined) return cached;
  const claims = {
    sub: session.sub,
    sid: session.sid,
    jti: crypto.randomUUID(),
    email: session.email,
    role: session.role,
    company: session.cid,
    amr: session.amr,
    auth_time: session.auth_time,
    ...(session.mfa_at === undefined ? {} : { mfa_at: session.mfa_at }),
    ...(options.payAt === undefined ? {} : { pay_at: options.payAt }),
    ...(options.grant === undefined ? {} : { grant: options.grant }),
  };
  const token = await signOriginToken(claims, config, nowMs);
  if (options.grant) return token; // one request only: never cached or reused
  if (originTokens.size >= ORIGIN_TOKEN_CACHE_LIMIT) {
    const oldest = originTokens.keys().next().value;
    if (oldest !== undefined) originTokens.delete(oldest);
  }
  originTokens.set(key, { token, expMs: nowMs + config.originTokenTtlSeconds * 1000 });
  return token;
}

const SESSION_PAIR = `${SESSION_COOKIE}=`;
const DEVICE_PAIR = `${DEVICE_COOKIE}=`;

/** The Cookie header without the gateway's own cookies (the session and the device cookie). */
function stripSessionCookie(cookieHeader: string): string {
  // The common case, the session cookie alone (one pair): nothing is left.
  if (cookieHeader.startsWith(SESSION_PAIR) && !cookieHeader.includes(";")) return "";
  return cookieHeader
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part && !part.startsWith(SESSION_PAIR) && !part.startsWith(DEVICE_PAIR))
    .join("; ");
}

/** What the payments tool adds to a forwarded request (docs/API.md, origin assertion). */
export interface ForwardOptions {
  /** Send this request instead of the incoming one (a held form, sent on through its grant). */
  request?: { method: string; pathAndSearch: string; contentType: string; body: string };
  /** The body already read from the incoming request (to hash it), sent on as is. */
  body?: Uint8Array;
  /**
   * A sensitive action's canonical media type: sent as the Content-Type ("" sends none) with no
   * Content-Encoding, so the origin reads the body as the approval's summary did.
   */
  mediaType?: string;
  /** Last payments verification (epoch s) and the grant id, added to the origin assertion. */
  payAt?: number;
  grant?: string;
}

/**
 * Forwards the request to the origin as `session` (null only for configured public paths), from
 * a route handler. Headers a handler already set on the context (a re-minted or cleared session
 * cookie, flagged by session.ts) are merged into the origin's answer.
 */
export async function forwardToOrigin(c: Context<AppEnv>, session: SessionClaims | null, options: ForwardOptions = {}): Promise<Response> {
  const response = await forwardRequest(c.req.raw, c.get("config"), session, c.get("ports").now(), options);
  if (!c.get("responseHeadersSet")) return response;
  // newResponse keeps headers already set on the context (a re-minted session cookie).
  return c.newResponse(response.body, response);
}

/**
 * Forwards `raw` to the origin as `session`. The request's path and query are taken from the raw
 * URL (never normalised), client headers are filtered in one pass, and the origin's answer is
 * returned with hop-by-hop headers removed and its own redirects pointed at the public URL.
 */
export async function forwardRequest(raw: Request, config: Config, session: SessionClaims | null, nowMs: number, options: ForwardOptions = {}): Promise<Response> {
  const url = raw.url;
  const pathAndSearch = options.request?.pathAndSearch ?? pathAndSearchOf(url);
  // ORIGIN_URL has no trailing slash (config.ts strips it); its path, if any, prefixes ours.
  const upstreamUrl = `${config.originUrl}${pathAndSearch}`;

  // One pass over the client's headers: drop hop-by-hop (also those named in Connection, RFC 9110
  // §7.6.1), every header on the deny-list (forwarded-headers.ts) and the cookies (put back below
  // without the gateway's session and device cookies); in allow-list mode, every header not listed.
  // One check per name.
  const incoming = raw.headers;
  const connection = incoming.get("connection");
  const listed = connection ? connection.split(",").map((name) => name.trim().toLowerCase()) : null;
  const allowList = config.allowedRequestHeaders;
  // A native copy, then the dropped names deleted (a pass over the names only: no values in JS).
  const headers = new Headers(incoming);
  for (const name of incoming.keys()) {
    const dropped = allowList === null ? name === "cookie" || isDeniedRequestHeader(name) : !allowList.names.has(name);
    if (dropped || listed?.includes(name)) headers.delete(name);
  }
  const cookieHeader = allowList === null || allowList.cookies ? incoming.get("cookie") : null;
  const host = incoming.get("host");
  const clientIp = incoming.get("cf-connecting-ip");
  const cookies = cookieHeader ? stripSessionCookie(cookieHeader) : "";
  if (cookies) headers.set("cookie", cookies);
  if (host) headers.set("x-forwarded-host", host);
  headers.set("x-forwarded-proto", url.startsWith("https:") ? "https" : "http");
  if (clientIp) headers.set("x-forwarded-for", clientIp);
  if (session) headers.set(ORIGIN_ASSERTION_HEADER, cachedOriginToken(session, nowMs, options) ?? (await originTokenFor(session, config, nowMs, options)));

  const method = options.request?.method ?? raw.method;
  let body: BodyInit | null = method === "GET" || method === "HEAD" ? null : (options.body ?? raw.body);
  if (options.request) {
    headers.delete("content-length");
    body = method === "GET" || method === "HEAD" ? null : options.request.body;
  }
  const mediaType = options.request?.contentType ?? options.mediaType;
  if (mediaType !== undefined) {
    if (mediaType) headers.set("content-type", mediaType);
    else headers.delete("content-type");
    headers.delete("content-encoding");
  }
  const upstream = await fetch(upstreamUrl, { method, headers, body, redirect: "manual" });
  // The origin's answer is sent on as it is unless a header must change: its own redirects, or a
  // hop-by-hop header that the runtime's HTTP layer would pass on (the connection-level ones,
  // RESPONSE_FRAMING_HEADERS, it always drops when it writes the response; the bench checks this on
  // the wire). The origin's headers are immutable, so a change means one copy.
  if (!needsHeaderRewrite(upstream.headers)) return upstream;
  const responseHeaders = new Headers(upstream.headers);
  for (const name of HOP_BY_HOP) responseHeaders.delete(name);
  const location = responseHeaders.get("location");
  if (location !== null) {
    const targetOrigin = originOf(config.originUrl);
    if (location.startsWith(targetOrigin)) responseHeaders.set("location", config.publicUrl + location.slice(targetOrigin.length));
  }
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers: responseHeaders });
}
