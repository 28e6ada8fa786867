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

/** Fields of a JSON object or urlencoded body, as strings (nested values are ignored). */
export function bodyFields(contentType: string, body: string): Record<string, string> {
  const fields: Record<string, string> = {};
  try {
    if (/^application\/json/i.test(contentType)) {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
        for (const [key, value] of Object.entries(parsed)) {
          if (typeof value === "string" || typeof value === "number") fields[key] = String(value);
        }
      }
    } else if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
      for (const [key, value] of new URLSearchParams(body)) fields[key] ??= value;
    }
  } catch {
    // An unparseable body fills no placeholders; the action is still bound to its exact bytes.
  }
  return fields;
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

function formatField(name: string, value: string): string {
  const trimmed = value.replace(/[\u0000-\u001f\u007f]/g, " ").trim().slice(0, MAX_FIELD_CHARS);
  if (name === "amount" && /^\d+(\.\d{1,2})?$/.test(trimmed)) {
    return `$${Number(trimmed).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  }
  return trimmed;
}

/** Fills `{name}` placeholders; a missing value shows as "(not given)" rather than guessing. */
export function renderSummary(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (_, name: string) => {
    const value = values[name];
    return value ? formatField(name, value) : "(not given)";
  });
}
