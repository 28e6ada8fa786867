// The demo origin ("Demo Builders" payments app): serves a request only when it carries a valid
// Stepgate origin token, verified against the gateway's published JWKS. Nothing secret is logged.
import { realpathSync } from "node:fs";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { createRemoteJWKSet, errors, jwtVerify } from "jose";
import { createStore } from "./data.mjs";
import { renderMessage } from "./pages.mjs";
import { readBody, routeRequest, sendHtml, sendJson } from "./routes.mjs";

export const ASSERTION_HEADER = "stepgate-assertion";
const MAX_LOGGED_REQUESTS = 1000;
// JWKS failures mean "cannot check", not "bad token": answer 503 (still refusing, never serving).
const KEYS_UNAVAILABLE = new Set(["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID", "ERR_JOSE_GENERIC"]);

/**
 * Starts the demo origin. `audience` defaults to the origin's own URL, `issuer` to `gatewayUrl`.
 * Resolves to `{ url, close(), requests }`; `requests` lists `{method, path, sub}` for every
 * request received (`sub` null when refused), so tests can prove what reached the origin.
 */
export async function startDemoOrigin({
  port = 8788,
  host = "127.0.0.1",
  gatewayUrl = "http://127.0.0.1:8787",
  issuer = gatewayUrl,
  audience,
} = {}) {
  const jwks = createRemoteJWKSet(new URL(`${gatewayUrl.replace(/\/+$/, "")}/_stepgate/jwks.json`));
  const store = createStore();
  const requests = [];
  let expected = { issuer, audience };

  const verifyAssertion = async (token) => {
    const { payload } = await jwtVerify(token, jwks, {
      ...expected,
      algorithms: ["EdDSA"],
      typ: "stepgate-origin+jwt",
      requiredClaims: ["sub", "exp"],
      clockTolerance: 5,
    });
    return payload;
  };

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://origin").pathname;
    const entry = { method: req.method, path, sub: null };
    requests.push(entry);
    if (requests.length > MAX_LOGGED_REQUESTS) requests.shift();
    try {
      const token = req.headers[ASSERTION_HEADER];
      let claims;
      try {
        if (typeof token !== "string" || token === "") throw new errors.JWTInvalid("missing");
        claims = await verifyAssertion(token);
      } catch (error) {
        return refuse(res, error);
      }
      entry.sub = claims.sub;
      const body = await readBody(req);
      if (!body.ok) return sendJson(res, body.status, { error: body.error });
      await routeRequest({ req, res, claims, store, body: body.value, nowMs: Date.now() });
    } catch (error) {
      console.error(`demo origin: ${req.method} ${path} failed: ${error?.name ?? "Error"}`);
      if (!res.headersSent) sendHtml(res, 500, renderMessage("Something went wrong", "Try again."));
      else res.end();
    }
  });

  await new Promise((resolve, reject) => {
    server.once("error", (error) =>
      reject(error.code === "EADDRINUSE" ? new Error(`Demo origin: ${host}:${port} is already in use.`) : error),
    );
    server.listen(port, host, resolve);
  });
  const url = `http://${host}:${server.address().port}`;
  expected = { issuer, audience: audience ?? url };

  return {
    url,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function refuse(res, error) {
  const unavailable = !(error instanceof errors.JOSEError) || KEYS_UNAVAILABLE.has(error.code);
  if (unavailable) {
    return sendHtml(res, 503, renderMessage("Gateway keys unavailable", "This app could not check the gateway's signing keys. Try again shortly."));
  }
  return sendHtml(res, 401, renderMessage("Not through Stepgate", "This app only answers requests that come through the Stepgate gateway."));
}

function isMain() {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  const origin = await startDemoOrigin({
    port: Number(process.env.PORT ?? 8788),
    gatewayUrl: process.env.GATEWAY_URL ?? "http://127.0.0.1:8787",
    issuer: process.env.ISSUER || undefined,
    audience: process.env.AUDIENCE || undefined,
  });
  console.log(`Demo origin listening on ${origin.url}`);
  const stop = () => origin.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
