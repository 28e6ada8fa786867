import fc from "fast-check";
import { generate } from "otplib";
import { describe, expect, it } from "vitest";
import { decodeBase32, encodeBase32 } from "../../shared/base32";
import { buildOtpauthUri, groupSecretForTyping, parseOtpauthUri } from "../../shared/otpauth";
import { generateTotp } from "../../shared/totp";

const SECRET = decodeBase32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")!;
const SECRET_TEXT = encodeBase32(SECRET);

describe("buildOtpauthUri", () => {
  it("builds the Key URI format with defaults", () => {
    const uri = buildOtpauthUri({ issuer: "Stepgate", account: "ana@example.com", secret: SECRET });
    expect(uri).toBe(
      `otpauth://totp/Stepgate:ana%40example.com?secret=${SECRET_TEXT}` +
        "&issuer=Stepgate&algorithm=SHA1&digits=6&period=30",
    );
  });

  it("percent-encodes the label and issuer (spaces as %20)", () => {
    const uri = buildOtpauthUri({
      issuer: "Acme & Co",
      account: "zoë+test@example.com",
      secret: SECRET,
      digits: 8,
      periodSeconds: 60,
      algorithm: "SHA256",
    });
    expect(uri).toBe(
      `otpauth://totp/Acme%20%26%20Co:zo%C3%AB%2Btest%40example.com?secret=${SECRET_TEXT}` +
        "&issuer=Acme%20%26%20Co&algorithm=SHA256&digits=8&period=60",
    );
  });

  it.each([
    ["a colon in the issuer", { issuer: "A:B" }],
    ["a colon in the account", { account: "a:b" }],
    ["an empty account", { account: "" }],
    ["an untrimmed account", { account: " ana" }],
    ["a short secret", { secret: new Uint8Array(10) }],
    ["7 digits", { digits: 7 }],
    ["period 0", { periodSeconds: 0 }],
    ["an unknown algorithm", { algorithm: "MD5" }],
  ])("throws TypeError for %s", (_, override) => {
    const options = { issuer: "Stepgate", account: "ana", secret: SECRET, ...override };
    expect(() => buildOtpauthUri(options as never)).toThrow(TypeError);
  });
});

