/**
 * Development mode only: the outbox as a page people read while walking the flows
 * (`npm run dev` prints its address). Mounted inside `dev`, which answers 404 in any other mode.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { readOutbox } from "../messaging/outbox";
import { Layout } from "../pages/layout";

export const devMessages = new Hono<AppEnv>();

devMessages.get("/messages", async (c) => {
  const messages = await readOutbox(c.env.KV);
  return c.html(
    <Layout title="Development outbox" nonce={c.var.nonce}>
      <h1>Development outbox</h1>
      <p class="muted">
        Text messages and emails this development gateway "sent", newest first (reload to refresh). JSON:{" "}
        <a href={`${c.var.config.prefix}/dev/outbox`}>{`${c.var.config.prefix}/dev/outbox`}</a>. Never enabled in production.
      </p>
      {messages.length === 0 ? <p>No messages yet.</p> : null}
      <ol class="methods" id="outbox">
        {messages.map((m) => (
          <li>
            <p class="muted">
              {m.channel === "sms" ? "SMS" : "Email"} to <strong>{m.to}</strong> · {m.sentAt}
            </p>
            <pre class="key">{m.text}</pre>
          </li>
        ))}
      </ol>
    </Layout>,
  );
});
