/**
 * The payments tool's sensitive actions: matching a request to a declared action (method + path
 * pattern) and filling its human summary from the path and body. Pure.
 */

import { hasDuplicateKeys } from "../lib/strict-json";

export interface SensitiveAction {
  method: string;
  /** Path pattern with `:name` segments, e.g. /payments/disbursements/:id/submit */
  path: string;
  /** Summary template with `{name}` placeholders from path params or body fields. */
  summary: string;
}

/** The demo origin's sensitive actions (DESIGN.md "Demo data"); a deployment declares its own. */
export const DEFAULT_SENSITIVE_ACTIONS: SensitiveAction[] = [
  { method: "POST", path: "/payments/disbursements", summary: "Create a disbursement of {amount} to {payee}" },
  { method: "POST", path: "/payments/disbursements/:id/submit", summary: "Submit disbursement {id}" },
  { method: "POST", path: "/payments/bank-accounts", summary: "Add bank account {nickname}" },
  { method: "PUT", path: "/payments/bank-accounts/:id", summary: "Edit bank account {id}" },
  { method: "DELETE", path: "/payments/bank-accounts/:id", summary: "Deactivate bank account {id}" },
  { method: "POST", path: "/payments/bank-accounts/:id", summary: "Change bank account {id}" },
  { method: "GET", path: "/payments/agreements/:id", summary: "Review payments agreement {id}" },
  { method: "POST", path: "/payments/agreements/:id/accept", summary: "Accept payments agreement {id}" },
];

/**
 * The path as an origin that trims segment ends may see it: trailing dots and encoded spaces
 * (`%20`) at the end of each segment removed (IIS and some Windows stacks serve `/payments./x`
 * and `/payments%20/x` as `/payments/x`). Used only for deciding what the payments rules apply
 * to: matching more paths than the origin would is the safe side.
 */
export function pathForMatching(path: string): string {
  return path.replace(/(?:\.|%20)+(?=\/|$)/gi, "");
}

/** Returns the matched action and its path parameters, or null. */
export function matchAction(actions: SensitiveAction[], method: string, path: string) {
  const segments = pathForMatching(path).replace(/\/+$/, "").split("/");
  // Origins answer HEAD with their GET handler: a sensitive GET is sensitive as HEAD too.
  const wanted = method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase();
  for (const action of actions) {
    if (action.method !== wanted) continue;
    const pattern = action.path.replace(/\/+$/, "").split("/");
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? "";
      if (part.startsWith(":")) {
        if (!segment) return false;
        params[part.slice(1)] = decodeURIComponent(segment);
        return true;
      }
      return part.toLowerCase() === segment.toLowerCase(); // as case-insensitive origin routers do
    });
    if (matches) return { action, params };
  }
  return null;
}

/**
 * True when the body names a field twice. The summary could then show one value while the origin
 * acts on another (URLSearchParams keeps the first here, Object.fromEntries the last there), so such
 * a sensitive action is refused rather than summarised.
 */
export function hasDuplicateFields(contentType: string, body: string): boolean {
  if (/^application\/json/i.test(contentType)) {
    try {
      JSON.parse(body);
    } catch {
      return false; // not JSON: no fields are shown, and a JSON origin refuses it
    }
    return hasDuplicateKeys(body);
  }
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
    const seen = new Set<string>();
    for (const [key] of new URLSearchParams(body)) {
      if (seen.has(key)) return true;
      seen.add(key);
    }
  }
  return false;
}

const MAX_FIELD_CHARS = 80;
const PLACEHOLDER = /\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g;
/** Line breaks and tabs read as spaces; other control and invisible format characters (bidi overrides, zero-width) are made visible. */
const WHITESPACE_CONTROLS = /[\t\n\v\f\r\u2028\u2029]/g;
const HIDDEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;

