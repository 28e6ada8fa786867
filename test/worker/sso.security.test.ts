/**
 * Single sign-on rules inside workerd (the full IdP flow runs against a real OpenID provider in
 * test/e2e/sso.e2e.test.ts): SSO people never sign in with a Stepgate password; pending logins
 * are single use and expire; a callback with an unknown or tampered state is refused; an admin
 * may reset an SSO person's Stepgate factors but not the IdP's MFA.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { CompanyDO } from "../../worker/do/company";
import { writeUser } from "../../worker/domain/directory";
import type { Bindings } from "../../worker/env";
import { createPorts } from "../../worker/ports";
import { addMember, errorCode, resetMfa } from "./admin-helpers";
import { client, enrolledUser, signIn, type Client } from "./helpers";

let admin: Client;
beforeAll(async () => {
  ({ client: admin } = await enrolledUser("admin@demo.test"));
});

function companyStub(id: string) {
  return env.COMPANY.get(env.COMPANY.idFromName(`company:${id}`)) as unknown as DurableObjectStub<CompanyDO>;
}

describe("SSO people and the Stepgate password", () => {
  it("a password sign-in of an SSO person gets the generic answer, even with the right password", async () => {
    await addMember({ id: "sso-pat", email: "pat@idp-not-configured.test", sso: true });
    const { response, body } = await signIn("pat@idp-not-configured.test");
    expect(response.status).toBe(401);
    expect(body).toMatchObject({ error: { code: "INVALID_CREDENTIALS" } });
  });
});

describe("pending SSO logins in the company Durable Object", () => {
  const login = { providerId: "p", nonce: "n", codeVerifier: "v", bindingHash: "h", returnTo: "/", createdAtMs: 0, expiresAtMs: 0 };

  it("are taken once, even by a concurrent burst", async () => {
    const stub = companyStub("sso-test");
    const nowMs = Date.now();
    await stub.putSsoLogin("p.state-1", { ...login, expiresAtMs: nowMs + 600_000 }, nowMs);
    const taken = await Promise.all(Array.from({ length: 10 }, () => stub.takeSsoLogin("p.state-1", nowMs)));
    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it("expire, and are swept", async () => {
    const stub = companyStub("sso-test");
    const nowMs = Date.now();
    await stub.putSsoLogin("p.old", { ...login, expiresAtMs: nowMs + 1000 }, nowMs);
    expect(await stub.takeSsoLogin("p.old", nowMs + 1000)).toBeNull();
    await stub.putSsoLogin("p.old2", { ...login, expiresAtMs: nowMs + 1000 }, nowMs);
    await stub.putSsoLogin("p.new", { ...login, expiresAtMs: nowMs + 600_000 }, nowMs + 2000);
    const states = await runInDurableObject(stub, (_instance, state) => state.storage.sql.exec("SELECT state FROM sso_logins").toArray().map((row) => row.state));
    expect(states).toEqual(["p.new"]);
  });
});

describe("the callback", () => {
  it.each([
    ["no state", "/_stepgate/sso/callback?code=abc"],
    ["a malformed state", "/_stepgate/sso/callback?code=abc&state=%3Cscript%3E"],
    ["a state of no configured provider", `/_stepgate/sso/callback?code=abc&state=nobody.${"A".repeat(43)}`],
    ["an IdP error", "/_stepgate/sso/callback?error=access_denied&state=x"],
  ])("refuses %s with the generic page and no session", async (_, path) => {
    const c = client();
    const response = await c.fetch(path);
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("contact your IT department");
    expect(c.cookie).toBeNull();
  });

  it("a JSON client starting SSO for a non-SSO email is told to use the password", async () => {
    const response = await client().fetch("/_stepgate/api/sso/start", { method: "POST", json: { email: "user@demo.test" } });
    expect(await response.json()).toEqual({ next: "password" });
  });
});

describe("admin reset of an SSO person", () => {
  it("is refused while they have no Stepgate factor (only the IdP's MFA, which Stepgate cannot reset)", async () => {
    await addMember({ id: "sso-sue", email: "sue@sso-bare.test", sso: true });
    const response = await resetMfa(admin, "sue@sso-bare.test");
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("SSO_USER");
  });

  it("resets their Stepgate factors when they have some", async () => {
    const member = await addMember({ id: "sso-sid", email: "sid@sso-factors.test" });
    await enrolledUser("sid@sso-factors.test");
    await writeUser(createPorts(env as unknown as Bindings), { ...member, sso: true });
    const response = await resetMfa(admin, "sid@sso-factors.test");
    expect(response.status).toBe(200);
    const again = await resetMfa(admin, "sid@sso-factors.test");
    expect(await errorCode(again)).toBe("SSO_USER");
  });
});
