/**
 * Parser differential: what you approve is what the origin acts on, for origins built on real
 * body parsers. Each spelling of a sensitive action (media types, charsets, encodings, duplicate,
 * array and nested fields, escapes, the query string, `_method`) is sent through the gateway to
 * Express (qs and querystring, and handlers reading query and body as one bag, either winning), Fastify and
 * Hono (parseBody plain, `all` and `dot`), each behind a gateway whose FORM_METHOD_OVERRIDE says
 * what that origin does with `_method`, and behind one left at the default. Either the gateway
 * refuses it before any challenge, or
 * the approval's summary, re-rendered from what that origin parsed out of the forwarded request,
 * is exactly the summary the person approved (worker/payments/actions.ts, decision 0014).
 */
import { createExecutionContext, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import { applyStepUp } from "../../worker/do/account-payments";
import type { ChallengeRecord, SessionRecord } from "../../worker/domain/records";
import { DEFAULT_SENSITIVE_ACTIONS, matchAction, renderSummary } from "../../worker/payments/actions";
import { accountStub, enrolledUser, GATEWAY, sessionClaimsOf, totpCode, type Client } from "./helpers";
import { makeUser } from "./sms-helpers";

/** Each origin, and whether it reads a POSTed form's `_method` as the method (FORM_METHOD_OVERRIDE). */
const ORIGINS = [
  { name: "express-qs", readsMethodField: true },
  { name: "express-querystring", readsMethodField: true },
  { name: "rails-style-params", readsMethodField: true },
  { name: "servlet-style-params", readsMethodField: true }, // Spring's HiddenHttpMethodFilter
  { name: "fastify", readsMethodField: false },
  { name: "hono", readsMethodField: false },
  { name: "hono-all", readsMethodField: false },
  { name: "hono-dot", readsMethodField: false },
];

/**
 * Each origin behind a gateway configured as a site owner would for it, and behind one left at the
 * default (`unknown`, which must be safe for either kind of origin).
 */
const TARGETS = ORIGINS.flatMap(({ name, readsMethodField }) => [
  { origin: name, formMethodOverride: readsMethodField ? "_method" : "none" },
  { origin: name, formMethodOverride: "unknown" },
]);

/** A client of a gateway with FORM_METHOD_OVERRIDE set, sharing the signed-in client's session cookie. */
function through(c: Client, formMethodOverride: string): Client["fetch"] {
  const bindings = { ...(env as unknown as Record<string, unknown>), FORM_METHOD_OVERRIDE: formMethodOverride };
  const app = appFor(getConfig(bindings));
  return async (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("origin", GATEWAY);
    if (c.cookie) headers.set("cookie", c.cookie);
    const response = await app.fetch(new Request(`${GATEWAY}${path}`, { ...init, headers, redirect: "manual" }), bindings as never, createExecutionContext());
    const match = /__Host-stepgate=([^;]*)/.exec(response.headers.get("set-cookie") ?? "");
    if (match?.[1]) c.cookie = `__Host-stepgate=${match[1]}`;
    return response;
  };
}

interface Spelling {
  label: string;
  path?: string;
  type?: string;
  encoding?: string;
  body: string | Uint8Array;
}

const JSON_TYPE = "application/json";
const FORM = "application/x-www-form-urlencoded";
const BENIGN = { amount: "1.00", payee: "Acme Drywall" };

const SPELLINGS: Spelling[] = [
  // JSON
  { label: "json", type: JSON_TYPE, body: JSON.stringify(BENIGN) },
  { label: "json charset", type: "application/json; charset=utf-8", body: JSON.stringify(BENIGN) },
  { label: "json odd case and quoted charset", type: 'Application/JSON; Charset="UTF-8"', body: JSON.stringify(BENIGN) },
  { label: "json number", type: JSON_TYPE, body: '{"amount":1,"payee":"Acme Drywall"}' },
  { label: "json huge number", type: JSON_TYPE, body: '{"amount":125000000000000000000000,"payee":"Acme Drywall"}' },
  { label: "json byte order mark", type: JSON_TYPE, body: `\uFEFF${JSON.stringify(BENIGN)}` },
  { label: "json padded amount", type: JSON_TYPE, body: '{"amount":" 125000.00 ","payee":"Acme Drywall"}' },
  { label: "json duplicate", type: JSON_TYPE, body: '{"amount":"1.00","payee":"Acme Drywall","amount":"125000.00"}' },
  { label: "json escaped duplicate", type: JSON_TYPE, body: '{"amount":"1.00","payee":"Acme Drywall","\\u0061mount":"125000.00"}' },
  { label: "json nested duplicate", type: JSON_TYPE, body: '{"amount":"1.00","payee":"Acme Drywall","meta":{"a":1,"a":2}}' },
  { label: "json array", type: JSON_TYPE, body: '{"amount":["125000.00"],"payee":"Acme Drywall"}' },
  { label: "json object", type: JSON_TYPE, body: '{"amount":{"value":"125000.00"},"payee":"Acme Drywall"}' },
  { label: "json null", type: JSON_TYPE, body: '{"amount":null,"payee":"Acme Drywall"}' },
  { label: "json boolean", type: JSON_TYPE, body: '{"amount":true,"payee":"Acme Drywall"}' },
  { label: "json __proto__", type: JSON_TYPE, body: '{"__proto__":{"amount":"125000.00"},"payee":"Acme Drywall"}' },
  { label: "json top-level array", type: JSON_TYPE, body: '[{"amount":"1.00","payee":"Acme Drywall"}]' },
  { label: "json trailing garbage", type: JSON_TYPE, body: `${JSON.stringify(BENIGN)}x` },
  { label: "json smuggling memo", type: JSON_TYPE, body: JSON.stringify({ ...BENIGN, memo: "&amount=125000.00&payee=Evil Corp&x=" }) },
  { label: "json in the query too", path: "/payments/disbursements?amount=125000.00", type: JSON_TYPE, body: JSON.stringify(BENIGN) },
  // Forms
  { label: "form", type: FORM, body: "amount=1.00&payee=Acme+Drywall" },
  { label: "form charset", type: "application/x-www-form-urlencoded; charset=utf-8", body: "amount=1.00&payee=Acme%20Drywall" },
  { label: "form duplicate", type: FORM, body: "amount=1.00&payee=Acme+Drywall&amount=125000.00" },
  { label: "form encoded duplicate", type: FORM, body: "amount=1.00&payee=Acme+Drywall&%61mount=125000.00" },
  { label: "form brackets", type: FORM, body: "amount[]=125000.00&payee=Acme+Drywall" },
  { label: "form plain and brackets", type: FORM, body: "amount=1.00&amount[]=125000.00&payee=Acme+Drywall" },
  { label: "form encoded brackets", type: FORM, body: "amount%5B%5D=125000.00&amount=1.00&payee=Acme+Drywall" },
  { label: "form index", type: FORM, body: "amount[0]=125000.00&payee=Acme+Drywall" },
  { label: "form dot", type: FORM, body: "amount=1.00&payee=Acme+Drywall&payee.name=Evil+Corp" },
  { label: "form semicolon", type: FORM, body: "amount=1.00;payee=Evil+Corp&payee=Acme+Drywall" },
  { label: "form invalid percent-encoding", type: FORM, body: "amount=1.00&payee=Acme%FF" },
  { label: "form NUL", type: FORM, body: "amount=1.00&payee=Acme%00Evil" },
  { label: "form raw invalid UTF-8", type: FORM, body: new Uint8Array([...new TextEncoder().encode("amount=1.00&payee=Acme"), 0xff]) },
  { label: "json raw invalid UTF-8", type: JSON_TYPE, body: new Uint8Array([...new TextEncoder().encode('{"amount":"1.00","payee":"Acme'), 0xc3, 0x28, 0x22, 0x7d]) },
  { label: "form other case", type: FORM, body: "Amount=125000.00&amount=1.00&payee=Acme+Drywall" },
  { label: "form __proto__", type: FORM, body: "amount=1.00&payee=Acme+Drywall&__proto__[amount]=125000.00" },
  { label: "form JSON bytes", type: FORM, body: JSON.stringify({ ...BENIGN, memo: "&amount=125000.00&payee=Evil Corp&x=" }) },
  { label: "form in the query too", path: "/payments/disbursements?amount=125000.00", type: FORM, body: "amount=1.00&payee=Acme+Drywall" },
  { label: "form nested query", path: "/payments/disbursements?payee[x]=Evil", type: FORM, body: "amount=1.00&payee=Acme+Drywall" },
  // Types, charsets and codings the summary cannot read as the origin does
  { label: "text/plain", type: "text/plain", body: JSON.stringify(BENIGN) },
  { label: "vendor json", type: "application/vnd.api+json", body: JSON.stringify(BENIGN) },
  { label: "latin-1 form", type: "application/x-www-form-urlencoded; charset=iso-8859-1", body: "amount=1.00&payee=Acme" },
  { label: "utf-16 json", type: "application/json; charset=utf-16le", body: JSON.stringify(BENIGN) },
  { label: "multipart", type: "multipart/form-data; boundary=x", body: '--x\r\nContent-Disposition: form-data; name="amount"\r\n\r\n125000.00\r\n--x--\r\n' },
  { label: "gzip", type: JSON_TYPE, encoding: "gzip", body: JSON.stringify(BENIGN) },
  { label: "no type", body: new TextEncoder().encode(JSON.stringify(BENIGN)) },
  // Path parameters and _method
  { label: "submit", path: "/payments/disbursements/d9/submit", type: JSON_TYPE, body: "{}" },
  { label: "submit, body names the id", path: "/payments/disbursements/d9/submit", type: JSON_TYPE, body: '{"id":"d9"}' },
  { label: "submit, body names another id", path: "/payments/disbursements/d9/submit", type: JSON_TYPE, body: '{"id":"d10"}' },
  { label: "_method PUT", path: "/payments/bank-accounts/b7", type: FORM, body: "_method=PUT&nickname=Ops" },
  { label: "_method delete", path: "/payments/bank-accounts/b7", type: FORM, body: "_method=delete" },
  { label: "_method twice", path: "/payments/bank-accounts/b7", type: FORM, body: "_method=PUT&_method=DELETE" },
];

/** Statuses with which the gateway refuses a spelling before any challenge. */
const REFUSED = new Set([400, 413, 415]);

function requestOf(spelling: Spelling, origin: string, grant?: string): RequestInit {
  const headers: Record<string, string> = { accept: "application/json", "x-parser-origin": origin };
  if (spelling.type) headers["content-type"] = spelling.type;
  if (spelling.encoding) headers["content-encoding"] = spelling.encoding;
  if (grant) headers["stepgate-grant"] = grant;
  return { method: "POST", headers, body: spelling.body };
}

/** The approval the person would give, done in the account object (this harness is about parsing, not codes). */
async function approve(userId: string, c: Client, challengeId: string): Promise<string> {
  const config = getConfig(env as unknown as Record<string, unknown>);
  const { sid } = sessionClaimsOf(c);
  return runInDurableObject(accountStub(userId), async (_instance, state) => {
    const kv = state.storage.kv;
    const challenge = kv.get<ChallengeRecord>(`challenge:${challengeId}`);
    const session = kv.get<SessionRecord>(`session:${sid}`);
    if (!challenge || !session) throw new Error("no pending challenge");
    const grant = applyStepUp(kv, config, session, challenge, Date.now());
    kv.put(`session:${sid}`, session);
    kv.delete(`challenge:${challengeId}`);
    if (!grant) throw new Error("no grant");
    return grant;
  });
}

/** A field as an origin handler would print it; a non-scalar can never equal a shown value. */
function asShown(value: unknown): string {
  if (typeof value === "string") return value;
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean") return String(value);
  return `[not a scalar: ${JSON.stringify(value)}]`;
}

describe("parser differential: the approval's summary is what each origin acts on", () => {
  it("every spelling is refused by the gateway, or forwarded in a form each origin reads exactly as summarised", async () => {
    const person = await makeUser("payor", "differential");
    const { client: c, secret } = await enrolledUser(person.email);
    const entry = await c.fetch("/payments/", { headers: { accept: "application/json" } });
    const { challenge } = (await entry.json()) as { challenge: { id: string } };
    expect((await c.fetch(`/_stepgate/api/challenges/${challenge.id}/verify`, { method: "POST", json: { method: "totp", code: await totpCode(secret) } })).status).toBe(200);

    const outcomes: string[] = [];
    let checked = 0;
    let refused = 0;
    let swappedRefused = 0;
    const gateways = new Map(["_method", "none", "unknown"].map((setting) => [setting, through(c, setting)]));
    for (const spelling of SPELLINGS) {
      const path = spelling.path ?? "/payments/disbursements";
      for (const target of TARGETS) {
        const origin = `${target.origin} (FORM_METHOD_OVERRIDE=${target.formMethodOverride})`;
        const send = gateways.get(target.formMethodOverride)!;
        const asked = await send(path, requestOf(spelling, target.origin));
        if (REFUSED.has(asked.status)) {
          refused++;
          continue;
        }
        expect(asked.status, `${spelling.label} → ${origin}`).toBe(401);
        const pending = ((await asked.json()) as { challenge: { id: string; action: { summary: string } } }).challenge;
        const grant = await approve(person.id, c, pending.id);
        // The approved bytes under the other readable type are another request: never sent on.
        if (spelling.type && !spelling.encoding) {
          const other = spelling.type.toLowerCase().startsWith("application/json") ? FORM : JSON_TYPE;
          const swapped = await send(path, requestOf({ ...spelling, type: other }, target.origin, grant));
          expect(swapped.status, `${spelling.label} as ${other} → ${origin}`).not.toBe(200);
          swappedRefused++;
        }
        const sent = await send(path, requestOf(spelling, target.origin, grant));
        const text = await sent.text();
        if (sent.status !== 200) {
          // The origin refused what it could not parse: it acted on nothing.
          expect(sent.status, `${spelling.label} → ${origin}: ${text}`).toBeGreaterThanOrEqual(400);
          expect(sent.status).toBeLessThan(500);
          outcomes.push(`${spelling.label} → ${origin}: origin refused (${sent.status})`);
          continue;
        }
        const acted = JSON.parse(text) as { method: string; fields: Record<string, unknown> | null };
        const matched = matchAction(DEFAULT_SENSITIVE_ACTIONS, acted.method, path.split("?")[0]!);
        expect(matched, `${spelling.label} → ${origin} acted as ${acted.method}`).not.toBeNull();
        const values: Record<string, string> = { ...matched!.params };
        for (const [, name] of matched!.action.summary.matchAll(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g)) {
          if (name && !(name in values)) values[name] = asShown(acted.fields?.[name]);
        }
        expect(renderSummary(matched!.action.summary, values), `${spelling.label} → ${origin} read ${text}`).toBe(pending.action.summary);
        checked++;
      }
    }
    // The harness is not vacuous: most spellings reach every origin, and the hostile ones are refused.
    expect(checked).toBeGreaterThanOrEqual(15 * TARGETS.length);
    expect(refused).toBeGreaterThanOrEqual(20 * TARGETS.length);
    expect(outcomes.length).toBeLessThan(checked);
    expect(swappedRefused).toBeGreaterThanOrEqual(checked);
  });
});
