// Known answers from RFC 6238 Appendix B (TOTP) and RFC 4226 Appendix D (HOTP).
import { describe, expect, it } from "vitest";
import { generateTotp, generateTotpForStep, verifyTotp } from "../../shared/totp";
import type { TotpAlgorithm } from "../../shared/totp";
import { encodeUtf8 } from "../../shared/webcrypto";

const SEEDS: Record<TotpAlgorithm, Uint8Array> = {
  SHA1: encodeUtf8("12345678901234567890"),
  SHA256: encodeUtf8("12345678901234567890123456789012"),
  SHA512: encodeUtf8("1234567890123456789012345678901234567890123456789012345678901234"),
};

const RFC6238_VECTORS: Array<[timeSeconds: number, algorithm: TotpAlgorithm, code: string]> = [
  [59, "SHA1", "94287082"],
  [59, "SHA256", "46119246"],
  [59, "SHA512", "90693936"],
  [1111111109, "SHA1", "07081804"],
  [1111111109, "SHA256", "68084774"],
  [1111111109, "SHA512", "25091201"],
  [1111111111, "SHA1", "14050471"],
  [1111111111, "SHA256", "67062674"],
  [1111111111, "SHA512", "99943326"],
  [1234567890, "SHA1", "89005924"],
  [1234567890, "SHA256", "91819424"],
  [1234567890, "SHA512", "93441116"],
  [2000000000, "SHA1", "69279037"],
  [2000000000, "SHA256", "90698825"],
  [2000000000, "SHA512", "38618901"],
  [20000000000, "SHA1", "65353130"],
  [20000000000, "SHA256", "77737706"],
  [20000000000, "SHA512", "47863826"],
];

const RFC4226_VECTORS = [
  "755224", "287082", "359152", "969429", "338314",
  "254676", "287922", "162583", "399871", "520489",
];

describe("RFC 6238 Appendix B", () => {
  it("has the seed lengths the RFC specifies", () => {
    expect([SEEDS.SHA1.length, SEEDS.SHA256.length, SEEDS.SHA512.length]).toEqual([20, 32, 64]);
  });

  it.each(RFC6238_VECTORS)("T=%i %s -> %s", async (timeSeconds, algorithm, code) => {
    const params = { digits: 8, algorithm } as const;
    expect(await generateTotp(SEEDS[algorithm], timeSeconds * 1000, params)).toBe(code);
    // Verification at the same instant matches in the current step.
    const result = await verifyTotp(SEEDS[algorithm], code, timeSeconds * 1000, params);
    expect(result).toEqual({ ok: true, timeStep: Math.floor(timeSeconds / 30) });
  });

  it("ignores the sub-second part of nowMs", async () => {
    const params = { digits: 8, algorithm: "SHA1" } as const;
    expect(await generateTotp(SEEDS.SHA1, 59_999, params)).toBe("94287082");
  });
});

describe("RFC 4226 Appendix D", () => {
  it.each(RFC4226_VECTORS.map((code, counter) => [counter, code] as const))(
    "counter %i -> %s",
    async (counter, code) => {
      expect(await generateTotpForStep(SEEDS.SHA1, counter)).toBe(code);
      expect(await generateTotp(SEEDS.SHA1, counter * 30 * 1000)).toBe(code);
    },
  );
});
