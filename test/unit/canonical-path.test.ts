/**
 * Canonical paths at the proxy, as vectors written from the rule (RFC 3986 section 3.3 and
 * docs/decisions/0005-path-canonicalisation.md), not from the code: a path is canonical when no
 * origin could decode it to another path than the one the gateway matched.
 */
import { describe, expect, it } from "vitest";
import { isCanonicalPath, isPlainPath, pathAndSearchOf, rawPathOf } from "../../worker/proxy";

describe("isCanonicalPath", () => {
  it.each([
    "/",
    "/a",
    "/a/",
    "/payments/disbursements/42/submit",
    "/A-Z_a.z~0-9",
    "/.well-known/jwks.json", // a dot inside a segment is not a dot segment
    "/a..b/...",
    "/..a/b.",
    "/a:b@c/!$&'()*+,=", // sub-delims other than ";" and ":"/"@" are plain path characters
    "/a%20b", // an encoded space: not unreserved, not a control
    "/%21%40", // encoded reserved characters other than / \ . % ;
    "/caf%C3%A9", // well-formed UTF-8
  ])("%j is canonical", (path) => {
    expect(isCanonicalPath(path)).toBe(true);
  });

  it.each([
    ["no leading slash", "a/b"],
    ["empty", ""],
    ["an empty segment", "/a//b"],
    ["a leading empty segment", "//a"],
    ["only slashes", "//"],
    ["a backslash", "/a\\b"],
    ["an encoded slash", "/a%2fb"],
    ["an encoded slash, upper case", "/a%2Fb"],
    ["an encoded backslash", "/a%5cb"],
    ["an encoded backslash, upper case", "/a%5Cb"],
    ["an encoded dot", "/a/%2e/b"],
    ["encoded dot segment", "/a/%2E%2E/b"],
    ["double encoding", "/%252e"],
    ["an encoded percent", "/a%25"],
    ["an encoded semicolon", "/a%3bb"],
    ["a path parameter", "/payments;x/disbursements"],
    ["an encoded NUL", "/a%00"],
    ["an encoded control", "/a%01"],
    ["an encoded tab", "/payments%09/x"],
    ["an encoded line feed", "/a%0A"],
    ["an encoded unit separator", "/a%1f"],
    ["an encoded DEL", "/a%7F"],
    ["a raw tab", "/a\tb"],
    ["a raw DEL", "/a\u007fb"],
    ["a raw NUL", "/a\u0000"],
    ["an encoded p (unreserved)", "/%70ayments/"],
    ["an encoded A", "/%41"],
    ["an encoded digit", "/a%30"],
    ["an encoded hyphen", "/a%2D"],
    ["an encoded underscore", "/a%5f"],
    ["an encoded tilde", "/%7e"],
    ["a dot segment", "/."],
    ["a dot-dot segment", "/.."],
    ["a trailing dot segment", "/a/."],
    ["a dot-dot segment inside", "/a/../b"],
    ["a leading dot segment", "/./a"],
    ["a lone percent", "/a%"],
    ["a percent without hex", "/a%g1"],
    ["half an escape", "/a%2"],
    ["invalid UTF-8", "/a%C3"],
    ["a lone continuation byte", "/a%A9"],
  ])("refuses %s: %j", (_name, path) => {
    expect(isCanonicalPath(path)).toBe(false);
  });

  it("refuses a dot segment next to characters that need the full rules", () => {
    expect(isCanonicalPath("/a%20b/../c")).toBe(false);
    expect(isCanonicalPath("/a%20b/./c")).toBe(false);
    expect(isCanonicalPath("/a%20b//c")).toBe(false);
  });
});

describe("isPlainPath: the one-scan fast path for the common case", () => {
  it.each(["/", "/a", "/a/", "/payments/disbursements/42/submit", "/A-Z_a.z~0-9", "/.well-known/x", "/a..b/...", "/.a/a./..a"])("%j is plain", (path) => {
    expect(isPlainPath(path)).toBe(true);
  });

  it.each(["", "a", "//", "/a//b", "/.", "/..", "/a/./b", "/a/../b", "/a%20b", "/a;b", "/a:b", "/a\\b", "/a b", "/é", "/a\tb", "/a@b"])("%j is left to the full rules", (path) => {
    expect(isPlainPath(path)).toBe(false);
  });

  it("never calls a path plain that the full rules would refuse", () => {
    const alphabet = ["/", ".", "a", "~", "%2e", "%41", "%", ";", "\\", "\t"];
    const paths: string[] = [];
    const build = (prefix: string, depth: number) => {
      paths.push(prefix);
      if (depth === 0) return;
      for (const part of alphabet) build(prefix + part, depth - 1);
    };
    build("", 4);
    for (const path of paths) {
      if (isPlainPath(path)) expect(isCanonicalPath(path), path).toBe(true);
    }
  });
});

describe("rawPathOf and pathAndSearchOf: the path as sent, never normalised", () => {
  it.each([
    ["https://gateway.test/", "/"],
    ["https://gateway.test/a/b", "/a/b"],
    ["https://gateway.test/a/b?x=1", "/a/b"],
    ["https://gateway.test/a#f", "/a"],
    ["https://gateway.test/a?x#f", "/a"],
    ["https://gateway.test/a#f?x", "/a"],
    ["https://gateway.test/a?x/y", "/a"],
    ["https://gateway.test/a#", "/a"],
    ["https://gateway.test:8787/%2e%2E/x%2F", "/%2e%2E/x%2F"],
    ["http://127.0.0.1/p", "/p"],
    ["https://gateway.test", "/"],
  ])("%j has the raw path %j", (url, path) => {
    expect(rawPathOf(url)).toBe(path);
  });

  it.each([
    ["https://gateway.test/a?x=1&y=%2F", "/a?x=1&y=%2F"],
    ["https://gateway.test/a", "/a"],
    ["https://gateway.test/?q", "/?q"],
    ["https://gateway.test/%70ayments?", "/%70ayments?"],
  ])("%j is asked of the origin as %j", (url, pathAndSearch) => {
    expect(pathAndSearchOf(url)).toBe(pathAndSearch);
  });
});
