/**
 * The payments tool at the proxy: every request under PAYMENTS_PREFIX is decided by the account's
 * Durable Object (entry, idle, sensitive-action grant) before anything reaches the origin. Page
 * navigations get the challenge page; fetch/XHR get 401 with the JSON challenge.
 */
import type { Context } from "hono";
import type { SessionClaims } from "../../shared/claims";
import { GRANT_HEADER } from "../../shared/protocol";
import type { BoundAction } from "../domain/records";
import type { Config } from "../config";
import type { AppEnv } from "../env";
import { encodeBase64Url } from "../config";
import { apiError } from "../lib/errors";
import { challengeToWire } from "../flows";
import { challengeRequired, isNavigation } from "../challenge-response";
import { forwardToOrigin, rawPathOf } from "../proxy";
import { clearSession, issueSession, userFromClaims } from "../session";
import { matchAction, pathForMatching, summarizeAction } from "./actions";
import { actionMediaType, mediaTypeEssence } from "./media-type";
import { readBody } from "../lib/body";

/** Largest body a sensitive action may carry (it is hashed, and held for page forms). */
const MAX_ACTION_BODY_BYTES = 16 * 1024;

/**
 * Case-insensitive (many origin routers are: /PAYMENTS/ must not slip past the tool's rules), and
 * on the path as an origin that trims segment ends would see it (`/payments./`, `/payments%20/`).
 */
export function isPaymentsPath(prefix: string, path: string): boolean {
  const lower = pathForMatching(path).toLowerCase();
  const lowerPrefix = prefix.toLowerCase();
  return lower === lowerPrefix.replace(/\/$/, "") || lower.startsWith(lowerPrefix);
}

/** Why a body the gateway must read was not read: over its limit, or not arrived in time. */
type Unread = "payload_too_large" | "request_timeout";

async function sha256(bytes: Uint8Array): Promise<string> {
  return encodeBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

/** Largest urlencoded form inside the payments tool: it is read for a `_method` field. */
const MAX_FORM_BYTES = 64 * 1024;

/**
 * The method a POSTed form asks for in a `_method` field (Rails, Laravel and Symfony read it as
 * the real method). A form naming `_method` twice is ambiguous (gateway and origin may pick
 * different ones) and refused.
 */
async function formMethod(c: Context<AppEnv>): Promise<{ method?: string; body?: Uint8Array } | Unread | "ambiguous"> {
  if (c.req.method !== "POST" || mediaTypeEssence(c.req.header("content-type")) !== "application/x-www-form-urlencoded") return {};
  const read = await readBody(c.req.raw, MAX_FORM_BYTES, c.var.config.bodyReadTimeoutSeconds * 1000);
  if (!read.ok) return read.reason;
  const body = read.bytes;
  const asked = new URLSearchParams(new TextDecoder().decode(body)).getAll("_method");
  if (asked.length > 1) return "ambiguous";
  return asked[0] === undefined ? { body } : { method: asked[0].toUpperCase(), body };
}

/**
 * The declared action a request is, read as the origin reads a form's `_method`
 * (FORM_METHOD_OVERRIDE): as the method it asks for (first, then as the POST, which an honouring
 * origin never runs but which over-protects), as the POST alone, or, when the deployment has not
 * said, refused if the two readings are different actions: the person could approve one while
 * the origin runs the other.
 */
function matchFormAction(config: Config, method: string, asked: string | undefined, path: string): ReturnType<typeof matchAction> | "ambiguous" {
  const asSent = matchAction(config.sensitiveActions, method, path);
  if (asked === undefined || config.formMethodOverride === "none") return asSent;
  const asAsked = matchAction(config.sensitiveActions, asked, path);
  if (config.formMethodOverride === "_method") return asAsked ?? asSent;
  if (asAsked && asSent && asAsked.action !== asSent.action) return "ambiguous";
  return asAsked ?? asSent;
}

/** The sensitive action this request is, bound to its exact method, path and body; or none. */
async function describeAction(c: Context<AppEnv>): Promise<{ action?: BoundAction; body?: Uint8Array } | Unread | "ambiguous" | "unclear" | "unreadable"> {
  const url = new URL(c.req.url);
  const path = rawPathOf(c.req.url);
  const form = await formMethod(c);
  if (typeof form === "string") return form;
  const matched = matchFormAction(c.var.config, c.req.method, form.method, path);
  if (matched === "ambiguous") return matched;
  if (!matched) return form.body ? { body: form.body } : {};
  // Counted while it streams: a larger body is refused after MAX_ACTION_BODY_BYTES, not read whole.
  const read = await readBody(c.req.raw, MAX_ACTION_BODY_BYTES, c.var.config.bodyReadTimeoutSeconds * 1000);
  if (!read.ok) return read.reason;
  const body = read.bytes;
  // The approval holds the type the summary was read as; the origin is sent that type alone.
  const mediaType = actionMediaType(c.req.header("content-type"), c.req.header("content-encoding"), body.byteLength);
  if (mediaType === null) return "unreadable";
  // Bytes that are not UTF-8 decode differently in each reader: not summarised.
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    return "unreadable";
  }
  const summarized = summarizeAction(matched.action.summary, mediaType, text, matched.params, url.search);
  if (!summarized.ok) return summarized.reason;
  const action: BoundAction = { method: c.req.method, path: `${path}${url.search}`, mediaType, bodyHash: await sha256(body), summary: summarized.summary };
  // A page form cannot repeat itself with a header: hold it, to be sent on only through its grant.
  if (isNavigation(c) && c.req.method !== "GET") action.held = { contentType: mediaType, body: text };
  return { action, body };
}

