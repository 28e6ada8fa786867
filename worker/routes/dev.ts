/** Development-mode-only pages: the SMS/email outbox. Absent (404) in any other mode. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import * as v from "valibot";
import { apiError } from "../lib/errors";
import { advanceDevClock, devClockOffsetMs } from "../lib/dev-clock";
import { jsonCsrfGuard, readJson } from "../middleware/guard";
import { devMessages } from "./dev-messages";

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

/** Development clock: `POST {advanceSeconds}` moves the gateway's clock forward (e.g. past idle). */
dev.get("/clock", (c) => c.json({ offsetMs: devClockOffsetMs(), now: c.var.ports.now() }));
dev.post("/clock", jsonCsrfGuard, async (c) => {
  const body = await readJson(c, v.strictObject({ advanceSeconds: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(7 * 86_400)) }));
  if (!body.ok) return body.response;
  return c.json({ offsetMs: advanceDevClock(body.value.advanceSeconds), now: c.var.ports.now() });
});

dev.get("/outbox", async (c) => {
  const listed = await c.env.KV.list({ prefix: OUTBOX_PREFIX, limit: 100 });
  const messages = await Promise.all(listed.keys.map((key) => c.env.KV.get<OutboxMessage>(key.name, "json")));
  const newestFirst = messages.filter((m): m is OutboxMessage => m !== null).sort((a, b) => b.sentAt.localeCompare(a.sentAt));
  return c.json(newestFirst);
});

dev.route("/", devMessages);
