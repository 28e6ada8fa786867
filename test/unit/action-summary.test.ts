/**
 * The approval summary of a sensitive action (docs/decisions/0014-what-you-approve-is-what-is-sent.md):
 * what the person approves must be what the origin reads. Each summarised field occurs once at the
 * body's top level as a scalar; missing, null, arrays, objects, nested-form spellings and a path
 * parameter contradicted by the body are refused ("unclear"); a field named twice anywhere is
 * refused ("ambiguous"); long values are cut visibly and hidden characters shown.
 */
import { describe, expect, it } from "vitest";
import { hasDuplicateFields, renderSummary, summarizeAction } from "../../worker/payments/actions";

const CREATE = "Create a disbursement of {amount} to {payee}";
const JSON_TYPE = "application/json";
const FORM = "application/x-www-form-urlencoded";
const summary = (text: string) => ({ ok: true, summary: text });

describe("summarizeAction", () => {
  it("summarises a JSON body and a form the origin reads the same way", () => {
    expect(summarizeAction(CREATE, JSON_TYPE, '{"amount":"12400","payee":"Acme Drywall"}', {})).toEqual(summary("Create a disbursement of $12,400.00 to Acme Drywall"));
    expect(summarizeAction(CREATE, FORM, "amount=12400.5&payee=Acme+Drywall&memo=x", {})).toEqual(summary("Create a disbursement of $12,400.50 to Acme Drywall"));
    expect(summarizeAction(CREATE, JSON_TYPE, '{"amount":1.5,"payee":"A","amounts":"9"}', {})).toEqual(summary("Create a disbursement of $1.50 to A"));
    expect(summarizeAction("Flag {on}", JSON_TYPE, '{"on":true}', {})).toEqual(summary("Flag true"));
  });

  it.each([
    ["a missing field", '{"payee":"A"}'],
    ["null", '{"amount":null,"payee":"A"}'],
    ["an array", '{"amount":["125000.00"],"payee":"A"}'],
    ["an object", '{"amount":{"value":"1"},"payee":"A"}'],
    ["a nested-form spelling beside it", '{"amount":"1","amount.x":"125000","payee":"A"}'],
    ["not JSON", "amount=1&payee=A"],
    ["a JSON array", '[{"amount":"1","payee":"A"}]'],
  ])("refuses %s in JSON as unclear", (_name, body) => {
    expect(summarizeAction(CREATE, JSON_TYPE, body, {})).toEqual({ ok: false, reason: "unclear" });
  });

  it.each([
    ["amount[]=125000&payee=A"],
    ["amount=1&amount[]=125000&payee=A"],
    ["amount=1&amount[0]=125000&payee=A"],
    ["amount=1&amount.x=125000&payee=A"],
    ["payee=A"],
  ])("refuses the form %j as unclear", (body) => {
    expect(summarizeAction(CREATE, FORM, body, {})).toEqual({ ok: false, reason: "unclear" });
  });

  it("refuses a field named twice, at any depth, as ambiguous", () => {
    expect(summarizeAction(CREATE, FORM, "amount=1&payee=A&amount=125000", {})).toEqual({ ok: false, reason: "ambiguous" });
    expect(summarizeAction(CREATE, JSON_TYPE, '{"amount":"1","payee":"A","amount":"125000"}', {})).toEqual({ ok: false, reason: "ambiguous" });
    expect(summarizeAction(CREATE, JSON_TYPE, '{"amount":"1","payee":"A","x":{"y":1,"y":2}}', {})).toEqual({ ok: false, reason: "ambiguous" });
  });

  it("takes a path parameter from the path, and refuses a body that says otherwise", () => {
    const submit = "Submit disbursement {id}";
    expect(summarizeAction(submit, JSON_TYPE, "", { id: "42" })).toEqual(summary("Submit disbursement 42"));
    expect(summarizeAction(submit, JSON_TYPE, '{"id":"42"}', { id: "42" })).toEqual(summary("Submit disbursement 42"));
    expect(summarizeAction(submit, JSON_TYPE, '{"id":42}', { id: "42" })).toEqual(summary("Submit disbursement 42"));
    expect(summarizeAction(submit, FORM, "id=42", { id: "42" })).toEqual(summary("Submit disbursement 42"));
    expect(summarizeAction(submit, JSON_TYPE, '{"id":"43"}', { id: "42" })).toEqual({ ok: false, reason: "unclear" });
    expect(summarizeAction(submit, FORM, "id=43", { id: "42" })).toEqual({ ok: false, reason: "unclear" });
    expect(summarizeAction(submit, FORM, "id[]=42", { id: "42" })).toEqual({ ok: false, reason: "unclear" });
    expect(summarizeAction(submit, "", "", { id: "42" })).toEqual(summary("Submit disbursement 42"));
  });

  it("reads nothing from a body of another type: summarised body fields are then unclear", () => {
    expect(summarizeAction(CREATE, "text/plain", "amount=1&payee=A", {})).toEqual({ ok: false, reason: "unclear" });
    expect(summarizeAction("Pay {id}", "text/plain", "amount=1", { id: "7" })).toEqual(summary("Pay 7"));
  });

  it("fills a placeholder named twice in the template from one reading", () => {
    expect(summarizeAction("{payee} / {payee}", FORM, "payee=A", {})).toEqual(summary("A / A"));
  });
});

