/** The development clock walks the payments idle rule end to end; production has no such thing. */
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import { enrolledUser, GATEWAY, totpCode } from "./helpers";

const api = { accept: "application/json" };

describe("development clock", () => {
  it("moving past 30 minutes idle makes the next payments request ask again", async () => {
    const { client: c, secret } = await enrolledUser("payor@demo.test");
    const entry = (await (await c.fetch("/payments/", { headers: api })).json()) as { challenge: { id: string } };
    await c.fetch(`/_stepgate/api/challenges/${entry.challenge.id}/verify`, { method: "POST", json: { method: "totp", code: await totpCode(secret) } });
    expect((await c.fetch("/payments/", { headers: api })).status).toBe(200);

    const moved = await c.fetch("/_stepgate/dev/clock", { method: "POST", json: { advanceSeconds: 30 * 60 + 1 } });
    const { offsetMs } = (await moved.json()) as { offsetMs: number };
    expect(offsetMs).toBeGreaterThanOrEqual(1_801_000);
    const idle = await c.fetch("/payments/", { headers: api });
    expect(idle.status).toBe(401);
    const { challenge } = (await idle.json()) as { challenge: { id: string; reason: string } };
    expect(challenge.reason).toBe("idle");
    const code = await totpCode(secret, Date.now() + offsetMs);
    expect((await c.fetch(`/_stepgate/api/challenges/${challenge.id}/verify`, { method: "POST", json: { method: "totp", code } })).status).toBe(200);
    expect((await c.fetch("/payments/", { headers: api })).status).toBe(200);
  });

  it("does not exist in production mode", async () => {
    const bindings = { ...(env as unknown as Record<string, unknown>), STEPGATE_MODE: "production", DEMO_SEED: "false" } as never;
    const app = appFor(getConfig(bindings));
    const request = new Request(`${GATEWAY}/_stepgate/dev/clock`, { method: "POST", headers: { "content-type": "application/json", origin: GATEWAY }, body: '{"advanceSeconds":3600}' });
    expect((await app.fetch(request, bindings, createExecutionContext())).status).toBe(404);
    expect((await app.fetch(new Request(`${GATEWAY}/_stepgate/dev/outbox`), bindings, createExecutionContext())).status).toBe(404);
  });
});
