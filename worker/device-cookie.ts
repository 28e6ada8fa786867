/**
 * The device cookie (docs/decisions/0017-device-cookie.md): a long-lived random value that tells
 * the password throttle which browser is asking, so a browser that has signed in before keeps its
 * own budget while strangers exhaust theirs. It is never a credential: it only selects a throttle
 * budget. The gateway sets it on the sign-in page and on sign-in answers when the browser has none;
 * the account object keeps only its keyed hash; it is never forwarded to the origin (proxy.ts).
 */
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { encodeBase64Url } from "./config";
import type { AppEnv } from "./env";
import { keyedHash } from "./lib/slowhash";

/**
 * Not `__Host-stepgate-…`: the hot path takes only a Cookie header naming the session cookie
 * (`__Host-stepgate`) once, so a name containing it would send every signed-in request the long way.
 */
export const DEVICE_COOKIE = "__Host-device-stepgate";
/** 400 days, the longest lifetime browsers keep a cookie. */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 60 * 60;
const DEVICE_ID_BYTES = 32;
/** base64url of DEVICE_ID_BYTES random bytes, nothing else. */
const DEVICE_ID = /^[A-Za-z0-9_-]{43}$/;

export interface Device {
  id: string;
  /** Minted for this request: the answer must set it (keepDevice). */
  fresh: boolean;
}

/** The browser's device id from its cookie, or a new random one; a malformed cookie counts as none. */
export function deviceOf(c: Context<AppEnv>): Device {
  const value = getCookie(c, DEVICE_COOKIE);
  if (value !== undefined && DEVICE_ID.test(value)) return { id: value, fresh: false };
  return { id: encodeBase64Url(crypto.getRandomValues(new Uint8Array(DEVICE_ID_BYTES))), fresh: true };
}

/** Sets the device cookie on the answer when it was minted for this request. */
export function keepDevice(c: Context<AppEnv>, device: Device): void {
  if (!device.fresh) return;
  setCookie(c, DEVICE_COOKIE, device.id, { path: "/", secure: true, httpOnly: true, sameSite: "Lax", maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS });
}

/** The keyed hash the account object stores and compares (HMAC-SHA-256 with the pepper). */
export function hashDevice(deviceId: string, pepper: Uint8Array): Promise<string> {
  return keyedHash(`stepgate-device-v1|${deviceId}`, pepper);
}
