/**
 * Property-based tests (fast-check) for the Worker's parsers of untrusted input, in the Worker's
 * own runtime: path canonicalisation and the raw path, `next` destinations, the payments tool's
 * path and action matching, body fields and summaries, phone numbers, base64url, calendar dates
 * and time zones, JSON and form bodies (size, duplicates, schema), cookies and configuration.
 * (The shared core's parsers, i.e. base32, codes, otpauth URIs, TOTP and duplicate JSON keys,
 * have theirs in test/unit; the session token parser in session-jwt.security.test.ts.)
 */
import { SELF, env } from "cloudflare:test";
import fc from "fast-check";
import { Hono } from "hono";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { isCalendarDate, isTimeZone } from "../../shared/zoned-time";
import { decodeBase64Url, encodeBase64Url, getConfig, parseConfig } from "../../worker/config";
import type { AppEnv, Bindings } from "../../worker/env";
import { hasDuplicateKeys } from "../../worker/lib/strict-json";
import { parsePhone } from "../../worker/messaging/phone";
import { MAX_JSON_BYTES, readForm, readJson, readNoInput } from "../../worker/middleware/guard";
import { DEFAULT_SENSITIVE_ACTIONS, hasDuplicateFields, matchAction, renderSummary, summarizeAction } from "../../worker/payments/actions";
import { isPaymentsPath } from "../../worker/payments/guard";
import { isCanonicalPath, rawPathOf } from "../../worker/proxy";
import { safeNext } from "../../worker/routes/pages";
import { GATEWAY, originHits } from "./helpers";

const config = getConfig(env as unknown as Bindings);
const RUNS = { numRuns: 500 };

/** Path pieces an attacker would combine: dots, slashes, encodings, separators, controls. */
const pathPiece = fc.constantFrom(
  "%01", "%09", "%0a", "%0D", "%1f", "%7F", "%7f", "/", "/", "a", "Z", "0", "-", "_", "~", ".", "..", "%2e", "%2E", "%2f", "%2F", "%5c", "%25", "%00", "%3b", "%41", "%70", "%7e",
  "%20", "%c3%a9", "%zz", "%", ";", "\\", "é", " ", "\t", "\u0000", "\u007f", ":", "@", "!", "$", "&", "'", "(", "*", "+", ",", "=", "payments",
);
const rawPath = fc.array(pathPiece, { maxLength: 12 }).map((pieces) => `/${pieces.join("")}`);
const anyPath = fc.oneof(rawPath, fc.string({ maxLength: 40 }), fc.webPath());

/** The canonical-path rules as documented (proxy.ts), as an independent model of the fast path. */
function canonicalModel(path: string): boolean {
  if (!path.startsWith("/") || path.includes("//") || path.includes("\\")) return false;
  // Encoded slash, backslash, dot, percent, semicolon or control character (%00-%1f, %7f).
  if (/%(2f|5c|2e|25|3b|[01][0-9a-f]|7f)/i.test(path) || /[\x00-\x1f\x7f]/.test(path) || path.includes(";")) return false;
  for (const match of path.matchAll(/%([0-9a-f]{2})/gi)) if (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(parseInt(match[1]!, 16)))) return false;
  if (path.split("/").some((segment) => segment === "." || segment === "..")) return false;
  try {
    decodeURIComponent(path);
  } catch {
    return false;
  }
  return true;
}

describe("path canonicalisation", () => {
  it("agrees with the documented rules on every path (fast path included)", () => {
    fc.assert(fc.property(anyPath, (path) => {
        expect(isCanonicalPath(path)).toBe(canonicalModel(path));
      }), { numRuns: 3000 });
  });

  it("a canonical path decodes to the same segments: no hidden slash, dot segment or alias", () => {
    fc.assert(
      fc.property(anyPath, (path) => {
        fc.pre(isCanonicalPath(path));
        const decoded = path.split("/").map((segment) => decodeURIComponent(segment));
        expect(decoded.some((segment) => segment.includes("/") || segment.includes("\\") || segment === "." || segment === "..")).toBe(false);
        expect(decodeURIComponent(path)).not.toMatch(/[\x00-\x1f\x7f;]/);
      }),
      { numRuns: 3000 },
    );
  });

  it("the raw path is exactly what precedes the query or fragment", () => {
    fc.assert(
      fc.property(rawPath.filter((p) => !p.includes("?") && !p.includes("#")), fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (path, query, fragment) => {
        expect(rawPathOf(`https://gateway.test${path}`)).toBe(path);
        expect(rawPathOf(`https://gateway.test${path}?${query}`)).toBe(path);
        expect(rawPathOf(`https://gateway.test${path}#${fragment}`)).toBe(path);
        expect(rawPathOf(`https://gateway.test${path}?${query}#${fragment}`)).toBe(path);
      }),
      RUNS,
    );
  });
});

