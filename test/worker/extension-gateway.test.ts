/** What the gateway does for the browser extension: passive polls, Firefox's per-install origin. */
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import { accountStub, enrolledUser, GATEWAY, sessionClaimsOf } from "./helpers";

describe("extension support", () => {
  it("a passive poll checks the session without counting as activity", async () => {
    const { client: c } = await enrolledUser("user@demo.test");
    const { sid } = sessionClaimsOf(c);
    const account = accountStub("demo-user");
    const before = (await account.touchSession(sid, Date.now(), true))?.lastSeenMs;
    const later = Date.now() + 5 * 60_000;
    expect((await account.touchSession(sid, later, true))?.lastSeenMs).toBe(before);
    expect((await account.touchSession(sid, later))?.lastSeenMs).toBe(later);
  });

  it("TRUSTED_ORIGINS moz-extension://* admits any Firefox extension origin, and nothing else", async () => {
    const bindings = { ...(env as unknown as Record<string, unknown>), TRUSTED_ORIGINS: "moz-extension://*" } as never;
    const app = appFor(getConfig(bindings));
    const call = (origin: string) =>
      app.fetch(
        new Request(`${GATEWAY}/_stepgate/api/session`, { method: "POST", headers: { "content-type": "application/json", origin }, body: "{}" }),
        bindings,
        createExecutionContext(),
      );
    expect((await call("moz-extension://0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b")).status).toBe(400); // past CSRF, schema refuses {}
    for (const origin of ["moz-extension://evil", "https://moz-extension.evil.test", "chrome-extension://abc"]) {
      expect((await call(origin)).status, origin).toBe(403);
    }
  });
});
