/** Configuration is parsed once and a bad one reports every problem at once. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConfigError, getConfig, parseConfig } from "../../worker/config";

describe("configuration", () => {
  it("lists every problem in one error", () => {
    let error: unknown;
    try {
      parseConfig({ STEPGATE_MODE: "staging", PUBLIC_URL: "ftp://x", SESSION_SIGNING_JWK: "{}", DATA_KEY: "nokey", PEPPER: "short", SESSION_TOKEN_TTL_SECONDS: "5" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    for (const name of ["STEPGATE_MODE", "PUBLIC_URL", "ORIGIN_URL", "SESSION_SIGNING_JWK", "ORIGIN_SIGNING_JWK", "DATA_KEY", "PEPPER", "SESSION_TOKEN_TTL_SECONDS"]) {
      expect(problems).toContain(name);
    }
    expect(problems).not.toContain("short"); // values, which may be secrets, are never echoed
    const jwkError = (() => {
      try {
        parseConfig({ ...(env as unknown as Record<string, unknown>), SESSION_SIGNING_JWK: "{not-json-SECRETVALUE" });
      } catch (caught) {
        return (caught as ConfigError).message;
      }
      return "";
    })();
    expect(jwkError).toContain("SESSION_SIGNING_JWK");
    expect(jwkError).not.toContain("SECRET");
  });

  it("refuses development-only settings in production", () => {
    const bindings = { ...(env as unknown as Record<string, unknown>), STEPGATE_MODE: "production", DEMO_SEED: "true", PUBLIC_URL: "http://gateway.test" };
    expect(() => parseConfig(bindings)).toThrow(/DEMO_SEED is only allowed in development mode/);
    expect(() => parseConfig(bindings)).toThrow(/PUBLIC_URL must use https in production/);
  });

  it("FORM_METHOD_OVERRIDE is _method, none or unknown (the default); anything else is a ConfigError", () => {
    const base = env as unknown as Record<string, unknown>;
    expect(parseConfig({ ...base, FORM_METHOD_OVERRIDE: undefined }).formMethodOverride).toBe("unknown");
    for (const value of ["_method", "none", "unknown"]) expect(parseConfig({ ...base, FORM_METHOD_OVERRIDE: value }).formMethodOverride).toBe(value);
    for (const value of ["_METHOD", "yes", "x-http-method-override"]) expect(() => parseConfig({ ...base, FORM_METHOD_OVERRIDE: value })).toThrow(/FORM_METHOD_OVERRIDE must be one of/);
  });

  it("parses once per bindings object", () => {
    const bindings = env as unknown as Record<string, unknown>;
    expect(getConfig(bindings)).toBe(getConfig(bindings));
  });

  it("a misconfigured Worker answers 500 MISCONFIGURED and forwards nothing", async () => {
    const worker = (await import("../../worker/index")).default;
    const response = await worker.fetch(new Request("https://gateway.test/anything"), { ...(env as unknown as Record<string, unknown>), PEPPER: "" } as never, {} as never);
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("MISCONFIGURED");
  });
});
