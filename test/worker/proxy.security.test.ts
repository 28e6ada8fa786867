/**
 * The proxy: only canonical paths, client identity headers stripped, redirects not followed, and
 * the origin never called for a refused request (counted by the origin stub).
 */
import { createExecutionContext, env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { appFor } from "../../worker/app";
import { ConfigError, getConfig, parseConfig } from "../../worker/config";
import { addMember } from "./admin-helpers";
import { deniedHeaderLeaks, DENIED_HEADERS, METHOD_OVERRIDE_HEADERS } from "./denied-headers";
import { client, enrolledUser, GATEWAY, originHits, signIn, totpCode } from "./helpers";

describe("proxy", () => {
  it("refuses non-canonical paths before any other decision", async () => {
    const { client: c } = await signIn("user@demo.test");
    const paths = ["//evil.test/x", "/a%2fb", "/a%5cb", "/a%252e", "/a%00b", "/a/%2e%2e%2fpayments", "/%70ayments/disbursements", "/pay%6Dents/", "/payments;x=1/disbursements", "/a%3Bb", "/%41", "/payments%09/disbursements", "/%0apayments/", "/payments%7f/x"];
    for (const path of paths) {
      // SELF.fetch would normalise a URL object, so pass the raw string.
      const response = await SELF.fetch(`${GATEWAY}${path}`, { headers: { cookie: c.cookie!, accept: "application/json" } });
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NON_CANONICAL_PATH");
    }
    expect(await originHits("/payments")).toBe(0);
    expect(await originHits("/a/b")).toBe(0);
  });

  it("plain dot segments are resolved by the URL parser before the Worker: the origin gets exactly the path that was authorised", async () => {
    const { client: c } = await enrolledUser("user@demo.test");
    const response = await SELF.fetch(`${GATEWAY}/a/../dots/%2e/x`, { headers: { cookie: c.cookie! } });
    expect(((await response.json()) as { path: string }).path).toBe("/dots/x");
    const anonymous = await SELF.fetch(`${GATEWAY}/_stepgate/../dots/y`, { headers: { accept: "application/json" } });
    expect(anonymous.status).toBe(401);
    expect(await originHits("/dots/y")).toBe(0);
  });

  it("never calls the origin without a session or before MFA is complete", async () => {
    const anonymous = await client().fetch("/p/anon", { headers: { accept: "application/json" } });
    expect(anonymous.status).toBe(401);
    const navigation = await client().fetch("/p/nav?q=1", { headers: { "sec-fetch-mode": "navigate" } });
    expect(navigation.status).toBe(303);
    expect(navigation.headers.get("location")).toBe("/_stepgate/login?next=%2Fp%2Fnav%3Fq%3D1");
    const { client: preMfa } = await signIn("payor@demo.test");
    expect((await preMfa.fetch("/p/pre-mfa", { method: "POST", json: { amount: 1 } })).status).toBe(403);
    for (const path of ["/p/anon", "/p/nav", "/p/pre-mfa"]) expect(await originHits(path)).toBe(0);
  });

  it("answers an API call at the MFA step with the challenge protocol", async () => {
    await enrolledUser("admin@demo.test");
    const { client: c, body } = await signIn("admin@demo.test");
    const response = await c.fetch("/p/needs-mfa", { headers: { accept: "application/json" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(`Stepgate challenge="${body.challenge?.id}"`);
    const json = (await response.json()) as { error: { code: string }; challenge: { id: string; reason: string; methods: string[]; expiresAt: number } };
    expect(json.error.code).toBe("CHALLENGE_REQUIRED");
    expect(json.challenge).toMatchObject({ id: body.challenge?.id, reason: "login", methods: ["totp", "recovery"] });
    expect(await originHits("/p/needs-mfa")).toBe(0);
  });

  it("strips forged identity and forwarding headers and the session cookie", async () => {
    const { client: c } = await enrolledUser("payee@demo.test");
    const response = await c.fetch("/p/headers", {
      headers: {
        "stepgate-assertion": "forged",
        "stepgate-grant": "forged",
        "x-forwarded-user": "admin@demo.test",
        "x-forwarded-for": "10.0.0.1",
        "x-remote-user": "admin",
        "remote-user": "admin",
        forwarded: "for=10.0.0.1",
        "x-real-ip": "10.0.0.1",
        connection: "keep-alive, x-secret",
        "x-secret": "listed in Connection: hop-by-hop",
        cookie: `${c.cookie}; app=1`,
      },
    });
    const { headers } = (await response.json()) as { headers: Record<string, string> };
    expect(headers["stepgate-assertion"]).not.toBe("forged");
    expect(headers["stepgate-assertion"]?.split(".")).toHaveLength(3);
    for (const name of ["x-secret", "stepgate-grant", "x-forwarded-user", "x-remote-user", "remote-user", "forwarded", "x-real-ip"]) {
      expect(headers[name], name).toBeUndefined();
    }
    expect(headers["x-forwarded-for"]).not.toBe("10.0.0.1");
    expect(headers.cookie).toBe("app=1");
  });

  it("does not follow the origin's redirects and rewrites its own host to the gateway", async () => {
    const { client: c } = await enrolledUser("payor@demo.test");
    const response = await c.fetch("/redirect-me");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${GATEWAY}/elsewhere`);
    expect(await originHits("/elsewhere")).toBe(0);
  });
});

/** The origin stub's echo of what it received. */
type Echo = { method: string; path: string; headers: Record<string, string>; body: string };

/** A request decided by the full application (app.ts), never the hot path, with these bindings. */
async function viaApplication(bindings: Record<string, unknown>, path: string, init: RequestInit): Promise<Response> {
  return appFor(getConfig(bindings)).fetch(new Request(`${GATEWAY}${path}`, init), bindings, createExecutionContext());
}

const bindings = env as unknown as Record<string, unknown>;

let members = 0;
/** A fresh enrolled person (demo users are enrolled once per file, by the tests above). */
async function freshEnrolledUser() {
  const id = `headers-${++members}`;
  await addMember({ id, email: `${id}@demo.test` });
  return enrolledUser(`${id}@demo.test`);
}

describe("path-rewrite, override, forwarding and identity headers (decision 0012)", () => {
  it("none reaches the origin from the full application, outside the payments tool", async () => {
    const { client: c } = await freshEnrolledUser();
    const response = await viaApplication(bindings, "/dashboard/denied-headers", { method: "POST", headers: { ...DENIED_HEADERS, cookie: c.cookie!, "content-type": "application/json", "x-app": "kept" }, body: "{}" });
    expect(response.status).toBe(200);
    const echo = (await response.json()) as Echo;
    expect(echo.path).toBe("/dashboard/denied-headers");
    expect(deniedHeaderLeaks(echo.headers, DENIED_HEADERS)).toEqual([]);
    expect(echo.headers["stepgate-assertion"]?.split(".")).toHaveLength(3);
    expect(echo.headers["x-forwarded-proto"]).toBe("https");
    expect(echo.headers["x-app"]).toBe("kept"); // an ordinary header still passes: the list is not "drop all"
  });

  it("none reaches the origin inside the payments tool; a method override there is refused outright", async () => {
    const { client: c, secret } = await freshEnrolledUser();
    const entry = await c.fetch("/payments/", { headers: { accept: "application/json" } });
    const { challenge } = (await entry.json()) as { challenge: { id: string } };
    const verified = await c.fetch(`/_stepgate/api/challenges/${challenge.id}/verify`, { method: "POST", json: { method: "totp", code: await totpCode(secret, Date.now() + 30_000) } });
    expect(verified.status).toBe(200);
    const sent = Object.fromEntries(Object.entries(DENIED_HEADERS).filter(([name]) => !METHOD_OVERRIDE_HEADERS.includes(name)));
    const response = await c.fetch("/payments/denied-headers", { headers: { ...sent, accept: "application/json" } });
    expect(response.status).toBe(200);
    const echo = (await response.json()) as Echo;
    expect(echo.path).toBe("/payments/denied-headers");
    expect(deniedHeaderLeaks(echo.headers, sent)).toEqual([]);
    for (const name of METHOD_OVERRIDE_HEADERS) {
      const refused = await c.fetch(`/payments/denied-override-${name}`, { method: "POST", headers: { [name]: "DELETE", accept: "application/json", "content-type": "application/json" }, body: "{}" });
      expect(refused.status, name).toBe(400);
      expect(await originHits(`/payments/denied-override-${name}`), name).toBe(0);
    }
    expect(await originHits("/payments/denied-headers")).toBe(1);
  });
});

describe("allow-list mode (ALLOWED_REQUEST_HEADERS)", () => {
  const allowList = { ...bindings, ALLOWED_REQUEST_HEADERS: "Accept, X-App ,cookie" };

  it("forwards only the listed headers, the body's own headers and what the gateway sets", async () => {
    const { client: c } = await freshEnrolledUser();
    const response = await viaApplication(allowList, "/dashboard/allow-list", {
      method: "POST",
      headers: { ...DENIED_HEADERS, cookie: `${c.cookie}; app=1`, accept: "application/json", "x-app": "kept", "x-other": "dropped", "user-agent": "dropped", "content-type": "application/json" },
      body: '{"a":1}',
    });
    expect(response.status).toBe(200);
    const echo = (await response.json()) as Echo;
    expect(echo.body).toBe('{"a":1}');
    // Listed: accept, x-app, cookie (without the session cookie). Body: content-type, content-length.
    // Gateway: stepgate-assertion, x-forwarded-proto. Runtime (workerd's fetch): host, cf-worker.
    expect(Object.keys(echo.headers).sort()).toEqual(["accept", "cf-worker", "content-length", "content-type", "cookie", "host", "stepgate-assertion", "x-app", "x-forwarded-proto"]);
    expect(echo.headers).toMatchObject({ accept: "application/json", "x-app": "kept", cookie: "app=1", "content-type": "application/json", host: "origin.test" });
  });

  it("without cookie on the list, no cookie reaches the origin", async () => {
    const { client: c } = await freshEnrolledUser();
    const response = await viaApplication({ ...bindings, ALLOWED_REQUEST_HEADERS: "accept" }, "/dashboard/allow-list-no-cookie", { headers: { cookie: `${c.cookie}; app=1`, accept: "text/html" } });
    const echo = (await response.json()) as Echo;
    expect(echo.headers.cookie).toBeUndefined();
    expect(echo.headers.accept).toBe("text/html");
    expect(echo.headers["stepgate-assertion"]?.split(".")).toHaveLength(3);
  });

  it("refuses a configuration that lists a deny-listed header, naming every one, with the other problems", () => {
    let error: unknown;
    try {
      parseConfig({ ...bindings, ALLOWED_REQUEST_HEADERS: "accept, X-Original-URL, x-envoy-original-path, x-forwarded-host, stepgate-grant, not a name, Forwarded", PAYMENTS_IDLE_SECONDS: "1" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    for (const name of ["x-original-url", "x-envoy-original-path", "x-forwarded-host", "stepgate-grant", "forwarded"]) {
      expect(problems.some((problem) => problem.startsWith("ALLOWED_REQUEST_HEADERS") && problem.includes(` ${name},`)), name).toBe(true);
    }
    expect(problems.some((problem) => problem.includes('"not a name"'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith("PAYMENTS_IDLE_SECONDS"))).toBe(true);
    expect(problems.filter((problem) => problem.startsWith("ALLOWED_REQUEST_HEADERS"))).toHaveLength(6);
    // Listing nothing is the default mode; listing allowed names is a valid configuration.
    expect(parseConfig({ ...bindings, ALLOWED_REQUEST_HEADERS: " , " }).allowedRequestHeaders).toBeNull();
    expect(() => parseConfig({ ...bindings, ALLOWED_REQUEST_HEADERS: "accept, authorization, x-csrf-token" })).not.toThrow();
  });

  it("a misconfigured allow-list answers 500 MISCONFIGURED and forwards nothing", async () => {
    const worker = (await import("../../worker/index")).default;
    const response = await worker.fetch(new Request(`${GATEWAY}/dashboard/misconfigured`), { ...bindings, ALLOWED_REQUEST_HEADERS: "x-original-url" } as never, createExecutionContext());
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("MISCONFIGURED");
    expect(await originHits("/dashboard/misconfigured")).toBe(0);
  });
});
