/**
 * The hot path, decided before the router: a request outside the gateway's prefix, the payments
 * tool and the public paths, with a canonical path and a session cookie whose token this isolate
 * has already verified, that is fresh (no re-mint due) and at stage `done`. Such a request is
 * exactly one the full application (app.ts: `protect`) would forward as that session with no other
 * effect, so it is forwarded here without building the router's context. Anything else, including
 * every case that could answer differently (first sight of a token, re-mint, sign-out, another
 * stage, payments, HEAD, an unusual cookie header), returns null and the full application decides.
 */
import type { SessionClaims } from "../shared/claims";
import { toWire } from "./lib/errors";
import { verifiedSessionClaims } from "./lib/tokens";
import { isPublicPath, type Config } from "./config";
import type { Bindings } from "./env";
import { isPaymentsPath } from "./payments/guard";
import { foldedPathSpelling } from "./payments/path-spellings";
import { createPorts } from "./ports";
import { forwardRequest, isCanonicalPath, rawPathOf } from "./proxy";
import { SESSION_COOKIE } from "./session";

/** KV bindings whose demo seeding finished in this isolate (app.ts marks them). */
const seeded = new WeakSet<object>();

export function markDemoSeeded(kv: object): void {
  seeded.add(kv);
}

/** A run of session token characters (a compact JWS: base64url parts and dots), from lastIndex. */
const TOKEN_RUN = /[A-Za-z0-9_.-]*/y;

const COOKIE_PREFIX = `${SESSION_COOKIE}=`;

/**
 * The session cookie's value when the Cookie header holds it in the one plain form: the name
 * occurs once, at the start of a pair, and the value is token characters up to `;` or the end.
 * The cookie parser of the full application (hono/cookie) returns the same value for such a
 * header. Any other header (no cookie, a quoted or encoded value, the name twice) gives undefined.
 */
export function plainSessionCookie(header: string | null): string | undefined {
  if (header === null) return undefined;
  const at = header.indexOf(COOKIE_PREFIX);
  if (at < 0 || header.indexOf(SESSION_COOKIE, at + 1) >= 0) return undefined;
  // The pair starts at the header's start or after `;` and optional spaces or tabs.
  let before = at - 1;
  while (before >= 0 && (header.charCodeAt(before) === 0x20 || header.charCodeAt(before) === 0x09)) before--;
  if (before >= 0 && header.charCodeAt(before) !== 0x3b) return undefined;
  const start = at + COOKIE_PREFIX.length;
  TOKEN_RUN.lastIndex = start;
  TOKEN_RUN.test(header); // always matches (possibly empty): lastIndex is the end of the run
  const end = TOKEN_RUN.lastIndex;
  if (end === start || (end < header.length && header.charCodeAt(end) !== 0x3b)) return undefined;
  return header.slice(start, end);
}

/**
 * Lower-cased path stems the hot path declines, per configuration: the gateway's prefix (routed by
 * the application) and the payments prefix without its final "/" (a superset of `isPaymentsPath`,
 * which is case-insensitive too: /payments, /PAYMENTS/x and even /paymentsx go to the application).
 */
const declinedStems = new WeakMap<Config, [string, string]>();

function declinedStemsOf(config: Config): [string, string] {
  let stems = declinedStems.get(config);
  if (stems === undefined) {
    stems = [config.prefix.toLowerCase(), config.paymentsPrefix.toLowerCase().replace(/\/$/, "")];
    declinedStems.set(config, stems);
  }
  return stems;
}

/** A segment end some origins trim ("." or %20), or a non-ASCII byte: worth a closer look. */
const CLOSER_LOOK = /(?:\.|%20)(?:\/|$)|%[89a-f]|[^\x00-\x7f]/i;
const TRIMMABLE_SEGMENT_END = /(?:\.|%20)(?:\/|$)/i;

/** Forwards a hot-path request, or returns null for the full application to decide. */
export function hotPath(request: Request, env: Bindings, config: Config): Promise<Response> | null {
  let session: SessionClaims | undefined;
  let nowMs: number;
  try {
    if (request.method === "HEAD") return null;
    if (config.seedDemo && !seeded.has(env.KV)) return null;
    const path = rawPathOf(request.url);
    if (!isCanonicalPath(path)) return null;
    const lowerPath = path.toLowerCase();
    const [gatewayStem, paymentsStem] = declinedStemsOf(config);
    if (lowerPath.startsWith(gatewayStem) || lowerPath.startsWith(paymentsStem)) return null;
    // One scan for the plain path; the closer looks only when it finds something. A segment ending
    // in "." or %20 may be trimmed by the origin (pathForMatching): a multi-segment payments prefix
    // (/app/payments/) could then hide behind /app./payments/. A Unicode spelling may fold into the
    // payments tool (path-spellings.ts). Either way the application decides.
    if (CLOSER_LOOK.test(path)) {
      if (TRIMMABLE_SEGMENT_END.test(path)) return null;
      const folded = foldedPathSpelling(path);
      if (folded !== null && isPaymentsPath(config.paymentsPrefix, folded)) return null;
    }
    // And the payments tool's own rule, so that a change to it cannot leave a gap here.
    if (isPaymentsPath(config.paymentsPrefix, path)) return null;
    if (config.publicPaths.length > 0 && isPublicPath(config, path)) return null;
    const token = plainSessionCookie(request.headers.get("cookie"));
    if (token === undefined) return null;
    nowMs = createPorts(env).now();
    session = verifiedSessionClaims(token, nowMs);
    if (session === undefined || session.stg !== "done" || session.pay) return null;
    if (nowMs - session.iat * 1000 >= config.sessionRemintAfterSeconds * 1000) return null;
  } catch {
    return null; // nothing was sent: the full application meets the same error and answers it
  }
  return forwardRequest(request, config, session, nowMs).catch(failClosed);
}

/** As the application's error handler (app.ts `onError`): nothing forwarded or changed, 503. */
function failClosed(error: unknown): Response {
  console.error("stepgate: request failed closed", error instanceof Error ? error.name : "unknown");
  const { status, code, message } = toWire("storage_unavailable");
  return Response.json({ error: { code, message } }, { status });
}
