/** A TOTP code is accepted exactly once per account, and never for a step at or before the last. */
import { describe, expect, it } from "vitest";
import { atLoginChallenge, enrolledUser, totpCode, verify } from "./helpers";

describe("TOTP single use", () => {
  it("a burst of 20 concurrent submissions of one valid code yields exactly one success", async () => {
    const { secret } = await enrolledUser("user@demo.test");
    const attempts = [];
    for (let i = 0; i < 20; i++) attempts.push(await atLoginChallenge("user@demo.test"));
    const code = await totpCode(secret);
    const responses = await Promise.all(attempts.map(({ client, challengeId }) => verify(client, challengeId, "totp", code)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    for (const s of statuses.filter((s) => s !== 200)) expect([401, 429]).toContain(s);
  });

  it("refuses the same code twice and a code for an earlier step than the last accepted", async () => {
    const { secret } = await enrolledUser("admin@demo.test");
    const now = Date.now();
    const first = await atLoginChallenge("admin@demo.test");
    expect((await verify(first.client, first.challengeId, "totp", await totpCode(secret, now))).status).toBe(200);

    const again = await atLoginChallenge("admin@demo.test");
    const replay = await verify(again.client, again.challengeId, "totp", await totpCode(secret, now));
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe("INVALID_CODE");
    const earlier = await verify(again.client, again.challengeId, "totp", await totpCode(secret, now - 30_000));
    expect(earlier.status).toBe(401);
    // The next step (inside the ±1 window) is still accepted: the refusal above was about order.
    expect((await verify(again.client, again.challengeId, "totp", await totpCode(secret, now + 30_000))).status).toBe(200);
  });
});
