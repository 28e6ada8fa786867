/**
 * A watched gateway: its origin and the prefix its own paths live under. Parsing accepts only
 * what a person can safely point the extension at: https, or http on loopback for development.
 */
export interface Gateway {
  /** e.g. "https://app.example.com" — no path, no trailing slash. */
  origin: string;
  /** The gateway's reserved path prefix, e.g. "/_stepgate". */
  prefix: string;
}

export const DEFAULT_PREFIX = "/_stepgate";
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The gateway a person typed ("app.example.com", "https://app.example.com/_stepgate/login"), or
 * null. A path that starts with a prefix-looking segment is taken as the prefix.
 */
export function parseGatewayInput(input: string): Gateway | null {
  const trimmed = input.trim();
  if (!trimmed || trimmed.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  const secure = url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
  if (!secure) return null;
  const first = url.pathname.split("/")[1] ?? "";
  const prefix = /^_[a-z0-9_-]+$/i.test(first) ? `/${first}` : DEFAULT_PREFIX;
  return { origin: url.origin, prefix };
}

/** The match pattern that grants access to exactly this gateway's host (ports are not part of patterns). */
export function hostPatternFor(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

/** The URL of a gateway-owned path, e.g. apiUrl(g, "/api/challenges"). */
export function gatewayUrl(gateway: Gateway, path: string): string {
  return `${gateway.origin}${gateway.prefix}${path}`;
}

/**
 * The origin of `url` ("scheme://host[:port]"), or null when it has no host. Built by hand because
 * URL.origin is "null" for extension schemes in some runtimes.
 */
export function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : null;
  } catch {
    return null;
  }
}

/** "app.example.com" (with the port when there is one): how a site is shown to a person. */
export function siteLabel(origin: string): string {
  return new URL(origin).host;
}