/** Checks a request inside the payments tool and forwards it, or answers with a challenge. */
/** Headers and a query field some origin frameworks read as the "real" method. */
const METHOD_OVERRIDES = ["x-http-method-override", "x-http-method", "x-method-override"];

export async function guardPayments(c: Context<AppEnv>, session: SessionClaims): Promise<Response> {
  const { config, ports } = c.var;
  // The sensitive-action rules match the method the gateway sees; a request asking the origin to
  // use another one could reach an action without its grant, so it is refused inside the tool.
  if (METHOD_OVERRIDES.some((name) => c.req.header(name) !== undefined) || new URL(c.req.url).searchParams.has("_method")) {
    return apiError(c, "bad_request");
  }
  const described = await describeAction(c);
  if (described === "payload_too_large" || described === "request_timeout") return apiError(c, described);
  if (described === "ambiguous") return apiError(c, "bad_request");
  if (described === "unreadable") return apiError(c, "unreadable_action_body");
  if (described === "unclear") return apiError(c, "unclear_action_fields");
  const grantHeader = c.req.header(GRANT_HEADER);
  const grantId = grantHeader && /^[A-Za-z0-9_-]{16,64}$/.test(grantHeader) ? grantHeader : undefined;
  const decision = await ports
    .account(session.sub)
    .authorizePayments(session.sid, { ...(described.action ? { action: described.action } : {}), ...(grantId ? { grantId } : {}) }, ports.now());

  if (decision.kind === "no_session") {
    clearSession(c);
    return isNavigation(c) ? c.redirect(`${config.prefix}/login?next=${encodeURIComponent(config.paymentsPrefix)}`, 303) : apiError(c, "unauthenticated");
  }
  if (decision.kind === "challenge") {
    const challenge = challengeToWire(decision.challenge);
    if (isNavigation(c)) {
      const destination = c.req.method === "GET" ? `${rawPathOf(c.req.url)}${new URL(c.req.url).search}` : config.paymentsPrefix;
      return c.redirect(`${config.prefix}/verify?id=${challenge.id}&next=${encodeURIComponent(destination)}`, 303);
    }
    return challengeRequired(c, challenge);
  }
  // Mark the session as inside the payments tool, so leaving it can be noticed on the hot path.
  const current = session.pay ? session : await issueSession(c, decision.session, userFromClaims(session));
  return forwardToOrigin(c, current, {
    ...(described.body ? { body: described.body } : {}),
    ...(described.action ? { mediaType: described.action.mediaType } : {}),
    payAt: Math.floor(decision.verifiedAtMs / 1000),
    ...(decision.grantId ? { grant: decision.grantId } : {}),
  });
}

/** A page navigation outside the payments tool ends the visit: the next entry is challenged. */
export async function leavePaymentsIfInside(c: Context<AppEnv>, session: SessionClaims): Promise<SessionClaims> {
  if (!session.pay || !isNavigation(c)) return session;
  const { ports } = c.var;
  await ports.account(session.sub).leavePayments(session.sid);
  const { pay: _pay, ...rest } = session;
  const renewed = await ports.account(session.sub).touchSession(session.sid, ports.now());
  if (!renewed) {
    clearSession(c);
    return rest;
  }
  return issueSession(c, renewed, userFromClaims(rest as SessionClaims));
}
