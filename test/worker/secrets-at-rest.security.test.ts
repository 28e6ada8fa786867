/** TOTP secrets are encrypted at rest with a data key from a Worker secret, bound to the account. */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decodeBase32 } from "../../shared/base32";
import { encodeBase64Url, getConfig } from "../../worker/config";
import { open, seal, type SealedBox } from "../../worker/lib/secretbox";
import { accountStub, enrolledUser } from "./helpers";

describe("TOTP secrets at rest", () => {
  it("are stored only as AES-GCM ciphertext with the data key's id", async () => {
    const { secret } = await enrolledUser("user@demo.test");
    const raw = decodeBase32(secret);
    if (!raw) throw new Error("bad secret");
    const config = getConfig(env as unknown as Record<string, unknown>);
    await runInDurableObject(accountStub("demo-user"), async (_instance, state) => {
      const everything = JSON.stringify([...state.storage.kv.list()]);
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(encodeBase64Url(raw));
      const factor = state.storage.kv.get<{ box: SealedBox }>("totp");
      expect(factor?.box.kid).toBe(config.dataKeyId);
      expect(await open(factor!.box, state.id.toString(), config.dataKeys)).toEqual(raw);
    });
  });

  it("a ciphertext does not open for another account, with another key, or once altered", async () => {
    const config = getConfig(env as unknown as Record<string, unknown>);
    const box = await seal(new Uint8Array([1, 2, 3, 4]), "account-a", config.dataKeys, config.dataKeyId);
    expect(await open(box, "account-a", config.dataKeys)).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(await open(box, "account-b", config.dataKeys)).toBeNull();
    const otherKeys = new Map([[config.dataKeyId, crypto.getRandomValues(new Uint8Array(32))]]);
    expect(await open(box, "account-a", otherKeys)).toBeNull();
    const flipped = { ...box, ct: (box.ct[0] === "A" ? "B" : "A") + box.ct.slice(1) };
    expect(await open(flipped, "account-a", config.dataKeys)).toBeNull();
  });
});
