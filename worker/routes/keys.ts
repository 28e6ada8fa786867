/** Public, unauthenticated gateway endpoints: the origin-token JWKS and a health check. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { publicJwks } from "../lib/tokens";

export const keys = new Hono<AppEnv>();

keys.get("/jwks.json", async (c) => {
  c.header("Cache-Control", "public, max-age=300");
  return c.json(await publicJwks(c.var.config));
});

keys.get("/healthz", (c) => c.json({ ok: true, mode: c.var.config.mode }));