describe("destinations after sign-in (next)", () => {
  it("are always same-site: '/' or the input itself, never another origin", () => {
    const evil = fc.constantFrom("//evil.test", "/\\evil.test", "https://evil.test", "javascript:alert(1)", "\\\\evil.test", "/%2f%2fevil.test", "/\t/evil.test", "http:/evil.test");
    fc.assert(
      fc.property(fc.oneof(anyPath, evil, fc.tuple(evil, anyPath).map(([a, b]) => a + b), fc.webUrl()), (raw) => {
        const next = safeNext(raw);
        expect(next === "/" || next === raw).toBe(true);
        expect(new URL(next, GATEWAY).origin).toBe(GATEWAY);
        expect(next.startsWith("//") || next.startsWith("/\\")).toBe(false);
        expect(isCanonicalPath(next.split(/[?#]/)[0]!)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the payments tool's paths and sensitive actions", () => {
  const variant = (path: string, flips: boolean[], trailing: boolean) =>
    [...path].map((ch, i) => (flips[i % flips.length] ? ch.toUpperCase() : ch.toLowerCase())).join("") + (trailing && !path.endsWith("/") ? "/" : "");

  it("any case or trailing-slash spelling of a sensitive action is that action, inside the tool", () => {
    fc.assert(
      fc.property(fc.constantFrom(...DEFAULT_SENSITIVE_ACTIONS), fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), fc.boolean(), (action, id, flips, trailing) => {
        const concrete = action.path.replace(":id", id);
        const spelled = variant(concrete, flips, trailing).replace(id.toLowerCase(), id).replace(id.toUpperCase(), id);
        const matched = matchAction(DEFAULT_SENSITIVE_ACTIONS, action.method.toLowerCase(), spelled);
        expect(matched).not.toBeNull();
        expect(isPaymentsPath(config.paymentsPrefix, spelled)).toBe(true);
      }),
      RUNS,
    );
  });

  it("trailing dots and encoded spaces at a segment's end (trimmed by some origins) do not leave the tool", () => {
    for (const path of ["/payments./", "/payments%20/", "/PAYMENTS..%20/x", "/payments.", "/payments%20"]) {
      expect(isPaymentsPath(config.paymentsPrefix, path), path).toBe(true);
    }
    expect(matchAction(DEFAULT_SENSITIVE_ACTIONS, "POST", "/payments./disbursements.")?.action.summary).toBe("Create a disbursement of {amount} to {payee}");
    expect(matchAction(DEFAULT_SENSITIVE_ACTIONS, "GET", "/payments/agreements%20/a1%20")?.params).toEqual({ id: "a1" });
    expect(isPaymentsPath(config.paymentsPrefix, "/paymentsx/")).toBe(false);
    expect(isPaymentsPath(config.paymentsPrefix, "/pay.ments/")).toBe(false);
  });

  it("no path outside the payments prefix matches a sensitive action, and matching never throws", () => {
    fc.assert(
      fc.property(anyPath, fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "post"), (path, method) => {
        fc.pre(isCanonicalPath(path));
        const matched = matchAction(DEFAULT_SENSITIVE_ACTIONS, method, path);
        if (matched) expect(isPaymentsPath(config.paymentsPrefix, path)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("summaries never throw; a repeated field is refused, and without repeats each field shows the one value the origin reads", () => {
    const key = fc.constantFrom("amount", "payee", "nickname", "id", "a");
    const value = fc.string({ maxLength: 12 });
    let summarised = 0;
    // Half the bodies are complete (amount and payee once, other fields around them): the case
    // that is summarised must be reached often, not by luck.
    const complete = fc
      .tuple(value, value, fc.array(fc.tuple(fc.constantFrom("nickname", "id", "a"), value), { maxLength: 3 }))
      .chain(([amount, payee, rest]) => fc.shuffledSubarray([["amount", amount] as [string, string], ["payee", payee] as [string, string], ...rest], { minLength: rest.length + 2 }));
    fc.assert(
      fc.property(fc.oneof(fc.array(fc.tuple(key, value), { maxLength: 6 }), complete), fc.boolean(), (pairs, asJson) => {
        const type = asJson ? "application/json" : "application/x-www-form-urlencoded";
        const body = asJson ? `{${pairs.map(([k, val]) => `${JSON.stringify(k)}:${JSON.stringify(val)}`).join(",")}}` : new URLSearchParams(pairs).toString();
        const repeated = new Set(pairs.map(([k]) => k)).size !== pairs.length;
        expect(hasDuplicateFields(type, body)).toBe(repeated);
        const result = summarizeAction("{amount}|{payee}", type, body, {});
        if (repeated) return void expect(result).toEqual({ ok: false, reason: "ambiguous" });
        const given = new Map(pairs);
        const amount = given.get("amount");
        const payee = given.get("payee");
        if (amount === undefined || payee === undefined) return void expect(result).toEqual({ ok: false, reason: "unclear" });
        summarised++;
        expect(result).toEqual({ ok: true, summary: renderSummary("{amount}|{payee}", { amount, payee }) });
      }),
      RUNS,
    );
    // The generator reaches the interesting case: complete, unrepeated bodies that are summarised.
    expect(summarised).toBeGreaterThan(RUNS.numRuns / 4);
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), (template, type, body) => void summarizeAction(template, type, body, {})), RUNS);
  });

  it("summaries have no control or invisible characters, show any cut, and never expand a placeholder inside a value", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("amount", "payee", "id", "nickname"), fc.string({ maxLength: 200, unit: "binary" })), (values) => {
        for (const action of DEFAULT_SENSITIVE_ACTIONS) {
          const summary = renderSummary(action.summary, { ...values, payee: values.payee ?? "{amount}" });
          expect(summary).not.toMatch(/[\p{Cc}\p{Cf}]/u);
          expect(summary.length).toBeLessThan(action.summary.length + 3 * 120);
        }
        expect(renderSummary("{payee}", { payee: "{amount}", amount: "5" })).toBe("{amount}");
      }),
      RUNS,
    );
  });
});

describe("phone numbers", () => {
  it("never throw; an accepted number is E.164 and stable; other scripts' digits and junk are refused", () => {
    const typed = fc.array(fc.constantFrom("+", "1", "2", "0", "5", "4", "3", " ", "-", "(", ")", ".", "٣", "３", "x", "\u0000", "#", ","), { maxLength: 20 }).map((p) => p.join(""));
    fc.assert(
      fc.property(fc.oneof(typed, fc.string({ maxLength: 40 })), fc.option(fc.constantFrom("US", "GB", "DE", "zz", "", "USA"), { nil: undefined }), (input, country) => {
        const parsed = parsePhone(input, country);
        if (!parsed.ok) return;
        expect(parsed.e164).toMatch(/^\+[1-9][0-9]{3,14}$/); // E.164: at most 15 digits (some national numbers are short)
        expect(input).toMatch(/^[\s0-9+().-]*$/);
        expect(parsePhone(parsed.e164)).toEqual(parsed);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("base64url, calendar dates and time zones", () => {
  it("base64url decodes what it encodes, and anything else is null or bytes (never a throw)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(decodeBase64Url(encodeBase64Url(bytes))).toEqual(bytes);
      }), RUNS);
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const decoded = decodeBase64Url(text);
        if (decoded) expect(decodeBase64Url(encodeBase64Url(decoded))).toEqual(decoded);
        else expect(/^[A-Za-z0-9_-]*$/.test(text) && text.length % 4 !== 1).toBe(false);
      }),
      RUNS,
    );
  });

  it("a calendar date is exactly YYYY-MM-DD and a real day; a time zone check never throws", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 12 }), fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))), (date) => {
        if (!isCalendarDate(date)) return;
        expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(date);
      }),
      RUNS,
    );
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("UTC", "Europe/Paris", "../etc/passwd", "America/New_York\u0000")), (zone) => void isTimeZone(zone)), RUNS);
  });
});

