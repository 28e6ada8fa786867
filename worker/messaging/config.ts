/**
 * Message delivery settings (SMS codes, security notices by email/SMS), parsed from the Worker's
 * bindings. Problems are appended to the caller's list so config.ts reports every problem at once;
 * secret values are never quoted in a problem.
 */
import type { Mode } from "../config";

export type SmsProviderConfig =
  | { provider: "twilio"; accountSid: string; authToken: string; from: string | null; messagingServiceSid: string | null; apiBaseUrl: string }
  | { provider: "webhook"; url: string; secret: string }
  | { provider: "outbox" }
  | { provider: "none" };

export type EmailProviderConfig = { provider: "webhook"; url: string; secret: string } | { provider: "outbox" } | { provider: "none" };

export interface MessagingConfig {
  sms: SmsProviderConfig;
  email: EmailProviderConfig;
  /** Minimum wait before a code for the same attempt (challenge, enrollment) is sent again. */
  smsResendAfterSeconds: number;
  /** Codes per rolling hour for one account. */
  smsMaxPerHourPerAccount: number;
  /** Codes per rolling hour to one phone number, whatever account asks (SMS pumping). */
  smsMaxPerHourPerNumber: number;
}

const WEBHOOK_SECRET_MIN_CHARS = 32;

export function parseMessagingConfig(env: Record<string, unknown>, mode: Mode, problems: string[]): MessagingConfig {
  const text = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === "") return "";
    if (typeof value !== "string") {
      problems.push(`${name} must be a string`);
      return "";
    }
    return value;
  };
  const required = (name: string, when: string): string => {
    const value = text(name);
    if (!value) problems.push(`${name} is required when ${when}`);
    return value;
  };
  const url = (name: string, when: string, fallback?: string): string => {
    const value = text(name) || fallback || "";
    if (!value) {
      problems.push(`${name} is required when ${when}`);
      return "";
    }
    try {
      const parsed = new URL(value);
      const httpAllowed = mode === "development";
      if (parsed.protocol !== "https:" && !(httpAllowed && parsed.protocol === "http:")) throw new Error();
      return value.replace(/\/+$/, "");
    } catch {
      problems.push(`${name} must be an https URL${mode === "development" ? " (http allowed in development)" : ""}, got ${JSON.stringify(value)}`);
      return "";
    }
  };
  const secret = (name: string, when: string): string => {
    const value = required(name, when);
    if (value && value.length < WEBHOOK_SECRET_MIN_CHARS) problems.push(`${name} must be at least ${WEBHOOK_SECRET_MIN_CHARS} characters of random text`);
    return value;
  };
  const count = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name) || String(fallback);
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return value;
  };

  const defaultProvider = mode === "development" ? "outbox" : "none";
  const smsName = text("SMS_PROVIDER") || defaultProvider;
  let sms: SmsProviderConfig = { provider: "none" };
  switch (smsName) {
    case "twilio": {
      const when = "SMS_PROVIDER is twilio";
      const from = text("TWILIO_FROM") || null;
      const messagingServiceSid = text("TWILIO_MESSAGING_SERVICE_SID") || null;
      if (!from && !messagingServiceSid) problems.push(`TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required when ${when}`);
      if (from && !/^\+[1-9][0-9]{6,14}$/.test(from)) problems.push(`TWILIO_FROM must be an E.164 number like +12025550100, got ${JSON.stringify(from)}`);
      const accountSid = required("TWILIO_ACCOUNT_SID", when);
      if (accountSid && !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) problems.push("TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits");
      const authToken = required("TWILIO_AUTH_TOKEN", when);
      sms = { provider: "twilio", accountSid, authToken, from, messagingServiceSid, apiBaseUrl: url("TWILIO_API_BASE_URL", when, "https://api.twilio.com") };
      break;
    }
    case "webhook":
      sms = { provider: "webhook", url: url("SMS_WEBHOOK_URL", "SMS_PROVIDER is webhook"), secret: secret("SMS_WEBHOOK_SECRET", "SMS_PROVIDER is webhook") };
      break;
    case "outbox":
    case "none":
      sms = { provider: smsName };
      break;
    default:
      problems.push(`SMS_PROVIDER must be twilio, webhook, outbox or none, got ${JSON.stringify(smsName)}`);
  }

  const emailName = text("EMAIL_PROVIDER") || defaultProvider;
  let email: EmailProviderConfig = { provider: "none" };
  switch (emailName) {
    case "webhook":
      email = { provider: "webhook", url: url("EMAIL_WEBHOOK_URL", "EMAIL_PROVIDER is webhook"), secret: secret("EMAIL_WEBHOOK_SECRET", "EMAIL_PROVIDER is webhook") };
      break;
    case "outbox":
    case "none":
      email = { provider: emailName };
      break;
    default:
      problems.push(`EMAIL_PROVIDER must be webhook, outbox or none, got ${JSON.stringify(emailName)}`);
  }
  // The outbox is readable by anyone who can reach the gateway: never in production.
  if (mode !== "development" && (sms.provider === "outbox" || email.provider === "outbox"))
    problems.push("SMS_PROVIDER/EMAIL_PROVIDER outbox is only allowed in development mode");

  return {
    sms,
    email,
    smsResendAfterSeconds: count("SMS_RESEND_AFTER_SECONDS", 30, 0, 3600),
    smsMaxPerHourPerAccount: count("SMS_MAX_PER_HOUR_PER_ACCOUNT", 10, 1, 1000),
    smsMaxPerHourPerNumber: count("SMS_MAX_PER_HOUR_PER_NUMBER", 10, 1, 1000),
  };
}
