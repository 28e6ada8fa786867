// SSO_PROVIDERS parsing (worker/sso/config.ts): every problem at once, no secret in a message.
import { describe, expect, it } from "vitest";
import { parseSsoConfig, ssoProviderForEmail } from "../../worker/sso/config";

const good = { id: "okta-acme", issuer: "https://acme.okta.com", clientId: "0oa1", companyId: "acme", domains: ["Acme.example"] };

function parse(providers: unknown, env: Record<string, unknown> = {}, mode: "development" | "production" = "production") {
  const problems: string[] = [];
  const config = parseSsoConfig({ SSO_PROVIDERS: JSON.stringify(providers), SSO_CLIENT_SECRET_OKTA_ACME: "s3cret-value", ...env }, mode, problems);
  return { config, problems };
}

describe("SSO_PROVIDERS", () => {
  it("parses a provider with defaults and maps its domains (lower case, exact)", () => {
    const { config, problems } = parse([good]);
    expect(problems).toEqual([]);
    expect(config.providers[0]).toMatchObject({ tokenAuthMethod: "client_secret_basic", acceptIdpMfa: false, emailVerifiedClaim: "email_verified", scopes: ["openid", "email", "profile"], clientSecret: "s3cret-value", domains: ["acme.example"] });
    expect(ssoProviderForEmail(config, "Ivy@ACME.example")?.id).toBe("okta-acme");
    expect(ssoProviderForEmail(config, "ivy@eu.acme.example")).toBeNull();
    expect(ssoProviderForEmail(config, "ivy@other.example")).toBeNull();
  });

  it("absent means no SSO", () => {
    const problems: string[] = [];
    expect(parseSsoConfig({}, "production", problems).providers).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("reports every problem at once and never quotes the secret", () => {
    const { problems } = parse(
      [
        { ...good, issuer: "http://acme.okta.com", tokenAuthMethod: "private_key_jwt", extra: 1 },
        { ...good, id: "Bad Id", domains: ["acme.example", "not a domain"], clientId: "" },
        { ...good, id: "other", domains: ["acme.example"] },
      ],
      { SSO_CLIENT_SECRET_OTHER: "x" },
    );
    expect(problems.join("\n")).not.toContain("s3cret-value");
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringContaining("okta-acme: issuer must be an https URL"),
      expect.stringContaining("okta-acme: tokenAuthMethod"),
      expect.stringContaining('unknown setting "extra"'),
      expect.stringContaining(".id must be"),
      expect.stringContaining("clientId is required"),
      expect.stringContaining('"not a domain" is not an email domain'),
    ]));
  });

  it("a duplicate domain and a missing secret binding are problems", () => {
    const { problems } = parse([good, { ...good, id: "second" }]);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining("SSO_CLIENT_SECRET_SECOND is missing")]));
    const dup = parse([good, { ...good, id: "second", clientSecretBinding: "SSO_CLIENT_SECRET_OKTA_ACME" }]);
    expect(dup.problems).toEqual([expect.stringContaining("domain acme.example belongs to both okta-acme and second")]);
  });

  it("http issuers only in development", () => {
    expect(parse([{ ...good, issuer: "http://127.0.0.1:9000" }], {}, "development").problems).toEqual([]);
    expect(parse([{ ...good, issuer: "http://127.0.0.1:9000" }]).problems).toHaveLength(1);
  });
});
