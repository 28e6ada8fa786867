// Single sign-on against a real OpenID Connect provider (oidc-provider on 127.0.0.1) and the real
// Worker (wrangler). The protocol cases follow the redirects themselves, keeping one cookie jar
// for the gateway and one for the IdP, like a browser would; each refusal case ends with no
// session. The last block walks it in Chromium from the gateway's sign-in page (pointer and
// keyboard alone), which the page's CSP (form-action 'self') has a say in. docs/decisions/0010-sso.md.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthenticator, nextCode, type Authenticator } from "./authenticator";
import type { Browser } from "playwright-core";
import { launchBrowser, pickFreePort, startStack, type Stack } from "./harness";
import { startIdp, type Idp, type IdpLogin } from "./idp.mjs";
import { click, fill, INPUT_MODES, type InputMode } from "./input";
import {
  answerChallenge,
  confirmRecoveryCodeSaved,
  enrollAuthenticatorApp,
  openPage,
  screenshots,
  submitPassword,
  waitForDemoPage,
  waitForHeading,
  watchForPageErrors,
} from "./steps";

const IVY = "ivy@sso.demo.test";
const IAN = "ian@sso.demo.test";
const CLIENT_SECRET_BINDING = "SSO_CLIENT_SECRET_DEMO_IDP";

/** A browser's cookies for one site. */
class Jar {
  readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const name = pair.slice(0, pair.indexOf("=")).trim();
      const value = pair.slice(pair.indexOf("=") + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split("=")[1] ?? "") < Date.now()));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

interface Setup {
  stack: Stack;
  idp: Idp;
}

async function setUp(options: { acceptIdpMfa?: boolean; idTokenTtlSeconds?: number; publishOtherKeys?: boolean; aliasPath?: string } = {}): Promise<Setup> {
  const port = await pickFreePort();
  const clientSecret = randomBytes(24).toString("base64url");
  const idp = await startIdp({
    redirectUri: `http://127.0.0.1:${port}/_stepgate/sso/callback`,
    clientSecret,
    idTokenTtlSeconds: options.idTokenTtlSeconds ?? 600,
    publishOtherKeys: options.publishOtherKeys ?? false,
    aliasPath: options.aliasPath ?? null,
  });
  for (const email of [IVY, IAN, "user@demo.test"]) idp.state.accounts.set(email, { email, email_verified: true, name: email });
  idp.state.accounts.set("unverified@sso.demo.test", { email: IVY, email_verified: false });
  const provider = {
    id: "demo-idp",
    issuer: `${idp.issuer}${options.aliasPath ?? ""}`,
    clientId: "stepgate",
    companyId: "demo-sso",
    domains: ["sso.demo.test"],
    acceptIdpMfa: options.acceptIdpMfa ?? true,
  };
  const stack = await startStack({ port, vars: { SSO_PROVIDERS: JSON.stringify([provider]) }, secrets: { [CLIENT_SECRET_BINDING]: clientSecret } });
  return { stack, idp };
}

async function gateway(setup: Setup, jar: Jar, path: string, init: { method?: string; json?: unknown } = {}): Promise<Response> {
  const headers: Record<string, string> = { origin: setup.stack.gatewayUrl, accept: "application/json" };
  if (jar.cookies.size) headers.cookie = jar.header();
  if (init.json !== undefined) headers["content-type"] = "application/json";
  const url = path.startsWith("http") ? path : `${setup.stack.gatewayUrl}${path}`;
  const response = await fetch(url, { method: init.method ?? "GET", headers, body: init.json === undefined ? null : JSON.stringify(init.json), redirect: "manual" });
  jar.take(response);
  return response;
}

