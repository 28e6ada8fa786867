/**
 * Boundary checks for the gateway's own endpoints: cross-site request refusal (CSRF) for every
 * state-changing call, and size-capped, schema-validated JSON bodies.
 */
import type { Context, MiddlewareHandler } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../env";
import { apiError } from "../lib/errors";
import { readBody } from "../lib/body";
import { hasDuplicateKeys } from "../lib/strict-json";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
export const MAX_JSON_BYTES = 16 * 1024;

/** True when the request's Origin is the gateway itself or a configured trusted origin. */
function originAllowed(c: Context<AppEnv>, origin: string): boolean {
  const { publicOrigin, trustedOrigins } = c.var.config;
  if (origin === publicOrigin || trustedOrigins.includes(origin)) return true;
  // Firefox gives every install its own moz-extension://<uuid>; a page can never send that Origin.
  return trustedOrigins.includes("moz-extension://*") && /^moz-extension:\/\/[0-9a-f-]{36}$/.test(origin);
}

/**
 * JSON API: a state-changing call must send `Content-Type: application/json` (a non-simple type a
 * cross-site form cannot send) and, when the browser names an Origin, it must be ours.
 */
export const jsonCsrfGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method)) return next();
  const origin = c.req.header("origin");
  if (origin !== undefined && !originAllowed(c, origin)) return apiError(c, "csrf");
  const site = c.req.header("sec-fetch-site");
  if (site === "cross-site" && !(origin && originAllowed(c, origin))) return apiError(c, "csrf");
  const hasBody = c.req.header("content-length") !== "0" && c.req.method !== "DELETE";
  const type = c.req.header("content-type") ?? "";
  if (hasBody && !/^application\/json(\s*;|$)/i.test(type)) return apiError(c, "unsupported_media_type");
  return next();
};

/** Page forms: browsers always send Origin on a form POST, so it must be present and ours. */
export const formCsrfGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method)) return next();
  const origin = c.req.header("origin");
  if (!origin || origin !== c.var.config.publicOrigin) return c.text("This form came from another site and was refused.", 403);
  // A form that cannot be read exactly (a duplicate field, over the size cap) is refused before
  // any handler acts on it; handlers read the same, cached body again.
  if ((await readForm(c)) === null) return c.text("This form could not be read and was refused.", 400);
  return next();
};

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

/**
 * The body of a gateway request as text, at most MAX_JSON_BYTES, counted while it streams and
 * within the configured deadline (worker/lib/body.ts); read once, shared by every reader.
 */
async function readText(c: Context<AppEnv>): Promise<{ ok: true; text: string } | { ok: false; reason: "payload_too_large" | "request_timeout" }> {
  const read = await readBody(c.req.raw, MAX_JSON_BYTES, c.var.config.bodyReadTimeoutSeconds * 1000);
  return read.ok ? { ok: true, text: new TextDecoder().decode(read.bytes) } : read;
}

/** Reads a JSON body of at most MAX_JSON_BYTES and validates it against `schema`. */
export async function readJson<S extends v.GenericSchema>(c: Context<AppEnv>, schema: S, emptyAs?: v.InferOutput<S>): Promise<Parsed<v.InferOutput<S>>> {
  const read = await readText(c);
  if (!read.ok) return { ok: false, response: apiError(c, read.reason) };
  const { text } = read;
  if (text === "" && emptyAs !== undefined) return { ok: true, value: emptyAs };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, response: apiError(c, "bad_request") };
  }
  if (hasDuplicateKeys(text)) return { ok: false, response: apiError(c, "bad_request") };
  // Every request body is a JSON object: `[]` would otherwise pass an object schema with no
  // required member (valibot's object schemas accept arrays).
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, response: apiError(c, "bad_request") };
  const parsed = v.safeParse(schema, body);
  if (!parsed.success) return { ok: false, response: apiError(c, "bad_request") };
  return { ok: true, value: parsed.output };
}

const NoInput = v.strictObject({});

/**
 * For a JSON route that takes no input: no body, or exactly `{}`. Anything else (junk, an array,
 * members) is a malformed request and changes nothing.
 */
export async function readNoInput(c: Context<AppEnv>): Promise<Parsed<Record<string, never>>> {
  return readJson(c, NoInput, {});
}

/** Reads an urlencoded form body of at most MAX_JSON_BYTES into plain strings. */
export async function readForm(c: Context<AppEnv>): Promise<Record<string, string> | null> {
  const read = await readText(c);
  if (!read.ok) return null;
  const form: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(read.text)) {
    if (key in form) return null; // duplicate fields are refused, not guessed at
    form[key] = value;
  }
  return form;
}
