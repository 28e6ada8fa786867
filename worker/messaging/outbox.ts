/**
 * The development outbox: messages are written to KV (prefix `dev:outbox:`, kept a day) and read
 * at GET /_stepgate/dev/outbox. Only ever built in development mode (config refuses it otherwise),
 * because anyone who can reach the gateway can read it.
 */
import type { OutboxMessage } from "../routes/dev";
import { OUTBOX_PREFIX } from "../routes/dev";
import type { MessageSender } from "./port";

const OUTBOX_TTL_SECONDS = 86_400;

export function createOutboxSender(channel: "sms" | "email", kv: KVNamespace, nowMs: () => number): MessageSender {
  return {
    channel,
    provider: "outbox",
    async send({ to, text, subject }) {
      const sentAt = new Date(nowMs()).toISOString();
      const message: OutboxMessage = { to, channel, text: subject ? `${subject}\n\n${text}` : text, sentAt };
      await kv.put(`${OUTBOX_PREFIX}${sentAt}:${crypto.randomUUID()}`, JSON.stringify(message), { expirationTtl: OUTBOX_TTL_SECONDS });
    },
  };
}

/** The newest 100 outbox messages, newest first (the dev outbox page and JSON). */
export async function readOutbox(kv: KVNamespace): Promise<OutboxMessage[]> {
  const listed = await kv.list({ prefix: OUTBOX_PREFIX, limit: 100 });
  const messages = await Promise.all(listed.keys.map((key) => kv.get<OutboxMessage>(key.name, "json")));
  return messages.filter((m): m is OutboxMessage => m !== null).sort((a, b) => b.sentAt.localeCompare(a.sentAt));
}
