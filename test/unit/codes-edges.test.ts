/**
 * Edges of the code rules in shared/codes.ts and shared/webcrypto.ts: digits drawn without modulo
 * bias (bytes 250-255 are thrown away), the documented size limits, and input normalisation limits.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { normalizeCode, randomDigits } from "../../shared/codes";
import { generateRandomBytes } from "../../shared/webcrypto";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Makes the platform CSPRNG hand out `bytes` (then zeros), to see which bytes become digits. */
function feedRandomBytes(bytes: number[]): void {
  const queue = [...bytes];
  const webCrypto = (globalThis as unknown as { crypto: { getRandomValues(array: Uint8Array): Uint8Array } }).crypto;
  vi.spyOn(webCrypto, "getRandomValues").mockImplementation((array: Uint8Array) => {
    for (let i = 0; i < array.length; i++) array[i] = queue.shift() ?? 0;
    return array;
  });
}

describe("randomDigits", () => {
  it("discards bytes 250-255 (they would favour 0-5) and uses byte % 10 otherwise", () => {
    feedRandomBytes([250, 251, 252, 253, 254, 255, 249, 7, 123]);
    expect(randomDigits(3)).toBe("973");
  });

  it("asks again when a whole batch was discarded", () => {
    feedRandomBytes([...Array(9).fill(255), ...Array(9).fill(255), 42]);
    expect(randomDigits(1)).toBe("2");
  });

  it("accepts 1 to 1024 digits", () => {
    expect(randomDigits(1)).toMatch(/^[0-9]$/);
    expect(randomDigits(1024)).toMatch(/^[0-9]{1024}$/);
    for (const length of [0, 1025, 1.5, -1, Number.NaN]) expect(() => randomDigits(length)).toThrow(TypeError);
  });
});

describe("generateRandomBytes", () => {
  it("fills requests larger than one WebCrypto call allows (65,536 bytes)", () => {
    const bytes = generateRandomBytes(70_000);
    expect(bytes.length).toBe(70_000);
    expect(bytes.subarray(65_536).some((byte) => byte !== 0)).toBe(true);
  });

  it("gives an empty array for 0 and refuses negative or fractional lengths", () => {
    expect(generateRandomBytes(0)).toEqual(new Uint8Array(0));
    for (const length of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => generateRandomBytes(length)).toThrow(TypeError);
  });
});

describe("normalizeCode limits", () => {
  it("reads a one-digit code", () => {
    expect(normalizeCode("5", 1)).toBe("5");
  });

  it("looks at inputs up to 256 characters and refuses longer ones before any work", () => {
    expect(normalizeCode(`${" ".repeat(250)}123456`, 6)).toBe("123456");
    expect(normalizeCode(`${" ".repeat(251)}123456`, 6)).toBeNull();
  });

  it("refuses what is not a string", () => {
    expect(normalizeCode(123456 as unknown as string, 6)).toBeNull();
  });
});