/** Asks the gateway to sign in `email`; returns the IdP authorize URL it sends the browser to. */
async function startSignIn(setup: Setup, jar: Jar, email: string): Promise<URL> {
  const response = await gateway(setup, jar, "/_stepgate/api/session", { method: "POST", json: { email, password: "never-looked-at" } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { next: string; redirect: string };
  expect(body.next).toBe("sso");
  return new URL(body.redirect);
}

/** Walks the IdP (login as `login`, consent) and returns the callback URL it sends back. */
async function loginAtIdp(setup: Setup, authorize: URL, login: IdpLogin): Promise<URL> {
  setup.idp.state.nextLogin = login;
  const jar = new Jar();
  let url = authorize;
  for (let hop = 0; hop < 12; hop++) {
    const response = await fetch(url, { headers: jar.cookies.size ? { cookie: jar.header() } : {}, redirect: "manual" });
    jar.take(response);
    const location = response.headers.get("location");
    if (response.status < 300 || response.status > 399 || !location) throw new Error(`IdP answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    url = new URL(location, url);
    if (url.href.startsWith(`${setup.stack.gatewayUrl}/_stepgate/sso/callback`)) return url;
  }
  throw new Error("too many redirects at the IdP");
}

async function expectRefused(setup: Setup, jar: Jar, callback: URL): Promise<void> {
  const response = await gateway(setup, jar, callback.href);
  expect(response.status).toBe(401);
  expect(await response.text()).toContain("Single sign-on did not complete");
  expect(jar.cookies.has("__Host-stepgate")).toBe(false);
  expect((await gateway(setup, jar, "/_stepgate/api/me")).status).toBe(401);
}

async function me(setup: Setup, jar: Jar) {
  return (await (await gateway(setup, jar, "/_stepgate/api/me")).json()) as { user: { email: string }; stage: string; amr: string[] };
}

describe("SSO against a real OpenID provider", () => {
  let setup: Setup;
  let app: Authenticator;
  beforeAll(async () => {
    setup = await setUp({ idTokenTtlSeconds: 60 });
  });
  afterAll(async () => {
    await setup?.stack.close();
    await setup?.idp.close();
  });

  it("a full sign-in: code flow with PKCE, state and nonce; then Stepgate enrollment, as the company requires MFA", async () => {
    const jar = new Jar();
    const authorize = await startSignIn(setup, jar, IVY);
    expect(authorize.origin).toBe(setup.idp.issuer);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "stepgate",
      redirect_uri: `${setup.stack.gatewayUrl}/_stepgate/sso/callback`,
      scope: "openid email profile",
      code_challenge_method: "S256",
      login_hint: IVY,
    });
    for (const param of ["state", "nonce", "code_challenge"]) expect(authorize.searchParams.get(param)).toMatch(/^[A-Za-z0-9._-]{43,}$/);
    expect(jar.cookies.has("__Host-stepgate-sso")).toBe(true);

    const callback = await loginAtIdp(setup, authorize, { accountId: IVY, amr: ["pwd"], acr: "urn:test:loa:1" });
    expect(callback.searchParams.get("code")).toBeTruthy();
    const landed = await gateway(setup, jar, callback.href);
    expect(landed.status).toBe(303);
    expect(landed.headers.get("location")).toBe("/_stepgate/enroll?next=%2F");
    expect(jar.cookies.has("__Host-stepgate-sso")).toBe(false);
    expect(await me(setup, jar)).toMatchObject({ user: { email: IVY }, stage: "enroll", amr: ["sso"] });

    const started = (await (await gateway(setup, jar, "/_stepgate/api/enroll/totp", { method: "POST", json: {} })).json()) as { secret: string };
    app = createAuthenticator(started.secret);
    const confirmed = await gateway(setup, jar, "/_stepgate/api/enroll/totp/confirm", { method: "POST", json: { code: await nextCode(app) } });
    expect(confirmed.status).toBe(200);
    expect((await gateway(setup, jar, "/_stepgate/api/recovery-code/confirm", { method: "POST", json: { saved: true } })).status).toBe(200);
    expect(await me(setup, jar)).toMatchObject({ stage: "done", amr: ["sso", "otp"] });
    const origin = await gateway(setup, jar, "/whoami");
    expect(origin.status).toBe(200);
    expect(await origin.text()).toContain(IVY);
  });

  it("without MFA at the IdP, the enrolled SSO user answers the Stepgate challenge", async () => {
    const jar = new Jar();
    const callback = await loginAtIdp(setup, await startSignIn(setup, jar, IVY), { accountId: IVY, amr: ["pwd"] });
    const landed = await gateway(setup, jar, callback.href);
    expect(landed.headers.get("location")).toBe("/_stepgate/challenge?next=%2F");
    const { challenges } = (await (await gateway(setup, jar, "/_stepgate/api/challenges")).json()) as { challenges: Array<{ id: string }> };
    const verified = await gateway(setup, jar, `/_stepgate/api/challenges/${challenges[0]!.id}/verify`, { method: "POST", json: { method: "totp", code: await nextCode(app) } });
    expect(await verified.json()).toEqual({ next: "done" });
    expect(await me(setup, jar)).toMatchObject({ stage: "done", amr: ["sso", "otp"] });
  });

  it("the deployment accepts the IdP's MFA (amr mfa): no Stepgate code is asked", async () => {
    const jar = new Jar();
    const callback = await loginAtIdp(setup, await startSignIn(setup, jar, IVY), { accountId: IVY, amr: ["pwd", "mfa"] });
    const landed = await gateway(setup, jar, callback.href);
    expect(landed.headers.get("location")).toBe("/");
    expect(await me(setup, jar)).toMatchObject({ stage: "done", amr: ["sso", "mfa"] });
  });

  it("refuses an ID token carrying another nonce (the authorize request was altered)", async () => {
    const jar = new Jar();
    const authorize = await startSignIn(setup, jar, IVY);
    authorize.searchParams.set("nonce", randomBytes(32).toString("base64url"));
    await expectRefused(setup, jar, await loginAtIdp(setup, authorize, { accountId: IVY, amr: ["pwd", "mfa"] }));
  });

  it("refuses a tampered state, and a state used twice", async () => {
    const jar = new Jar();
    const callback = await loginAtIdp(setup, await startSignIn(setup, jar, IVY), { accountId: IVY, amr: ["pwd", "mfa"] });
    const state = callback.searchParams.get("state")!;
    const tampered = new URL(callback);
    tampered.searchParams.set("state", state.slice(0, -1) + (state.endsWith("A") ? "B" : "A"));
    const bindingCookie = jar.cookies.get("__Host-stepgate-sso")!;
    await expectRefused(setup, jar, tampered);
    // The untouched state still works once (the cookie is put back: the refusal cleared it)...
    jar.cookies.set("__Host-stepgate-sso", bindingCookie);
    expect((await gateway(setup, jar, callback.href)).status).toBe(303);
    // ...and never again.
    const replay = new Jar();
    replay.cookies.set("__Host-stepgate-sso", bindingCookie);
    await expectRefused(setup, replay, callback);
  });

  it("refuses a callback in a browser that did not start the login (login CSRF)", async () => {
    const callback = await loginAtIdp(setup, await startSignIn(setup, new Jar(), IVY), { accountId: IVY, amr: ["pwd", "mfa"] });
    await expectRefused(setup, new Jar(), callback);
  });

  it("refuses an email the IdP has not verified, and an email outside the IdP's domains", async () => {
    const jar = new Jar();
    await expectRefused(setup, jar, await loginAtIdp(setup, await startSignIn(setup, jar, IVY), { accountId: "unverified@sso.demo.test", amr: ["pwd", "mfa"] }));
    await expectRefused(setup, jar, await loginAtIdp(setup, await startSignIn(setup, jar, IVY), { accountId: "user@demo.test", amr: ["pwd", "mfa"] }));
  });

  it("the audit log has the IdP's amr/acr and each refusal's reason; an admin may reset the SSO user's Stepgate MFA", async () => {
    const jar = new Jar();
    const callback = await loginAtIdp(setup, await startSignIn(setup, jar, IAN), { accountId: IAN, amr: ["pwd", "hwk"], acr: "urn:test:loa:2" });
    expect((await gateway(setup, jar, callback.href)).headers.get("location")).toBe("/");
    const audit = (await (await gateway(setup, jar, "/_stepgate/api/admin/audit?event=sign_in_sso&limit=100")).json()) as { entries: Array<{ outcome: string; reason: string }> };
    const reasons = audit.entries.map((entry) => `${entry.outcome}: ${entry.reason}`);
    expect(reasons).toContain("success: demo-idp: amr=[pwd hwk]; acr=urn:test:loa:2; idp mfa accepted; next=done");
    expect(reasons).toContain("success: demo-idp: amr=[pwd]; acr=urn:test:loa:1; idp mfa not counted; next=enroll");
    expect(reasons).toEqual(expect.arrayContaining([
      "failure: demo-idp: nonce_mismatch",
      "failure: demo-idp: state unknown, used or expired",
      "failure: demo-idp: state not started in this browser",
      "failure: demo-idp: email_unverified",
      "failure: demo-idp: email domain demo.test not owned by this provider",
    ]));
    expect(JSON.stringify(audit)).not.toMatch(/eyJ|code=|client_secret/);

    const reset = await gateway(setup, jar, "/_stepgate/api/admin/reset-mfa", { method: "POST", json: { email: IVY, verified: true } });
    expect(reset.status).toBe(200);
    // Now Ivy has no Stepgate factor: the IdP's MFA is all there is, which Stepgate cannot reset.
    const again = await gateway(setup, jar, "/_stepgate/api/admin/reset-mfa", { method: "POST", json: { email: IVY, verified: true } });
    expect(again.status).toBe(403);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("SSO_USER");
  });

  // Last in this stack: the development clock only moves forward.
  it("refuses an expired ID token", async () => {
    const jar = new Jar();
    const callback = await loginAtIdp(setup, await startSignIn(setup, jar, IVY), { accountId: IVY, amr: ["pwd", "mfa"] });
    // The IdP's tokens live 60 s; the gateway's clock moves 120 s on (the pending login lives 10 min).
    const moved = await gateway(setup, jar, "/_stepgate/dev/clock", { method: "POST", json: { advanceSeconds: 120 } });
    expect(moved.status).toBe(200);
    await expectRefused(setup, jar, callback);
  });
});

describe("SSO against a provider that misbehaves", () => {
  it("refuses an ID token from another issuer than the configured one", async () => {
    // The gateway trusts issuer <idp>/alias (its discovery document says so); the IdP signs as <idp>.
    const setup = await setUp({ aliasPath: "/alias" });
    try {
      const jar = new Jar();
      const callback = await loginAtIdp(setup, await startSignIn(setup, jar, IVY), { accountId: IVY, amr: ["pwd", "mfa"] });
      expect(callback.searchParams.get("iss")).toBe(setup.idp.issuer);
      const bindingCookie = jar.cookies.get("__Host-stepgate-sso")!;
      await expectRefused(setup, jar, callback); // RFC 9207 iss parameter
      const withoutIss = await loginAtIdp(setup, await startSignIn(setup, jar, IVY), { accountId: IVY, amr: ["pwd", "mfa"] });
      withoutIss.searchParams.delete("iss");
      expect(bindingCookie).not.toBe(jar.cookies.get("__Host-stepgate-sso"));
      await expectRefused(setup, jar, withoutIss); // the ID token's iss
    } finally {
      await setup.stack.close();
      await setup.idp.close();
    }
  });

  it("refuses an ID token signed by a key other than the published one", async () => {
    const setup = await setUp({ publishOtherKeys: true });
    try {
      const jar = new Jar();
      await expectRefused(setup, jar, await loginAtIdp(setup, await startSignIn(setup, jar, IVY), { accountId: IVY, amr: ["pwd", "mfa"] }));
    } finally {
      await setup.stack.close();
      await setup.idp.close();
    }
  });
});

describe.each(INPUT_MODES)("SSO in a browser (%s)", (mode: InputMode) => {
  let setup: Setup;
  let browser: Browser;
  beforeAll(async () => {
    setup = await setUp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await setup?.stack.close();
    await setup?.idp.close();
  });

  it("signs in at the identity provider from the gateway's sign-in page, enrolls in Stepgate, and signs in again", async () => {
    const shot = screenshots(`${mode}/sso-sign-in`);
    const context = await browser.newContext();
    let app: Authenticator;
    try {
      const page = await openPage(context, mode);
      const problems = watchForPageErrors(page);
      setup.idp.state.nextLogin = { accountId: IVY, amr: ["pwd"] };
      await page.goto(`${setup.stack.gatewayUrl}/reports`);
      await waitForHeading(page, "Sign in");
      await fill(page.locator("#email"), IVY); // no password: it is the IdP's business
      await shot(page, "sign-in-sso-email");
      await click(page.getByRole("button", { name: "Continue" }));
      // On to the IdP at once (it logs Ivy in, scripted) and back; Stepgate asks for its own factor.
      ({ app } = await enrollAuthenticatorApp(page, shot));
      await confirmRecoveryCodeSaved(page);
      await waitForDemoPage(page, IVY);
      expect(new URL(page.url()).pathname).toBe("/reports");
      await shot(page, "landed");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }

    // Again, stopping on the hand-off page: its script's navigation to the IdP is cancelled once
    // (as a person pressing Esc would), and the person follows its link.
    const again = await browser.newContext();
    try {
      const page = await openPage(again, mode);
      const problems = watchForPageErrors(page);
      setup.idp.state.nextLogin = { accountId: IVY, amr: ["pwd"] };
      const idpUrls = `${setup.idp.issuer}/**`;
      await page.route(idpUrls, (route) => route.abort("aborted"), { times: 1 });
      await page.goto(`${setup.stack.gatewayUrl}/`);
      await submitPassword(page, IVY, shot);
      await waitForHeading(page, "Continue to your company's sign-in page");
      const link = page.getByRole("link", { name: "Continue" });
      expect(await link.getAttribute("href")).toMatch(new RegExp(`^${setup.idp.issuer}/`));
      await shot(page, "sso-continue");
      await page.unroute(idpUrls);
      await click(link);
      await answerChallenge(page, "authenticator", await nextCode(app), shot, "stepgate-code");
      await waitForDemoPage(page, IVY);
      await shot(page, "signed-in-again");
      expect(problems).toEqual([]);
    } finally {
      await again.close();
    }
  });
});
