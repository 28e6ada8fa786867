// Origins built on real framework body parsers, for the parser-differential harness
// (parser-differential.security.test.ts). Each answers with what a typical handler would act on:
// the method it routes (after any method override it honours) and the parsed fields. They run in
// Node inside the test runner (miniflare's outboundService), without listening on any port.
import formbody from "@fastify/formbody";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { inject } from "light-my-request";
import methodOverride from "method-override";

/**
 * Express with the common body parsers; `extended` chooses qs (nested fields) or querystring.
 * `merged`: handlers read query and body as one bag, the body winning (Rails `params`, Laravel
 * `input()`) or the query winning (the Servlet API's getParameter: query parameters come first).
 */
function expressOrigin({ extended, merged }) {
  const app = express();
  app.use(express.json());
  app.use(express.urlencoded({ extended }));
  // Rails/Laravel-style forms: a POSTed `_method` field is the real method.
  app.use(methodOverride((req) => (req.body && typeof req.body === "object" && typeof req.body._method === "string" ? req.body._method : undefined)));
  app.use((req, res) => {
    const body = req.body ?? {};
    const fields = merged === "body-wins" ? { ...req.query, ...body } : merged === "query-wins" ? { ...body, ...req.query } : (req.body ?? null);
    res.json({ method: req.method, fields });
  });
  return (request, body) =>
    inject(app, { method: request.method, url: new URL(request.url).pathname + new URL(request.url).search, headers: headersOf(request), payload: body });
}

function fastifyOrigin() {
  const app = Fastify();
  app.register(formbody);
  app.all("/*", async (req) => ({ method: req.method, fields: req.body ?? null }));
  const ready = app.ready();
  return async (request, body) => {
    await ready;
    return app.inject({ method: request.method, url: new URL(request.url).pathname + new URL(request.url).search, headers: headersOf(request), payload: body });
  };
}

/** Hono's own readers: `c.req.json()` for JSON, `parseBody` (with options) for forms. */
function honoOrigin(options) {
  const app = new Hono();
  app.all("*", async (c) => {
    const type = c.req.header("content-type") ?? "";
    const fields = type.startsWith("application/json") ? await c.req.json() : await c.req.parseBody(options);
    return c.json({ method: c.req.method, fields });
  });
  return async (request, body) => {
    const response = await app.fetch(new Request(request.url, { method: request.method, headers: request.headers, body: body.length ? body : null }));
    return { statusCode: response.status, body: await response.text() };
  };
}

function headersOf(request) {
  return Object.fromEntries(request.headers);
}

export const PARSER_ORIGINS = {
  "express-qs": expressOrigin({ extended: true }),
  "express-querystring": expressOrigin({ extended: false }),
  "rails-style-params": expressOrigin({ extended: true, merged: "body-wins" }),
  "servlet-style-params": expressOrigin({ extended: false, merged: "query-wins" }),
  fastify: fastifyOrigin(),
  hono: honoOrigin({}),
  "hono-all": honoOrigin({ all: true }),
  "hono-dot": honoOrigin({ all: true, dot: true }),
};

/** Hands a forwarded request to the named origin; answers as that origin did. */
export async function handleParserOrigin(name, request) {
  const origin = PARSER_ORIGINS[name];
  if (!origin) return new Response(`unknown parser origin ${name}`, { status: 599 });
  const body = request.method === "GET" || request.method === "HEAD" ? Buffer.alloc(0) : Buffer.from(await request.arrayBuffer());
  const answer = await origin(request, body);
  return new Response(answer.body, { status: answer.statusCode, headers: { "content-type": "application/json" } });
}
