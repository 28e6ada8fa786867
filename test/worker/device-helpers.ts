/** Helpers for the device-cookie tests: a browser that keeps both gateway cookies, and device hashes. */
import { SELF, env } from "cloudflare:test";
import { getConfig } from "../../worker/config";
import { hashDevice } from "../../worker/device-cookie";
import { GATEWAY, PASSWORD, totpCode, type Client } from "./helpers";

/** The device cookie's name, written from the rule (not imported from the code under test). */
export const DEVICE = "__Host-device-stepgate";
export const SESSION = "__Host-stepgate";

export interface Browser extends Client {
  /** The device cookie's value, once the gateway set one (or a test forged one). */
  device: string | null;
  /** Forgets the session (a new visit from the same browser). */
  signOutLocally(): void;
}

/** A browser-like client: same-origin JSON calls, keeps the session and device cookies it is given. */
export function browser(device: string | null = null): Browser {
  const state: Browser = {
    cookie: null,
    device,
    signOutLocally() {
      state.cookie = null;
    },
    async fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      const jar = [state.cookie, state.device === null ? null : `${DEVICE}=${state.device}`].filter(Boolean).join("; ");
      if (jar && !headers.has("cookie")) headers.set("cookie", jar);
      if (!headers.has("origin")) headers.set("origin", GATEWAY);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(init.json);
      }
      const response = await SELF.fetch(`${GATEWAY}${path}`, { ...init, headers, body: body ?? null, redirect: "manual" });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair = ""] = cookie.split(";");
        const at = pair.indexOf("=");
        const name = pair.slice(0, at);
        const value = pair.slice(at + 1);
        if (name === SESSION) state.cookie = value ? `${SESSION}=${value}` : null;
        if (name === DEVICE) state.device = value || null;
      }
      return response;
    },
  };
  return state;
}

export const signInWith = (b: Browser, email: string, password = PASSWORD) => b.fetch("/_stepgate/api/session", { method: "POST", json: { email, password } });

/** Signs `b` in as `email` all the way (password, authenticator enrollment, recovery code saved). */
export async function completeFirstSignIn(b: Browser, email: string): Promise<{ secret: string }> {
  const first = await signInWith(b, email);
  const { next } = (await first.json()) as { next: string };
  if (next !== "enroll") throw new Error(`expected enrollment, got ${next}`);
  const start = (await (await b.fetch("/_stepgate/api/enroll/totp", { method: "POST", json: {} })).json()) as { secret: string };
  let confirm = await b.fetch("/_stepgate/api/enroll/totp/confirm", { method: "POST", json: { code: await totpCode(start.secret, Date.now() - 30_000) } });
  if (confirm.status === 401) confirm = await b.fetch("/_stepgate/api/enroll/totp/confirm", { method: "POST", json: { code: await totpCode(start.secret) } });
  if (confirm.status !== 200) throw new Error(`enrollment confirmation failed: ${confirm.status}`);
  const saved = await b.fetch("/_stepgate/api/recovery-code/confirm", { method: "POST", json: { saved: true } });
  if (saved.status !== 200) throw new Error(`saving the recovery code failed: ${saved.status}`);
  return { secret: start.secret };
}

/** The keyed hash the account object keeps for a device cookie value. */
export function deviceHashOf(deviceId: string): Promise<string> {
  return hashDevice(deviceId, getConfig(env as unknown as Record<string, unknown>).pepper);
}

/** A well-formed device cookie value nobody was given (32 random bytes, base64url). */
export function forgedDeviceId(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