describe("JSON and form bodies", () => {
  const Schema = v.strictObject({ code: v.pipe(v.string(), v.regex(/^\d{6}$/)) });
  const app = new Hono<AppEnv>();
  app.use("*", async (c, next) => {
    c.set("config", getConfig(env as unknown as Record<string, unknown>)); // the body reader's deadline
    await next();
  });
  app.post("/json", async (c) => {
    const parsed = await readJson(c, Schema);
    return parsed.ok ? c.json({ ok: true, value: parsed.value }) : parsed.response;
  });
  app.post("/none", async (c) => {
    const parsed = await readNoInput(c);
    return parsed.ok ? c.json({ ok: true }) : parsed.response;
  });
  app.post("/form", async (c) => c.json({ form: await readForm(c) }));
  const post = (path: string, body: string) => app.request(path, { method: "POST", body, headers: { "content-type": "application/json" } });

  it("a JSON body is accepted only when it is exactly one schema-valid object; anything else is a 4xx", async () => {
    const text = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 60 }),
      fc.stringMatching(/^\d{6}$/).map((code) => JSON.stringify({ code })),
      fc.tuple(fc.stringMatching(/^\d{6}$/), fc.stringMatching(/^\d{6}$/)).map(([a, b]) => `{"code":"${a}","code":"${b}"}`),
      fc.stringMatching(/^\d{6}$/).map((code) => `[${JSON.stringify({ code })}]`),
    );
    await fc.assert(
      fc.asyncProperty(text, async (body) => {
        const response = await post("/json", body);
        let expected: boolean;
        try {
          const parsed: unknown = JSON.parse(body);
          expected = !hasDuplicateKeys(body) && v.is(Schema, parsed) && !Array.isArray(parsed);
        } catch {
          expected = false;
        }
        expect(response.status).toBe(expected ? 200 : 400);
        const none = await post("/none", body);
        expect(none.status).toBe(body === "" || (body.trim() === "{}" && JSON.parse(body) !== null) ? 200 : 400);
      }),
      RUNS,
    );
  });

  it("a body over the cap is refused whatever it claims, and a form with any repeated field is unreadable", async () => {
    const big = await post("/json", JSON.stringify({ code: "1".repeat(MAX_JSON_BYTES) }));
    expect(big.status).toBe(413);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom("a", "b", "code", "next", "é"), fc.string({ maxLength: 8 })), { maxLength: 6 }), async (pairs) => {
        const response = await app.request("/form", { method: "POST", body: new URLSearchParams(pairs).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
        const { form } = (await response.json()) as { form: Record<string, string> | null };
        const repeated = new Set(pairs.map(([k]) => k)).size !== pairs.length;
        if (repeated) expect(form).toBeNull();
        else expect(form).toEqual(Object.fromEntries(pairs));
      }),
      RUNS,
    );
  });
});

