/**
 * Unicode spellings of the payments tool (decision 0013): a path that an origin decoding and
 * folding it (case folding, NFKC, accents and invisible characters ignored) would route into the
 * payments tool is refused with 400 NON_CANONICAL_PATH by the full application and declined by the
 * hot path, for the default prefix and a multi-segment one. The origin never sees it.
 */
import { createExecutionContext, env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import { hotPath } from "../../worker/hot-path";
import { foldedPathSpelling } from "../../worker/payments/path-spellings";
import { addMember } from "./admin-helpers";
import { enrolledUser, GATEWAY, originHits } from "./helpers";

const DEFAULT_BINDINGS = env as unknown as Record<string, unknown>;
/** A multi-segment prefix whose letters have Unicode look-alikes that fold to them (k, ff, i, c). */
const MULTI_BINDINGS = { ...DEFAULT_BINDINGS, PAYMENTS_PREFIX: "/backoffice/payments/" };

/**
 * Spellings refused as the payments tool: [what, raw path]. Percent-encoded UTF-8 as browsers
 * send it; the raw-character rows are what a client could put on the wire before URL parsing.
 */
const REFUSED_DEFAULT: Array<[string, string]> = [
  ["long s (U+017F) for the final s, encoded", "/payment%C5%BF/"],
  ["long s, raw UTF-8", "/payment\u017F/x"],
  ["long s, mixed case", "/PAYMENT%C5%BF/x"],
  ["long s, no trailing slash", "/payment%C5%BF"],
  ["fullwidth p (U+FF50)", "/%EF%BD%90ayments/"],
  ["fullwidth word", "/%EF%BD%90%EF%BD%81%EF%BD%99%EF%BD%8D%EF%BD%85%EF%BD%8E%EF%BD%94%EF%BD%93/x"],
  ["fullwidth solidus (U+FF0F) inside the stem", "/payments%EF%BC%8Fdisbursements"],
  ["combining acute (U+0301) after a", "/pa%CC%81yments/"],
  ["precomposed a-acute (U+00E1)", "/p%C3%A1yments/"],
  ["a-acute, raw UTF-8", "/p\u00E1yments/"],
  ["zero-width space (U+200B)", "/pay%E2%80%8Bments/"],
  ["soft hyphen (U+00AD)", "/pay%C2%ADments/"],
  ["no-break space (U+00A0) at the segment end", "/payments%C2%A0/x"],
  ["ideographic space (U+3000) at the segment end", "/payments%E3%80%80/x"],
  ["inside the tool: a sensitive action's literal segment spelled with a long s", "/payments/disbursement%C5%BF"],
];

const REFUSED_MULTI: Array<[string, string]> = [
  ["Kelvin sign (U+212A) for k", "/bac%E2%84%AAoffice/payments/x"],
  ["ff ligature (U+FB00)", "/backo%EF%AC%80ice/payments/"],
  ["dotless i (U+0131)", "/backoff%C4%B1ce/payments/x"],
  ["dotted capital I (U+0130)", "/backoff%C4%B0ce/payments/x"],
  ["long s in the second segment", "/backoffice/payment%C5%BF/x"],
  ["fullwidth c, mixed case", "/BACKOFFI%EF%BD%83E/payments/x"],
  ["combining mark, raw UTF-8", "/backoffice/pa\u0301yments/"],
];

/** Spellings that stay outside the tool: nothing a folding origin would route there. */
const FORWARDED_DEFAULT: Array<[string, string]> = [
  ["an accented word elsewhere", "/caf%C3%A9/menu"],
  ["Cyrillic e (U+0435): a different letter to every router, not a fold", "/paym%D0%B5nts/"],
  ["long s elsewhere", "/me%C5%BFsage"],
  // The review's literal example: pay + long s + ments folds to /paysments/, not the tool.
  ["the review's /pay%C5%BFments/ (folds to /paysments/)", "/pay%C5%BFments/"],
];

interface Probe {
  refused: Response;
  hot: Promise<Response> | null;
}

/** Signs in a fresh person and sends `path` to the full application and to the hot path. */
async function probeAll(bindings: Record<string, unknown>, label: string, paths: string[]) {
  const config = getConfig(bindings);
  await addMember({ id: label, email: `${label}@demo.test` });
  const { client: c } = await enrolledUser(`${label}@demo.test`);
  const cookie = c.cookie!;
  const app = appFor(config);
  const send = (path: string) => app.fetch(new Request(`${GATEWAY}${path}`, { headers: { cookie, accept: "application/json" } }), bindings, createExecutionContext());
  // Verifies the token in this isolate, so the hot path can take it from now on.
  expect((await send("/spellings-warm")).status).toBe(200);
  const results = new Map<string, Probe>();
  for (const path of paths) {
    results.set(path, { refused: await send(path), hot: hotPath(new Request(`${GATEWAY}${path}`, { headers: { cookie } }), bindings as never, config) });
  }
  // The control: an ordinary path is taken by the hot path, so a null above is a real decline.
  expect(hotPath(new Request(`${GATEWAY}/spellings-control`, { headers: { cookie } }), bindings as never, config)).not.toBeNull();
  return results;
}

async function expectRefused(bindings: Record<string, unknown>, label: string, table: Array<[string, string]>) {
  const results = await probeAll(bindings, label, table.map(([, path]) => path));
  for (const [what, path] of table) {
    const { refused, hot } = results.get(path)!;
    expect(refused.status, what).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code, what).toBe("NON_CANONICAL_PATH");
    expect(hot, `hot path: ${what}`).toBeNull();
    expect(await originHits(new URL(`${GATEWAY}${path}`).pathname), what).toBe(0);
  }
}

