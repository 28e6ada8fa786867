// Scenario (b): the smallest honest Hono pass-through in the same runtime as the gateway. It
// forwards method, path, query, headers and body to ORIGIN_URL and streams the answer back, with
// redirects not followed (as the gateway does). No session, no assertion minting, no storage.
import { Hono } from "hono";

type Env = { Bindings: { ORIGIN_URL: string } };

const app = new Hono<Env>();
app.all("*", (c) => {
  const incoming = new URL(c.req.url);
  const method = c.req.method;
  const body = method === "GET" || method === "HEAD" ? null : c.req.raw.body;
  return fetch(`${c.env.ORIGIN_URL}${incoming.pathname}${incoming.search}`, { method, headers: c.req.raw.headers, body, redirect: "manual" });
});

export default app;
