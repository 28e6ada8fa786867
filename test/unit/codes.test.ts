import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_CODE_INPUT_LENGTH,
  RECOVERY_CODE_LENGTH,
  SMS_CODE_LENGTH,
  constantTimeEqual,
  constantTimeEqualStrings,
  formatRecoveryCode,
  generateRecoveryCode,
  generateSmsCode,
  normalizeCode,
  randomDigits,
} from "../../shared/codes";

describe("random codes", () => {
  it("have the documented lengths and only ASCII digits", () => {
    expect(RECOVERY_CODE_LENGTH).toBe(32);
    expect(SMS_CODE_LENGTH).toBe(6);
    for (let run = 0; run < 100; run++) {
      expect(generateRecoveryCode()).toMatch(/^[0-9]{32}$/);
      expect(generateSmsCode()).toMatch(/^[0-9]{6}$/);
    }
    expect(randomDigits(1)).toMatch(/^[0-9]$/);
    expect(randomDigits(1000)).toMatch(/^[0-9]{1000}$/);
  });

  it("are not repeated", () => {
    const codes = new Set(Array.from({ length: 1000 }, () => generateRecoveryCode()));
    expect(codes.size).toBe(1000);
  });

  it("spread digits evenly (chi-square over 20,000 digits)", () => {
    const counts = new Array<number>(10).fill(0);
    for (const digit of Array.from({ length: 20 }, () => randomDigits(1000)).join("")) {
      counts[Number(digit)]! += 1;
    }
    const expected = 2000;
    const chiSquare = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: P(chi2 > 33.7) ~ 1e-4. Modulo bias adds only ~7 at this sample
    // size, so the next test looks for it directly.
    expect(chiSquare).toBeLessThan(33.7);
  });

  it("do not overweight digits 0-5 (the signature of byte % 10)", () => {
    const digits = Array.from({ length: 200 }, () => randomDigits(1000)).join("");
    const low = [...digits].filter((digit) => digit < "6").length / digits.length;
    // Unbiased: 0.6, sd ~0.0011 over 200,000 digits; byte % 10 would give 156/256 = 0.609.
    expect(low).toBeGreaterThan(0.5955);
    expect(low).toBeLessThan(0.6045);
  });

  it.each([0, -1, 1.5, Number.NaN, 1025])("randomDigits(%s) throws TypeError", (length) => {
    expect(() => randomDigits(length)).toThrow(TypeError);
  });
});

describe("formatRecoveryCode", () => {
  it("groups 32 digits in eights of four", () => {
    expect(formatRecoveryCode("12345678901234567890123456789012")).toBe(
      "1234-5678-9012-3456-7890-1234-5678-9012",
    );
  });

  it("round-trips through normalizeCode", () => {
    const code = generateRecoveryCode();
    expect(normalizeCode(formatRecoveryCode(code), RECOVERY_CODE_LENGTH)).toBe(code);
  });

  it.each(["123", "1234567890123456789012345678901a", "1234-5678-9012-3456-7890-1234-5678-9012"])(
    "throws TypeError for %j",
    (code) => {
      expect(() => formatRecoveryCode(code)).toThrow(TypeError);
    },
  );
});

const separator = fc.constantFrom(" ", "\t", "-", "\u2010", "\u2013", "\u2014", "\u2212", "\u00a0");

describe("normalizeCode", () => {
  it.each([
    ["123456", 6, "123456"],
    [" 123 456 ", 6, "123456"],
    ["123-456", 6, "123456"],
    ["123\u2013456", 6, "123456"],
    ["\t123456\t", 6, "123456"],
    ["12345", 6, null],
    ["1234567", 6, null],
    ["", 6, null],
    ["12.3456", 6, null],
    ["12_3456", 6, null],
    ["123456\n", 6, null],
    ["١٢٣٤٥٦", 6, null], // Arabic-Indic digits
    ["１２３４５６", 6, null], // full-width digits
    ["12345６", 6, null],
    ["12345e", 6, null],
  ])("%j (length %i) -> %j", (input, length, expected) => {
    expect(normalizeCode(input, length)).toBe(expected);
  });

  it("refuses input longer than the bound before any work", () => {
    const padded = " ".repeat(MAX_CODE_INPUT_LENGTH - 6) + "123456";
    expect(normalizeCode(padded, 6)).toBe("123456");
    expect(normalizeCode(" " + padded, 6)).toBeNull();
  });

  it("throws TypeError for a bad length", () => {
    expect(() => normalizeCode("123456", 0)).toThrow(TypeError);
    expect(() => normalizeCode("123456", 2.5)).toThrow(TypeError);
  });

  it("restores a code with separators inserted anywhere (property)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{6,32}$/),
        fc.array(fc.tuple(fc.nat(), separator), { maxLength: 20 }),
        (code, insertions) => {
          let input = code;
          for (const [position, sep] of insertions) {
            const at = position % (input.length + 1);
            input = input.slice(0, at) + sep + input.slice(at);
          }
          expect(normalizeCode(input, code.length)).toBe(code);
        },
      ),
    );
  });

  it("returns null when any character is neither an ASCII digit nor a separator (property)", () => {
    const foreign = fc
      .string({ unit: "grapheme", minLength: 1, maxLength: 1 })
      .filter((character) => !/^[0-9 \t\u00a0\u2009\u202f\-\u2010-\u2015\u2212]$/.test(character));
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{6}$/), foreign, fc.nat(), (code, character, n) => {
        const at = n % (code.length + 1);
        expect(normalizeCode(code.slice(0, at) + character + code.slice(at), 6)).toBeNull();
        // Replacing a digit instead of adding one must fail too.
        const replaced = code.slice(0, at % 6) + character + code.slice((at % 6) + 1);
        expect(normalizeCode(replaced, 6)).toBeNull();
      }),
    );
  });
});

describe("constantTimeEqual", () => {
  it("agrees with element-wise equality (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        const expected = a.length === b.length && a.every((byte, index) => byte === b[index]);
        expect(constantTimeEqual(a, b)).toBe(expected);
      }),
    );
  });

  it("is reflexive and catches any single flipped bit (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (a, index, bit) => {
          expect(constantTimeEqual(a, a.slice())).toBe(true);
          const flipped = a.slice();
          const at = index % a.length;
          flipped[at] = flipped[at]! ^ (1 << bit);
          expect(constantTimeEqual(a, flipped)).toBe(false);
        },
      ),
    );
  });

  it("is false on a length mismatch, including a prefix", () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it("compares strings by their UTF-8 bytes (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        expect(constantTimeEqualStrings(a, b)).toBe(a === b);
        expect(constantTimeEqualStrings(a, a)).toBe(true);
      }),
    );
    expect(constantTimeEqualStrings("é", "e\u0301")).toBe(false);
  });
});
