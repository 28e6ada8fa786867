/**
 * The proxy: only canonical paths, client identity headers stripped, redirects not followed, and
 * the origin never called for a refused request (counted by the origin stub).
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { client, enrolledUser, GATEWAY, originHits, signIn } from "./helpers";

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
