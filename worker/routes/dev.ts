/** Development-mode-only pages: the SMS/email outbox. Absent (404) in any other mode. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { apiError } from "../lib/errors";

export interface OutboxMessage {
  to: string;
  channel: "sms" | "email";
  text: string;
  sentAt: string;
}

export const OUTBOX_PREFIX = "dev:outbox:";

export const dev = new Hono<AppEnv>();

dev.use("*", async (c, next) => {
  if (c.var.config.mode !== "development") return apiError(c, "not_found");
  return next();
});

dev.get("/outbox", async (c) => {
  const listed = await c.env.KV.list({ prefix: OUTBOX_PREFIX, limit: 100 });
  const messages = await Promise.all(listed.keys.map((key) => c.env.KV.get<OutboxMessage>(key.name, "json")));
  const newestFirst = messages.filter((m): m is OutboxMessage => m !== null).sort((a, b) => b.sentAt.localeCompare(a.sentAt));
  return c.json(newestFirst);
});
