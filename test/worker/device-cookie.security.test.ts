/**
 * The device cookie (docs/decisions/0017-device-cookie.md): set by the gateway with the right
 * attributes on the sign-in page and on sign-in answers when the browser has none, random each
 * time, never re-set over a valid one, never a credential, and never forwarded to the origin.
 * The attribute string and the name are written here from the rule, not imported.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { GATEWAY, originHits } from "./helpers";
import { makeUser } from "./sms-helpers";
import { browser, completeFirstSignIn, DEVICE, forgedDeviceId, signInWith } from "./device-helpers";

const ATTRIBUTES = "Max-Age=34560000; Path=/; HttpOnly; Secure; SameSite=Lax"; // 400 days
const deviceCookies = (response: Response) => response.headers.getSetCookie().filter((cookie) => cookie.startsWith(`${DEVICE}=`));

describe("the device cookie", () => {
  it("the sign-in page sets it: __Host- name, 256 random bits, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain, 400 days", async () => {
    const values = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const response = await SELF.fetch(`${GATEWAY}/_stepgate/login`);
      expect(response.status).toBe(200);
      const [cookie, ...more] = deviceCookies(response);
      expect(more).toEqual([]);
      const match = new RegExp(`^${DEVICE}=([A-Za-z0-9_-]{43}); ${ATTRIBUTES}$`).exec(cookie ?? "");
      expect(match, cookie).not.toBeNull();
      values.add(match![1]!);
    }
    expect(values.size).toBe(3);
  });

  it("is not set again over a valid one, on the page or on sign-in answers", async () => {
    const device = forgedDeviceId();
    const page = await SELF.fetch(`${GATEWAY}/_stepgate/login`, { headers: { cookie: `${DEVICE}=${device}` } });
    expect(deviceCookies(page)).toEqual([]);
    const b = browser(device);
    expect(deviceCookies(await signInWith(b, "nobody@demo.test", "wrong-password"))).toEqual([]);
    expect(deviceCookies(await signInWith(b, "user@demo.test"))).toEqual([]);
    expect(b.device).toBe(device);
  });

  it("a sign-in answer sets it when absent, after the session cookie, on success and refusal alike; a refused request body sets nothing", async () => {
    const { email } = await makeUser("standard", "device-answer");
    const ok = await signInWith(browser(), email);
    expect(ok.status).toBe(200);
    const cookies = ok.headers.getSetCookie();
    expect(cookies.map((cookie) => cookie.split("=")[0])).toEqual(["__Host-stepgate", DEVICE]);
    expect(cookies[1]).toMatch(new RegExp(`^${DEVICE}=[A-Za-z0-9_-]{43}; ${ATTRIBUTES}$`));
    const refused = await signInWith(browser(), email, "wrong-password");
    expect(refused.status).toBe(401);
    expect(refused.headers.getSetCookie()).toEqual([expect.stringMatching(new RegExp(`^${DEVICE}=[A-Za-z0-9_-]{43}; ${ATTRIBUTES}$`))]);
    const bad = await SELF.fetch(`${GATEWAY}/_stepgate/api/session`, { method: "POST", headers: { "content-type": "application/json", origin: GATEWAY }, body: '{"email":"x"}' });
    expect(bad.status).toBe(400);
    expect(bad.headers.getSetCookie()).toEqual([]);
  });

  it("is never a credential: a known browser's device cookie without a session opens nothing", async () => {
    const { email } = await makeUser("standard", "device-not-credential");
    const owner = browser();
    await completeFirstSignIn(owner, email);
    const alone = await SELF.fetch(`${GATEWAY}/dc/alone`, { headers: { cookie: `${DEVICE}=${owner.device}`, accept: "application/json" } });
    expect(alone.status).toBe(401);
    expect(await originHits("/dc/alone")).toBe(0);
  });

  it("never reaches the origin, wherever it stands in the Cookie header", async () => {
    const { email } = await makeUser("standard", "device-origin");
    const owner = browser();
    await completeFirstSignIn(owner, email);
    const headers = [
      `${owner.cookie}; ${DEVICE}=${owner.device}`,
      `${DEVICE}=${owner.device}; ${owner.cookie}`,
      `app=1; ${DEVICE}=${owner.device}; ${owner.cookie}; other=2`,
      `${owner.cookie};${DEVICE}=${owner.device};app=1`,
    ];
    for (const [i, cookie] of headers.entries()) {
      const response = await SELF.fetch(`${GATEWAY}/dc/echo-${i}`, { headers: { cookie } });
      expect(response.status, cookie).toBe(200);
      const echo = (await response.json()) as { headers: Record<string, string> };
      expect(echo.headers.cookie ?? "", cookie).not.toContain(DEVICE);
      expect(echo.headers.cookie ?? "", cookie).not.toContain(owner.device!);
      expect(echo.headers.cookie ?? "", cookie).not.toContain("__Host-stepgate");
    }
  });
});