describe("parseOtpauthUri", () => {
  it("reads a minimal URI with defaults", () => {
    expect(parseOtpauthUri(`otpauth://totp/ana@example.com?secret=${SECRET_TEXT}`)).toEqual({
      ok: true,
      value: {
        account: "ana@example.com",
        secret: SECRET,
        digits: 6,
        periodSeconds: 30,
        algorithm: "SHA1",
      },
    });
  });

  it("takes the issuer from the label, the parameter, or both when they agree", () => {
    const fromLabel = parseOtpauthUri(`otpauth://totp/Acme:ana?secret=${SECRET_TEXT}`);
    const fromParam = parseOtpauthUri(`otpauth://totp/ana?secret=${SECRET_TEXT}&issuer=Acme`);
    const lowerSecret = SECRET_TEXT.toLowerCase();
    const both = parseOtpauthUri(`OTPAUTH://TOTP/Acme%3A%20ana?issuer=Acme&secret=${lowerSecret}`);
    for (const result of [fromLabel, fromParam, both]) {
      expect(result).toMatchObject({
        ok: true,
        value: { issuer: "Acme", account: "ana", secret: SECRET },
      });
    }
  });

  it("reads '+' as a space in query values but not in the label", () => {
    const uri = `otpauth://totp/Acme%20Co:a+b@example.com?secret=${SECRET_TEXT}&issuer=Acme+Co`;
    expect(parseOtpauthUri(uri)).toMatchObject({
      ok: true,
      value: { issuer: "Acme Co", account: "a+b@example.com" },
    });
  });

  it("reads digits, period and algorithm, ignoring unknown parameters", () => {
    const uri =
      `otpauth://totp/x?secret=${SECRET_TEXT}&digits=8&period=60&algorithm=sha512` +
      "&image=https%3A%2F%2Fexample.com";
    expect(parseOtpauthUri(uri)).toMatchObject({
      ok: true,
      value: { digits: 8, periodSeconds: 60, algorithm: "SHA512" },
    });
  });

  const ok = `secret=${SECRET_TEXT}`;
  it.each([
    ["too_long", `otpauth://totp/x?${ok}&image=${"a".repeat(2048)}`],
    ["not_otpauth", `https://totp/x?${ok}`],
    ["not_otpauth", `otpauth:totp/x?${ok}`],
    ["not_totp", `otpauth://hotp/x?${ok}&counter=0`],
    ["malformed", `otpauth://totp?${ok}`],
    ["malformed", `otpauth://totp/%E0%A4%A?${ok}`],
    ["malformed", `otpauth://totp/x?${ok}&issuer=%ZZ`],
    ["duplicate_parameter", `otpauth://totp/x?${ok}&secret=AAAA`],
    ["duplicate_parameter", `otpauth://totp/x?${ok}&Secret=${SECRET_TEXT}`],
    ["missing_account", `otpauth://totp/Acme:?${ok}`],
    ["missing_account", `otpauth://totp/?${ok}`],
    ["missing_secret", "otpauth://totp/x"],
    ["missing_secret", "otpauth://totp/x?secret="],
    ["missing_secret", "otpauth://totp/x?issuer=Acme"],
    ["invalid_secret", "otpauth://totp/x?secret=JBSWY3DPEHPK3PX1"],
    ["invalid_secret", "otpauth://totp/x?secret=JBSWY3DPEHPK3PXPJ"],
    ["secret_length", "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"],
    ["secret_length", `otpauth://totp/x?secret=${SECRET_TEXT.repeat(4)}`],
    ["invalid_digits", `otpauth://totp/x?${ok}&digits=7`],
    ["invalid_digits", `otpauth://totp/x?${ok}&digits=06`],
    ["invalid_digits", `otpauth://totp/x?${ok}&digits=`],
    ["invalid_period", `otpauth://totp/x?${ok}&period=0`],
    ["invalid_period", `otpauth://totp/x?${ok}&period=-30`],
    ["invalid_period", `otpauth://totp/x?${ok}&period=30.5`],
    ["invalid_period", `otpauth://totp/x?${ok}&period=3601`],
    ["invalid_period", `otpauth://totp/x?${ok}&period=abc`],
    ["invalid_algorithm", `otpauth://totp/x?${ok}&algorithm=MD5`],
    ["invalid_algorithm", `otpauth://totp/x?${ok}&algorithm=SHA-1`],
    ["issuer_mismatch", `otpauth://totp/Acme:ana?${ok}&issuer=Evil`],
    ["issuer_mismatch", `otpauth://totp/Acme:ana?${ok}&issuer=acme`],
  ])("refuses with %s: %s", (reason, uri) => {
    expect(parseOtpauthUri(uri)).toEqual({ ok: false, reason });
  });

  it("round-trips what buildOtpauthUri builds (property)", () => {
    const labelPart = fc
      .string({ unit: "grapheme", minLength: 1, maxLength: 30 })
      .filter((text) => !text.includes(":") && text.trim() === text && text.length > 0);
    fc.assert(
      fc.property(
        labelPart,
        labelPart,
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.constantFrom(6 as const, 8 as const),
        fc.integer({ min: 1, max: 3600 }),
        fc.constantFrom("SHA1" as const, "SHA256" as const, "SHA512" as const),
        (issuer, account, secret, digits, periodSeconds, algorithm) => {
          const key = { issuer, account, secret, digits, periodSeconds, algorithm };
          expect(parseOtpauthUri(buildOtpauthUri(key))).toEqual({ ok: true, value: key });
        },
      ),
    );
  });
});

describe("groupSecretForTyping", () => {
  it("groups by four", () => {
    expect(groupSecretForTyping("JBSWY3DPEHPK3PXPJB")).toBe("JBSW Y3DP EHPK 3PXP JB");
    expect(groupSecretForTyping("jbsw y3dp-ehpk")).toBe("JBSW Y3DP EHPK");
    expect(groupSecretForTyping("")).toBe("");
  });

  it("decodes back to the same key", () => {
    expect(decodeBase32(groupSecretForTyping(SECRET_TEXT))).toEqual(SECRET);
  });
});

describe("interoperability with otplib's own Base32 reading", () => {
  it("a key typed as Base32 yields the same codes as our decoded bytes", async () => {
    const nowMs = 1_700_000_000_000;
    const fromOtplib = await generate({ secret: SECRET_TEXT, epoch: nowMs / 1000 });
    expect(await generateTotp(SECRET, nowMs)).toBe(fromOtplib);
  });
});