describe("cookies", () => {
  it("no Cookie header, however odd, opens a session or reaches the origin", async () => {
    const cookieText = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.array(fc.tuple(fc.constantFrom("__Host-stepgate", "__host-stepgate", "__Host-stepgate ", " __Host-stepgate", "stepgate", "__Secure-stepgate"), fc.string({ maxLength: 40 })), { maxLength: 3 }).map((pairs) => pairs.map(([k, val]) => `${k}=${val}`).join("; ")),
    );
    await fc.assert(
      fc.asyncProperty(cookieText, async (cookie) => {
        let headers: Headers;
        try {
          headers = new Headers({ cookie, accept: "application/json" });
        } catch {
          return; // not a sendable header value
        }
        const response = await SELF.fetch(`${GATEWAY}/parsers/cookie`, { headers });
        expect(response.status).toBe(401);
      }),
      { numRuns: 150 },
    );
    expect(await originHits("/parsers/cookie")).toBe(0);
  });
});

describe("configuration", () => {
  it("odd values for the deployment's settings are refused with a ConfigError, never half-applied", () => {
    const names = ["STEPGATE_MODE", "PUBLIC_URL", "ORIGIN_URL", "PAYMENTS_PREFIX", "SESSION_TOKEN_TTL_SECONDS", "SESSION_REMINT_AFTER_SECONDS", "IDLE_TIMEOUT_SECONDS", "PUBLIC_PATHS", "TRUSTED_ORIGINS", "STEPGATE_PREFIX", "SENSITIVE_ACTIONS", "ORIGIN_JWKS_EXTRA", "PEPPER", "DATA_KEY"];
    const odd = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("", "0", "-1", "1e9", "NaN", "http://", "javascript:alert(1)", "/../", "//evil.test", "[]", "{}", "production", "development"));
    fc.assert(
      fc.property(fc.constantFrom(...names), odd, (name, value) => {
        const bindings = { ...(env as unknown as Record<string, unknown>), [name]: value };
        try {
          const parsed = parseConfig(bindings);
          // Accepted: still a coherent configuration.
          expect(parsed.prefix.startsWith("/")).toBe(true);
          expect(parsed.sessionRemintAfterSeconds).toBeLessThan(parsed.sessionTokenTtlSeconds);
          expect(new URL(parsed.publicUrl).protocol).toMatch(/^https?:$/);
        } catch (error) {
          expect((error as Error).name).toBe("ConfigError");
        }
      }),
      { numRuns: 400 },
    );
  });
});
