/** Builds the configured SMS and email senders (the adapters behind the delivery port). */
import type { Config } from "../config";
import { createOutboxSender } from "./outbox";
import { unconfiguredSender, type MessageSender } from "./port";
import { createSignedWebhookSender } from "./signed-webhook";
import { createTwilioSender } from "./twilio";

const globalFetch = (url: string, init: RequestInit) => fetch(url, init);

export function createSmsSender(config: Config, kv: KVNamespace, nowMs: () => number): MessageSender {
  const sms = config.messaging.sms;
  switch (sms.provider) {
    case "twilio":
      return createTwilioSender(sms, globalFetch, config.providerTimeoutMs);
    case "webhook":
      return createSignedWebhookSender("sms", sms, globalFetch, nowMs, config.providerTimeoutMs);
    case "outbox":
      return createOutboxSender("sms", kv, nowMs);
    case "none":
      return unconfiguredSender("sms");
  }
}

export function createEmailSender(config: Config, kv: KVNamespace, nowMs: () => number): MessageSender {
  const email = config.messaging.email;
  switch (email.provider) {
    case "webhook":
      return createSignedWebhookSender("email", email, globalFetch, nowMs, config.providerTimeoutMs);
    case "outbox":
      return createOutboxSender("email", kv, nowMs);
    case "none":
      return unconfiguredSender("email");
  }
}
