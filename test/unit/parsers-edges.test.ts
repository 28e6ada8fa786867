/**
 * Edges of the small parsers in shared/base32.ts, shared/otpauth.ts and worker/lib/strict-json.ts,
 * each written from its rule: only canonical Base32, every otpauth field checked (a parameter
 * without "=" is empty, an empty issuer is none, a period is plain digits), and duplicate JSON
 * members found in objects only, at any depth.
 */
import { describe, expect, it } from "vitest";
import { decodeBase32, encodeBase32 } from "../../shared/base32";
import { MAX_OTPAUTH_URI_LENGTH, groupSecretForTyping, parseOtpauthUri } from "../../shared/otpauth";
import { hasDuplicateKeys } from "../../worker/lib/strict-json";

const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"; // 20 bytes

describe("decodeBase32: lengths no byte string encodes to", () => {
  it.each(["A", "AAA", "AAAAAA", "AAAAAAAAA", "AAAAAAAAAAA"])("%j is refused", (text) => {
    expect(decodeBase32(text)).toBeNull();
  });

  it("accepts padding only at the end", () => {
    expect(decodeBase32("MY======")).toEqual(new Uint8Array([0x66]));
    expect(decodeBase32("M=Y")).toBeNull();
    expect(decodeBase32("=MY")).toBeNull();
  });

  it("decodes every valid length", () => {
    for (let length = 0; length <= 10; length++) {
      const bytes = new Uint8Array(length).map((_, i) => i * 37 + 1);
      expect(decodeBase32(encodeBase32(bytes))).toEqual(bytes);
    }
  });
});

describe("parseOtpauthUri edges", () => {
  const uri = (label: string, query: string) => `otpauth://totp/${label}?${query}`;

  it("trims the label's issuer and account", () => {
    expect(parseOtpauthUri(uri("ACME%20:%20alice%20", `secret=${SECRET}`))).toMatchObject({ ok: true, value: { issuer: "ACME", account: "alice" } });
    expect(parseOtpauthUri(uri("%20alice%20", `secret=${SECRET}`))).toMatchObject({ ok: true, value: { account: "alice" } });
  });

  it("reads a parameter without '=' as empty, and an empty issuer as none", () => {
    expect(parseOtpauthUri(uri("ACME:alice", `secret=${SECRET}&issuer`))).toEqual({ ok: false, reason: "issuer_mismatch" });
    const noIssuer = parseOtpauthUri(uri("alice", `secret=${SECRET}&issuer`));
    expect(noIssuer.ok && noIssuer.value).not.toHaveProperty("issuer");
    const emptyIssuer = parseOtpauthUri(uri("alice", `secret=${SECRET}&issuer=`));
    expect(emptyIssuer.ok && emptyIssuer.value).not.toHaveProperty("issuer");
    expect(parseOtpauthUri(uri("alice", "secret"))).toEqual({ ok: false, reason: "missing_secret" });
  });

  it("skips empty pairs instead of reading them as a repeated empty parameter", () => {
    expect(parseOtpauthUri(uri("alice", `secret=${SECRET}&&issuer=ACME&&`))).toMatchObject({ ok: true, value: { issuer: "ACME" } });
  });

  it("reports a malformed escape in a parameter as malformed", () => {
    expect(parseOtpauthUri(uri("alice", "secret=%ZZ"))).toEqual({ ok: false, reason: "malformed" });
    expect(parseOtpauthUri(uri("alice", `secret=${SECRET}&%ZZ=1`))).toEqual({ ok: false, reason: "malformed" });
  });

  it.each(["+30", "30+", "%2030", "1e1", "0x1E", "30.0", "-30", "000030"])("refuses the period %j", (period) => {
    expect(parseOtpauthUri(uri("alice", `secret=${SECRET}&period=${period}`))).toEqual({ ok: false, reason: "invalid_period" });
  });

  it("parses a URI of exactly the maximum length and refuses one character more", () => {
    const base = uri("a", `secret=${SECRET}&x=`);
    const longest = base + "y".repeat(MAX_OTPAUTH_URI_LENGTH - base.length);
    expect(longest.length).toBe(2048);
    expect(parseOtpauthUri(longest).ok).toBe(true);
    expect(parseOtpauthUri(`${longest}y`)).toEqual({ ok: false, reason: "too_long" });
  });

  it("groups a padded key for typing without its padding", () => {
    expect(groupSecretForTyping("jbsw-y3dp ehpk======")).toBe("JBSW Y3DP EHPK");
  });
});

describe("hasDuplicateKeys in nested arrays and objects", () => {
  it.each([
    ['{"a":[1,"a"]}', false],
    ['{"a":["a","b","a"]}', false],
    ['{"a":[],"b":{"a":1}}', false],
    ['[{"a":1},{"a":1}]', false],
    ['{"a":{"b":1},"b":2}', false],
    ['{"a":[{"x":1}],"b":[{"x":1}]}', false],
    ['{"a":[1],"a":2}', true],
    ['[1,{"a":1,"a":2}]', true],
    ['{"a":{"b":{}},"a":1}', true],
    ['{"a":[[1],[2]],"b":1,"a":3}', true],
    ['{"x":[{"y":[]}],"z":{"y":1,"y":2}}', true],
  ])("%s -> %s", (json, duplicate) => {
    expect(hasDuplicateKeys(json)).toBe(duplicate);
  });
});
