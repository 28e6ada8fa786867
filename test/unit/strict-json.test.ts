import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasDuplicateKeys } from "../../worker/lib/strict-json";

describe("duplicate JSON member names", () => {
  it("finds them at any depth, and only in objects", () => {
    expect(hasDuplicateKeys('{"code":"1","code":"2"}')).toBe(true);
    expect(hasDuplicateKeys('{"a":{"b":1,"b":2}}')).toBe(true);
    expect(hasDuplicateKeys('{"a":[{"b":1},{"b":2}]}')).toBe(false);
    expect(hasDuplicateKeys('{"a":"b","b":"a"}')).toBe(false);
    expect(hasDuplicateKeys('{"a\\"":1,"a":2}')).toBe(false);
    expect(hasDuplicateKeys('{"\\u0061":1,"a":2}')).toBe(true);
    expect(hasDuplicateKeys('["a","a"]')).toBe(false);
  });

  it("never reports a duplicate for JSON.stringify output (property)", () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => !hasDuplicateKeys(JSON.stringify(value))));
  });
});