describe("how values are shown", () => {
  const shown = (payee: string) => {
    const result = summarizeAction("To {payee}", JSON_TYPE, JSON.stringify({ payee }), {});
    return result.ok ? result.summary : result.reason;
  };

  it("reads line breaks and tabs as spaces and trims the ends", () => {
    expect(shown("  Acme\nDrywall\t Inc\r\n")).toBe("To Acme Drywall  Inc");
    expect(shown("a\u2028b\u2029c\vd\fe")).toBe("To a b c d e");
  });

  it("shows control and invisible format characters instead of letting them hide or reorder text", () => {
    expect(shown("Acme\u202Elivе")).toBe("To Acme\uFFFDlivе");
    expect(shown("Ac\u200Bme")).toBe("To Ac\uFFFDme");
    expect(shown("A\u0000B\u007fC")).toBe("To A\uFFFDB\uFFFDC");
  });

  it("shows an empty value as (empty)", () => {
    expect(shown("")).toBe("To (empty)");
    expect(shown(" \n ")).toBe("To (empty)");
  });

  it("cuts a long value where the person sees it, counting characters, not UTF-16 units", () => {
    expect(shown("x".repeat(80))).toBe(`To ${"x".repeat(80)}`);
    expect(shown("x".repeat(81))).toBe(`To ${"x".repeat(80)}… (+1 more characters)`);
    expect(shown("😀".repeat(82))).toBe(`To ${"😀".repeat(80)}… (+2 more characters)`);
  });

  it("formats an amount of whole units or cents as dollars, and anything else as typed", () => {
    const amount = (value: string) => renderSummary("{amount}", { amount: value });
    expect(amount("5")).toBe("$5.00");
    expect(amount(" 1234567.8 ")).toBe("$1,234,567.80");
    expect(amount("0.05")).toBe("$0.05");
    expect(amount("1.005")).toBe("1.005");
    expect(amount("1e3")).toBe("1e3");
    expect(amount("-5")).toBe("-5");
    expect(amount("5.")).toBe("5.");
    expect(renderSummary("{payee}", { payee: "5" })).toBe("5");
  });

  it("shows a value the template names but nobody gave as (not given)", () => {
    expect(renderSummary("{a} {b_1}", { a: "x" })).toBe("x (not given)");
    expect(renderSummary("{a} {1b} {}", { a: "x" })).toBe("x {1b} {}");
  });
});

describe("hasDuplicateFields", () => {
  it.each([
    [JSON_TYPE, '{"a":1,"a":2}', true],
    ["Application/JSON; charset=utf-8", '{"a":1,"a":2}', true],
    [JSON_TYPE, '{"a":1,"b":2}', false],
    [JSON_TYPE, '{"a":1,"a":2', false], // not JSON: nothing is shown, a JSON origin refuses it
    [FORM, "a=1&b=2&a=3", true],
    ["APPLICATION/X-WWW-FORM-URLENCODED", "a=1&a=3", true],
    [FORM, "a=1&b=2", false],
    ["text/plain", "a=1&a=2", false],
    ["multipart/form-data", '{"a":1,"a":2}', false],
  ])("%s %j -> %s", (mediaType, body, duplicate) => {
    expect(hasDuplicateFields(mediaType, body)).toBe(duplicate);
  });
});
