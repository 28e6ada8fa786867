/**
 * Recovery codes: stored only as a salted, slow, peppered hash; single use (also under a
 * concurrent double use); after use the person must save a new code before going anywhere.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hashSecret, verifySecret } from "../../worker/lib/slowhash";
import { decodeBase64Url } from "../../worker/config";
import { accountStub, atLoginChallenge, enrolledUser, verify } from "./helpers";

describe("recovery codes", () => {
  it("are stored salted, slow-hashed and peppered: never in plain text", async () => {
    const { recoveryCode } = await enrolledUser("user@demo.test");
    await runInDurableObject(accountStub("demo-user"), async (_instance, state) => {
      const everything = JSON.stringify([...state.storage.kv.list()]);
      expect(everything).not.toContain(recoveryCode);
      const stored = state.storage.kv.get<{ hash: { alg: string; iterations: number; salt: string; hash: string } }>("recovery");
      expect(stored?.hash.alg).toBe("pbkdf2-sha256-chain");
      expect(stored?.hash.iterations).toBeGreaterThanOrEqual(100_000);
      expect(decodeBase64Url(stored?.hash.salt ?? "")?.length).toBeGreaterThanOrEqual(4); // >= 32-bit salt
    });
  });

  it("the hash depends on the secret pepper and on a per-hash salt", async () => {
    const pepper = crypto.getRandomValues(new Uint8Array(32));
    const otherPepper = crypto.getRandomValues(new Uint8Array(32));
    const code = "12345678901234567890123456789012";
    const stored = await hashSecret(code, pepper, 1);
    expect(await verifySecret(code, stored, pepper)).toBe(true);
    expect(await verifySecret(code, stored, otherPepper)).toBe(false);
    expect((await hashSecret(code, pepper, 1)).hash).not.toBe(stored.hash);
  });

  it("works once as a full second factor, then forces a new code to be saved", async () => {
    const { recoveryCode } = await enrolledUser("admin@demo.test");
    const { client, challengeId } = await atLoginChallenge("admin@demo.test");
    const grouped = recoveryCode.replace(/(\d{4})(?=\d)/g, "$1-");
    const used = await verify(client, challengeId, "recovery", grouped);
    expect(used.status).toBe(200);
    const body = (await used.json()) as { next: string; recoveryCode: string };
    expect(body.next).toBe("save_recovery_code");
    expect(body.recoveryCode).toMatch(/^\d{32}$/);
    expect(body.recoveryCode).not.toBe(recoveryCode);

    // Nothing else opens until the new code is confirmed saved.
    expect((await client.fetch("/reports", { headers: { accept: "application/json" } })).status).toBe(403);
    expect((await client.fetch("/_stepgate/api/recovery-code/confirm", { method: "POST", json: { saved: false } })).status).toBe(400);
    const saved = await client.fetch("/_stepgate/api/recovery-code/confirm", { method: "POST", json: { saved: true } });
    expect(await saved.json()).toEqual({ next: "done" });
    expect((await client.fetch("/reports")).status).toBe(200);

    const later = await atLoginChallenge("admin@demo.test");
    expect((await verify(later.client, later.challengeId, "recovery", recoveryCode)).status).toBe(401);
    expect((await verify(later.client, later.challengeId, "recovery", body.recoveryCode)).status).toBe(200);
  });

  it("a concurrent double use of one code succeeds exactly once", async () => {
    const { recoveryCode } = await enrolledUser("payor@demo.test");
    const first = await atLoginChallenge("payor@demo.test");
    const second = await atLoginChallenge("payor@demo.test");
    const responses = await Promise.all([
      verify(first.client, first.challengeId, "recovery", recoveryCode),
      verify(second.client, second.challengeId, "recovery", recoveryCode),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 401]);
  });
});
