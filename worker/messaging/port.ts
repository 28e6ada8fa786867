/**
 * The message delivery port: one `send` per message, to one phone number or email address. An
 * adapter resolves once the provider accepted the message and throws DeliveryError otherwise; it
 * never logs the text (SMS texts carry codes).
 */
export interface OutgoingMessage {
  /** E.164 phone number (SMS) or email address. */
  to: string;
  text: string;
  /** Email only. */
  subject?: string;
}

export interface MessageSender {
  readonly channel: "sms" | "email";
  /** "twilio", "webhook", "outbox" or "none": for the audit log, never shown to people. */
  readonly provider: string;
  send(message: OutgoingMessage): Promise<void>;
}

/** Default limit for one call to a provider (PROVIDER_TIMEOUT_MS, worker/config.ts). */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

/** The adapters take fetch as an argument so tests can point them at a local server. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export class DeliveryError extends Error {
  constructor(
    readonly provider: string,
    readonly status: number | null,
  ) {
    super(`${provider} refused the message${status === null ? "" : ` (HTTP ${status})`}`);
    this.name = "DeliveryError";
  }
}

/** Sends nothing and says so: the deployment has no provider for this channel. */
export function unconfiguredSender(channel: "sms" | "email"): MessageSender {
  return {
    channel,
    provider: "none",
    send: async () => {
      throw new DeliveryError("none", null);
    },
  };
}
