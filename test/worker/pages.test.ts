/** The server-rendered pages: headers, the form flow, and re-sent forms landing on the current step. */
import { describe, expect, it } from "vitest";
import { client, enrolledUser, totpCode } from "./helpers";

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

describe("pages", () => {
  it("are served with a nonce CSP, no framing and no caching", async () => {
    const response = await client().fetch("/_stepgate/login?next=%2Fpayments%2F");
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'; style-src 'nonce-[A-Za-z0-9_-]+'; script-src 'nonce-/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000"); // PUBLIC_URL is https here
    const html = await response.text();
    expect(html).toContain('name="next" value="/payments/"');
    expect(html).toContain('autocomplete="current-password"');
  });

  it("walk sign-in -> enrollment -> recovery code with forms, and a re-sent form goes to the current step", async () => {
    const c = client();
    const login = await c.fetch("/_stepgate/login", form({ email: "payor@demo.test", password: "stepgate-demo-password", next: "/payments/" }));
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/_stepgate/enroll?next=%2Fpayments%2F");
    expect(await (await c.fetch("/_stepgate/enroll?next=%2Fpayments%2F")).text()).toContain("Two-Factor Authentication Required");
    const setup = await (await c.fetch("/_stepgate/enroll/totp", form({ next: "/payments/" }))).text();
    expect(setup).toContain("<svg");
    expect(setup).toContain("Keep your codes private");
    const key = /id="manual-key">([A-Z2-7 ]+)</.exec(setup)?.[1];
    if (!key) throw new Error("no manual key on the page");
    const confirmFields = { code: await totpCode(key.replace(/ /g, "")), next: "/payments/" };
    const recovery = await c.fetch("/_stepgate/enroll/totp/confirm", form(confirmFields));
    const recoveryHtml = await recovery.text();
    expect(recoveryHtml).toContain("I have securely saved this code");
    expect(recoveryHtml).toMatch(/data-code="\d{32}"/);
    expect(recoveryHtml).toContain('<meta name="stepgate-page" content="recovery-code-enrolled"/>'); // for the extension

    const resent = await c.fetch("/_stepgate/enroll/totp/confirm", form(confirmFields));
    expect(resent.status).toBe(303);
    expect(resent.headers.get("location")).toBe("/_stepgate/recovery-code?next=%2Fpayments%2F");

    const unticked = await c.fetch("/_stepgate/recovery-code/confirm", form({ next: "/payments/" }));
    expect(unticked.status).toBe(400);
    const done = await c.fetch("/_stepgate/recovery-code/confirm", form({ saved: "yes", next: "/payments/" }));
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/payments/");
    // Signed in; the payments tool itself asks for its own verification at entry.
    expect((await c.fetch("/reports")).status).toBe(200);
    expect((await c.fetch("/payments/", { headers: { accept: "application/json" } })).status).toBe(401);
  });

  it("a challenge form re-sent after the step was passed goes to the current step, not a dead end", async () => {
    const { recoveryCode } = await enrolledUser("user@demo.test");
    const c = client();
    await c.fetch("/_stepgate/login", form({ email: "user@demo.test", password: "stepgate-demo-password", next: "/" }));
    const page = await (await c.fetch("/_stepgate/challenge?method=recovery")).text();
    expect(page).toContain("How do you want to verify your identity?");
    expect(page).toContain("Use your authenticator app");
    const challenge = /name="challenge" value="([A-Za-z0-9_-]+)"/.exec(page)?.[1] ?? "";
    const fields = { challenge, method: "recovery", code: recoveryCode, next: "/" };
    expect(page).toContain('<meta name="stepgate-page" content="challenge"/>');
    const used = await c.fetch("/_stepgate/challenge", form(fields));
    const replaced = await used.text();
    expect(replaced).toContain("no longer works. Here is your new one.");
    expect(replaced).toContain('<meta name="stepgate-page" content="recovery-code-replaced"/>');
    const resent = await c.fetch("/_stepgate/challenge", form(fields));
    expect(resent.status).toBe(303);
    expect(resent.headers.get("location")).toBe("/_stepgate/recovery-code?next=%2F");
  });
});

describe("expired sign-in challenge", () => {
  it("sends the person back to sign in instead of a dead end", async () => {
    await enrolledUser("admin@demo.test");
    const c = client();
    await c.fetch("/_stepgate/login", form({ email: "admin@demo.test", password: "stepgate-demo-password", next: "/" }));
    const { accountStub, sessionClaimsOf } = await import("./helpers");
    const { sid } = sessionClaimsOf(c);
    const account = accountStub("demo-admin");
    for (const challenge of await account.listChallenges(sid, Date.now())) {
      await account.verifyChallenge(sid, challenge.id, "totp", "000000", challenge.expiresAtMs + 1); // expired: refused, unevaluated
    }
    const { runInDurableObject } = await import("cloudflare:test");
    await runInDurableObject(account, async (_instance, state) => {
      for (const [key] of [...state.storage.kv.list({ prefix: "challenge:" })]) state.storage.kv.delete(key);
    });
    const page = await c.fetch("/_stepgate/challenge");
    expect(page.status).toBe(401);
    expect(await page.text()).toContain("Sign in again");
    expect(c.cookie).toBeNull();
  });
});
