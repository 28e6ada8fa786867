/**
 * Unknown emails spend a real password check's cost on a decoy account, one of DECOY_SHARDS chosen
 * by the email: the same email always lands on the same decoy, and different emails spread out,
 * so concurrent guesses at unknown emails do not queue on one object (real accounts don't).
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DECOY_SHARDS, decoyShard } from "../../worker/ports";
import { signIn } from "./helpers";

describe("unknown-email decoys", () => {
  it("the shard depends on the email only (case-insensitive) and spreads emails over the shards", () => {
    expect(decoyShard("Nobody@Example.test")).toBe(decoyShard("nobody@example.test"));
    const shards = new Set(Array.from({ length: 2000 }, (_, i) => decoyShard(`person${i}@example.test`)));
    for (const shard of shards) expect(shard >= 0 && shard < DECOY_SHARDS && Number.isInteger(shard)).toBe(true);
    expect(shards.size).toBe(DECOY_SHARDS);
  });

  it("an unknown email gets INVALID_CREDENTIALS after a hash on its own decoy shard", async () => {
    const email = "no-such-person@demo.test";
    const { response, body } = await signIn(email, "whatever-password");
    expect(response.status).toBe(401);
    expect(body).toMatchObject({ error: { code: "INVALID_CREDENTIALS" } });
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(`decoy:${decoyShard(email)}`));
    const decoy = await runInDurableObject(stub, async (_instance, state) => state.storage.kv.get("decoy"));
    expect(decoy).toMatchObject({ rounds: expect.any(Number) });
  });
});
