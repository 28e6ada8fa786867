// The demo origin's routes, reached only after the Stepgate assertion is verified. JSON requests
// get JSON; HTML forms get a 303 back to /payments/ with a notice key in the query.
import { renderAgreement, renderDashboard, renderMessage, renderPayments } from "./pages.mjs";

const MAX_BODY_BYTES = 16 * 1024;
const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export function sendHtml(res, status, markup) {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" });
  res.end(markup);
}

export function sendJson(res, status, value) {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

function redirect(res, location) {
  res.writeHead(303, { ...SECURITY_HEADERS, location });
  res.end();
}

/** Reads a JSON or form-encoded body (at most 16 KiB) into a plain object; other types -> {}. */
export async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return bad(413, "BODY_TOO_LARGE", "The request body is too large.");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") return { ok: true, value: Object.fromEntries(new URLSearchParams(text)) };
  if (type !== "application/json" || text === "") return { ok: true, value: {} };
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return { ok: true, value };
  } catch {}
  return bad(400, "INVALID_JSON", "The body must be a JSON object.");
}

const bad = (status, code, message) => ({ ok: false, status, error: { code, message } });

function wantsJson(req) {
  const type = req.headers["content-type"] ?? "";
  const accept = req.headers.accept ?? "";
  return type.includes("application/json") || (accept.includes("application/json") && !accept.includes("text/html"));
}

const updateBankAccount = (ctx, id) =>
  answer(ctx, ctx.store.updateBankAccount(id, ctx.body), "bankAccount", "bank-account-updated");
const deleteBankAccount = (ctx, id) =>
  answer(ctx, ctx.store.deleteBankAccount(id), "bankAccount", "bank-account-deleted");

// [method, pattern, handler(ctx, ...captures)]; a store result is answered by `answer`.
const ROUTES = [
  ["GET", /^\/$/, ({ res, claims }) => sendHtml(res, 200, renderDashboard(claims))],
  ["GET", /^\/whoami$/, ({ res, claims }) => sendJson(res, 200, claims)],
  ["GET", /^\/payments$/, ({ res }) => redirect(res, "/payments/")],
  ["GET", /^\/payments\/$/, (ctx) =>
    wantsJson(ctx.req) ? sendJson(ctx.res, 200, ctx.store.snapshot()) : sendHtml(ctx.res, 200, renderPayments(ctx.store.snapshot(), ctx.query, ctx.claims))],
  ["POST", /^\/payments\/disbursements$/, (ctx) =>
    answer(ctx, ctx.store.createDisbursement(ctx.body), "disbursement", "disbursement-created")],
  ["POST", /^\/payments\/disbursements\/([\w-]+)\/submit$/, (ctx, id) =>
    answer(ctx, ctx.store.submitDisbursement(id), "disbursement", "disbursement-submitted")],
  ["POST", /^\/payments\/bank-accounts$/, (ctx) =>
    answer(ctx, ctx.store.addBankAccount(ctx.body), "bankAccount", "bank-account-added")],
  ["PUT", /^\/payments\/bank-accounts\/([\w-]+)$/, updateBankAccount],
  ["DELETE", /^\/payments\/bank-accounts\/([\w-]+)$/, deleteBankAccount],
  // HTML forms cannot send PUT or DELETE: they POST with `_method`.
  ["POST", /^\/payments\/bank-accounts\/([\w-]+)$/, (ctx, id) => {
    const override = String(ctx.body._method ?? "").toUpperCase();
    if (override === "PUT") return updateBankAccount(ctx, id);
    if (override === "DELETE") return deleteBankAccount(ctx, id);
    return sendJson(ctx.res, 400, { error: { code: "INVALID_METHOD", message: "_method must be PUT or DELETE." } });
  }],
  ["GET", /^\/payments\/agreements\/([\w-]+)$/, (ctx, id) => {
    const agreement = ctx.store.findAgreement(id);
    if (!agreement) return notFound(ctx);
    return wantsJson(ctx.req) ? sendJson(ctx.res, 200, { agreement }) : sendHtml(ctx.res, 200, renderAgreement(agreement, ctx.claims));
  }],
  ["POST", /^\/payments\/agreements\/([\w-]+)\/accept$/, (ctx, id) =>
    answer(ctx, ctx.store.acceptAgreement(id, ctx.claims.email ?? ctx.claims.sub, ctx.nowMs), "agreement", "agreement-accepted")],
];

function answer({ req, res }, result, name, notice) {
  if (wantsJson(req)) return sendJson(res, result.status, result.ok ? { [name]: result.value } : { error: result.error });
  return redirect(res, result.ok ? `/payments/?notice=${notice}` : `/payments/?error=${result.error.code}`);
}

function notFound({ req, res, claims }) {
  if (wantsJson(req)) return sendJson(res, 404, { error: { code: "NOT_FOUND", message: "Not found." } });
  return sendHtml(res, 404, renderMessage("Not found", "There is no page here.", claims));
}

/** Dispatches a verified request; `ctx` is `{req, res, claims, store, body, nowMs}`. */
export async function routeRequest(ctx) {
  const url = new URL(ctx.req.url ?? "/", "http://origin");
  let pathMatched = false;
  for (const [method, pattern, handler] of ROUTES) {
    const match = pattern.exec(url.pathname);
    if (!match) continue;
    pathMatched = true;
    if (method === ctx.req.method) return handler({ ...ctx, query: url.searchParams }, ...match.slice(1));
  }
  if (!pathMatched) return notFound(ctx);
  if (wantsJson(ctx.req)) return sendJson(ctx.res, 405, { error: { code: "METHOD_NOT_ALLOWED", message: "Method not allowed." } });
  return sendHtml(ctx.res, 405, renderMessage("Method not allowed", "That action is not available here.", ctx.claims));
}
