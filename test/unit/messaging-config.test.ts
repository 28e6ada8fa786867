import { describe, expect, it } from "vitest";
import { parseMessagingConfig } from "../../worker/messaging/config";

function parse(env: Record<string, string>, mode: "development" | "production" = "production") {
  const problems: string[] = [];
  return { config: parseMessagingConfig(env, mode, problems), problems };
}

describe("messaging configuration", () => {
  it("defaults: the outbox in development, nothing in production; 30 s resend, 10 per hour", () => {
    expect(parse({}, "development").config).toMatchObject({ sms: { provider: "outbox" }, email: { provider: "outbox" }, smsResendAfterSeconds: 30, smsMaxPerHourPerAccount: 10, smsMaxPerHourPerNumber: 10 });
    expect(parse({}).config).toMatchObject({ sms: { provider: "none" }, email: { provider: "none" } });
    expect(parse({}).problems).toEqual([]);
  });

  it("reports every problem at once, without quoting secrets", () => {
    const { problems } = parse({
      SMS_PROVIDER: "twilio",
      TWILIO_ACCOUNT_SID: "nope",
      TWILIO_AUTH_TOKEN: "",
      EMAIL_PROVIDER: "webhook",
      EMAIL_WEBHOOK_URL: "http://mail.example.com/hook",
      EMAIL_WEBHOOK_SECRET: "short-secret-value",
      SMS_MAX_PER_HOUR_PER_NUMBER: "0",
    });
    expect(problems).toEqual([
      "TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required when SMS_PROVIDER is twilio",
      "TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits",
      "TWILIO_AUTH_TOKEN is required when SMS_PROVIDER is twilio",
      'EMAIL_WEBHOOK_URL must be an https URL, got "http://mail.example.com/hook"',
      "EMAIL_WEBHOOK_SECRET must be at least 32 characters of random text",
      'SMS_MAX_PER_HOUR_PER_NUMBER must be an integer between 1 and 1000, got "0"',
    ]);
    expect(problems.join("\n")).not.toContain("short-secret-value");
  });

  it("refuses the outbox outside development mode and unknown providers", () => {
    expect(parse({ SMS_PROVIDER: "outbox" }).problems).toEqual(["SMS_PROVIDER/EMAIL_PROVIDER outbox is only allowed in development mode"]);
    expect(parse({ SMS_PROVIDER: "carrier-pigeon" }).problems).toEqual(['SMS_PROVIDER must be twilio, webhook, outbox or none, got "carrier-pigeon"']);
  });

  it("a complete Twilio and webhook configuration parses", () => {
    const { config, problems } = parse({
      SMS_PROVIDER: "twilio",
      TWILIO_ACCOUNT_SID: `AC${"a".repeat(32)}`,
      TWILIO_AUTH_TOKEN: "token",
      TWILIO_FROM: "+12025550100",
      EMAIL_PROVIDER: "webhook",
      EMAIL_WEBHOOK_URL: "https://mail.example.com/hook/",
      EMAIL_WEBHOOK_SECRET: "x".repeat(32),
    });
    expect(problems).toEqual([]);
    expect(config.sms).toMatchObject({ provider: "twilio", apiBaseUrl: "https://api.twilio.com", from: "+12025550100" });
    expect(config.email).toMatchObject({ provider: "webhook", url: "https://mail.example.com/hook" });
  });
});
