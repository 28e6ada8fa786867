import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase32, encodeBase32 } from "../../shared/base32";
import { encodeUtf8 } from "../../shared/webcrypto";

// RFC 4648 section 10 test vectors (without padding on output).
const RFC4648_VECTORS: Array<[string, string]> = [
  ["", ""],
  ["f", "MY"],
  ["fo", "MZXQ"],
  ["foo", "MZXW6"],
  ["foob", "MZXW6YQ"],
  ["fooba", "MZXW6YTB"],
  ["foobar", "MZXW6YTBOI"],
];

describe("encodeBase32 / decodeBase32", () => {
  it.each(RFC4648_VECTORS)("%j <-> %j", (text, base32) => {
    expect(encodeBase32(encodeUtf8(text))).toBe(base32);
    expect(decodeBase32(base32)).toEqual(encodeUtf8(text));
  });

  it("round-trips any bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const text = encodeBase32(bytes);
        expect(text).toMatch(/^[A-Z2-7]*$/);
        expect(decodeBase32(text)).toEqual(bytes);
        expect(decodeBase32(text.toLowerCase())).toEqual(bytes);
      }),
    );
  });

  it("ignores case, spaces, hyphens and trailing padding", () => {
    const expected = encodeUtf8("foobar");
    for (const text of ["MZXW6YTBOI======", "mzxw 6ytb oi", "MZXW-6YTB-OI", " mzXW6ytbOI\n"]) {
      expect(decodeBase32(text)).toEqual(expected);
    }
  });

  it.each([
    ["a character outside the alphabet", "MZXW6YTB0I"],
    ["the digit 1", "MZXW1"],
    ["padding in the middle", "MY==MZXQ"],
    ["an impossible length (1 mod 8)", "MZXW6YTBO"],
    ["an impossible length (3 mod 8)", "MZX"],
    ["an impossible length (6 mod 8)", "MZXW6Y"],
    ["non-zero trailing bits", "MZ"],
    ["a non-ASCII letter", "MZXW6YTBÖI"],
  ])("refuses %s", (_, text) => {
    expect(decodeBase32(text)).toBeNull();
  });
});
