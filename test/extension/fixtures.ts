// Shared fixtures for the extension's unit tests: gateways, challenges and a scripted fetch.
import type { Challenge } from "../../shared/protocol";
import type { Fetch } from "../../extension/lib/gateway-client";
import type { Gateway } from "../../extension/lib/gateways";

export const NOW = Date.UTC(2026, 10, 23, 12, 0, 10); // 10 s into a 30 s step
export const EXTENSION_ID = "emiiabilgjclnhgapgnbficagfjjgdlc";
export const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}`;
export const GATEWAY: Gateway = { origin: "https://app.example.com", prefix: "/_stepgate" };
export const OTHER: Gateway = { origin: "https://evil.example.net", prefix: "/_stepgate" };

export function challenge(overrides: Partial<Challenge> = {}): Challenge {
  return {
    id: "chal_0123456789abcdef",
    reason: "sensitive_action",
    action: { summary: "Submit disbursement of $12,400.00 to Acme Drywall", method: "POST", path: "/payments/disbursements/7/submit" },
    methods: ["totp", "recovery"],
    expiresAt: NOW + 5 * 60_000,
    ...overrides,
  };
}

export interface Call {
  url: string;
  init: RequestInit | undefined;
}

/** A fetch that answers by path suffix with JSON (status, body), recording every call. */
export function scriptedFetch(routes: Record<string, { status: number; body: unknown } | "network-error">) {
  const calls: Call[] = [];
  const fetch: Fetch = async (url, init) => {
    calls.push({ url, init });
    const path = new URL(url).pathname;
    const key = Object.keys(routes).find((suffix) => path.endsWith(suffix));
    const route = key ? routes[key] : { status: 404, body: { error: { code: "NOT_FOUND", message: "Not found" } } };
    if (!route || route === "network-error") throw new TypeError("Failed to fetch");
    return new Response(JSON.stringify(route.body), { status: route.status, headers: { "Content-Type": "application/json" } });
  };
  return { fetch, calls };
}