function formatField(name: string, value: string): string {
  const cleaned = value.replace(WHITESPACE_CONTROLS, " ").replace(HIDDEN, "\uFFFD").trim();
  if (cleaned === "") return "(empty)";
  const chars = [...cleaned];
  // A long value is cut where the person can see it was cut, and by how much: nothing is hidden.
  const shown = chars.length > MAX_FIELD_CHARS ? `${chars.slice(0, MAX_FIELD_CHARS).join("")}… (+${chars.length - MAX_FIELD_CHARS} more characters)` : cleaned;
  if (name === "amount" && /^\d+(\.\d{1,2})?$/.test(shown)) {
    return `$${Number(shown).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  }
  return shown;
}

/** Fills `{name}` placeholders; a missing value shows as "(not given)" (summarizeAction refuses those first). */
export function renderSummary(template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    return value === undefined ? "(not given)" : formatField(name, value);
  });
}

export type ActionSummary = { ok: true; summary: string } | { ok: false; reason: "ambiguous" | "unclear" };

/** Every top-level field of the body with all its values, as parsed for `mediaType` (null: not an object). */
function topLevelFields(mediaType: string, body: string): Map<string, unknown[]> | null {
  const fields = new Map<string, unknown[]>();
  const add = (key: string, value: unknown) => fields.set(key, [...(fields.get(key) ?? []), value]);
  if (mediaType === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return null;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return null;
    for (const [key, value] of Object.entries(parsed)) add(key, value);
  } else if (mediaType === "application/x-www-form-urlencoded") {
    if (!isWellFormedForm(body)) return null;
    for (const [key, value] of new URLSearchParams(body)) add(key, value);
  }
  return fields;
}

/**
 * Every percent-escape is complete and decodes to UTF-8. URLSearchParams turns a bad escape into
 * U+FFFD while qs keeps it as typed (`Acme%FF`): the summary and the origin would differ.
 */
function isWellFormedForm(body: string): boolean {
  try {
    for (const part of body.split("&")) decodeURIComponent(part.replace(/\+/g, " "));
    return true;
  } catch {
    return false;
  }
}

/**
 * A field's name as nested-form parsers read it: `amount[]`, `amount[0]` and `amount.x` are all
 * `amount` to qs (Express, Rails-style forms) or Hono's `dot` option.
 */
function baseName(key: string): string {
  return key.split(/[[.]/, 1)[0] ?? key;
}

/**
 * The human summary of a sensitive action, or a refusal when the summary could show something
 * other than what the origin acts on: a field named twice anywhere in the body ("ambiguous"), or a
 * summarised field that is missing, not a scalar, also spelled in nested-form notation, also named
 * in the query string, or given in the body with another value than the path's ("unclear"). Pure.
 */
export function summarizeAction(template: string, mediaType: string, body: string, params: Record<string, string>, query = ""): ActionSummary {
  if (hasDuplicateFields(mediaType, body)) return { ok: false, reason: "ambiguous" };
  const fields = topLevelFields(mediaType, body);
  if (fields === null && mediaType === "application/x-www-form-urlencoded") return { ok: false, reason: "unclear" };
  // Frameworks that read the query and the body as one bag (Rails params, the Servlet API's
  // getParameter, PHP $_REQUEST) could act on a query value the summary never showed.
  const queryNames = new Set([...new URLSearchParams(query).keys()].map(baseName));
  const values: Record<string, string> = {};
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (name === undefined || name in values) continue;
    const given = fields?.get(name);
    const spelledNested = fields !== null && [...fields.keys()].some((key) => key !== name && baseName(key) === name);
    if (spelledNested || queryNames.has(name)) return { ok: false, reason: "unclear" };
    const param = params[name];
    if (param !== undefined) {
      if (given !== undefined && !given.every((value) => scalarText(value) === param)) return { ok: false, reason: "unclear" };
      values[name] = param;
      continue;
    }
    const text = given?.length === 1 ? scalarText(given[0]) : undefined;
    if (text === undefined) return { ok: false, reason: "unclear" };
    values[name] = text;
  }
  return { ok: true, summary: renderSummary(template, values) };
}

/** A JSON string, number or boolean (or a form value) as text; undefined for null, arrays and objects. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean") return String(value);
  return undefined;
}