describe("Unicode spellings of the payments tool", () => {
  it("are refused before any other decision, default prefix /payments/", async () => {
    await expectRefused(DEFAULT_BINDINGS, "spelling-default", REFUSED_DEFAULT);
  });

  it("are refused for a multi-segment prefix (/backoffice/payments/)", async () => {
    await expectRefused(MULTI_BINDINGS, "spelling-multi", REFUSED_MULTI);
  });

  it("other non-ASCII paths are forwarded as they are, by the full application and the hot path", async () => {
    const results = await probeAll(DEFAULT_BINDINGS, "spelling-elsewhere", FORWARDED_DEFAULT.map(([, path]) => path));
    for (const [what, path] of FORWARDED_DEFAULT) {
      const { refused: answer, hot } = results.get(path)!;
      expect(answer.status, what).toBe(200);
      expect(((await answer.json()) as { path: string }).path, what).toBe(path);
      expect(hot, `hot path: ${what}`).not.toBeNull();
      expect(((await (await hot!).json()) as { path: string }).path, what).toBe(path);
    }
  });

  it("a non-ASCII path inside the tool that folding leaves alone still gets the tool's rules, not a refusal", async () => {
    await addMember({ id: "spelling-inside", email: "spelling-inside@demo.test" });
    const { client: c } = await enrolledUser("spelling-inside@demo.test");
    const response = await c.fetch("/payments/%E4%BB%98%E6%AC%BE", { headers: { accept: "application/json" } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { challenge: { reason: string } }).challenge.reason).toBe("payments_entry");
  });
});

describe("foldedPathSpelling", () => {
  it("folds to what a case- and accent-insensitive origin would route", () => {
    expect(foldedPathSpelling("/payment%C5%BF/")).toBe("/payments/");
    expect(foldedPathSpelling("/PAYMENT%C5%BF/X")).toBe("/payments/x");
    expect(foldedPathSpelling("/pay%C5%BFments/")).toBe("/paysments/");
    expect(foldedPathSpelling("/bac%E2%84%AAoffice/")).toBe("/backoffice/");
    expect(foldedPathSpelling("/payments%C2%A0/x")).toBe("/payments%20/x");
    expect(foldedPathSpelling("/a%20b/p%C3%A1y")).toBe("/a%20b/pay");
  });

  it("returns null when folding changes nothing the gateway reads (plain ASCII above all)", () => {
    expect(foldedPathSpelling("/payments/%E4%BB%98")).toBeNull();
    expect(foldedPathSpelling("/PAYMENTS/%E4%BB%98")).toBeNull();
    fc.assert(
      // ASCII characters and ASCII escapes: nothing to fold, whatever the letters (k, i, s included).
      fc.property(fc.array(fc.constantFrom("/", "a", "Z", "0", "-", ".", "_", "~", "k", "i", "s", "K", "S", "%20", "%2f", "%7E", ";"), { maxLength: 16 }), (units) => {
        const path = units.join("");
        expect(foldedPathSpelling(path)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it("refuses invalid UTF-8 by throwing (callers pass canonical paths only)", () => {
    expect(() => foldedPathSpelling("/pay%C5ments/")).toThrow(URIError);
  });
});
