/**
 * Matching a request to a declared sensitive action (DESIGN.md "Demo data", docs/decisions/0005
 * and 0008): method and path pattern, case-insensitive like common origin routers, trailing
 * slashes and trimmable segment ends (trailing dots, `%20`) ignored, HEAD treated as GET.
 * Matching more than the origin would is the safe side; missing a spelling is the bug.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_SENSITIVE_ACTIONS, matchAction, pathForMatching, type SensitiveAction } from "../../worker/payments/actions";

const ACTIONS: SensitiveAction[] = [
  { method: "POST", path: "/payments/disbursements", summary: "create" },
  { method: "POST", path: "/payments/disbursements/:id/submit", summary: "submit" },
  { method: "PUT", path: "/payments/bank-accounts/:id", summary: "edit" },
  { method: "DELETE", path: "/payments/bank-accounts/:id", summary: "deactivate" },
  { method: "GET", path: "/payments/agreements/:id", summary: "review" },
  { method: "POST", path: "/payments/agreements/:id/accept/", summary: "accept" }, // declared with a trailing slash
];

const summaryOf = (method: string, path: string) => matchAction(ACTIONS, method, path)?.action.summary ?? null;

describe("pathForMatching: segment ends an origin may trim", () => {
  it.each([
    ["/payments/x", "/payments/x"],
    ["/payments./x", "/payments/x"],
    ["/payments../x", "/payments/x"],
    ["/payments%20/x", "/payments/x"],
    ["/payments%20%20/x", "/payments/x"],
    ["/payments.%20./x", "/payments/x"],
    ["/payments/x.", "/payments/x"],
    ["/payments/x%20", "/payments/x"],
    ["/a.b/c", "/a.b/c"],
    ["/a%20b/c", "/a%20b/c"],
    ["/.well-known/x", "/.well-known/x"],
    ["/a%2/b", "/a%2/b"],
  ])("%j is matched as %j", (path, matched) => {
    expect(pathForMatching(path)).toBe(matched);
  });
});

describe("matchAction", () => {
  it("matches method and path, and returns the decoded path parameters", () => {
    expect(matchAction(ACTIONS, "POST", "/payments/disbursements")).toEqual({ action: ACTIONS[0], params: {} });
    expect(matchAction(ACTIONS, "POST", "/payments/disbursements/42/submit")).toEqual({ action: ACTIONS[1], params: { id: "42" } });
    expect(matchAction(ACTIONS, "PUT", "/payments/bank-accounts/acct%201")).toEqual({ action: ACTIONS[2], params: { id: "acct 1" } });
  });

  it.each([
    ["POST", "/payments/disbursements/", "create"],
    ["POST", "/payments/disbursements//", "create"],
    ["POST", "/PAYMENTS/Disbursements", "create"],
    ["post", "/payments/disbursements", "create"],
    ["POST", "/payments./disbursements", "create"],
    ["POST", "/payments%20/disbursements.", "create"],
    ["POST", "/Payments/disbursements/7/SUBMIT/", "submit"],
    ["DELETE", "/payments/bank-accounts/9", "deactivate"],
    ["GET", "/payments/agreements/3", "review"],
    ["HEAD", "/payments/agreements/3", "review"], // origins answer HEAD with the GET handler
    ["head", "/payments/agreements/3", "review"],
    ["POST", "/payments/agreements/3/accept", "accept"],
    ["POST", "/payments/agreements/3/accept/", "accept"],
  ])("%s %s is the %s action", (method, path, summary) => {
    expect(summaryOf(method, path)).toBe(summary);
  });

  it.each([
    ["GET", "/payments/disbursements"], // another method
    ["HEAD", "/payments/disbursements"], // HEAD is GET, not POST
    ["PATCH", "/payments/bank-accounts/9"],
    ["POST", "/payments"], // fewer segments
    ["POST", "/payments/disbursements/42"], // fewer than the submit pattern, more than create
    ["POST", "/payments/disbursements/42/submit/now"], // more segments
    ["POST", "/payments/disbursements//submit"], // an empty parameter
    ["POST", "/payment/disbursements"],
    ["POST", "/payments/disbursement"],
    ["POST", "/other/payments/disbursements"],
    ["GET", "/"],
  ])("%s %s is no action", (method, path) => {
    expect(matchAction(ACTIONS, method, path)).toBeNull();
  });

  it("takes the first declared action that matches", () => {
    const both: SensitiveAction[] = [
      { method: "POST", path: "/payments/x/:id", summary: "first" },
      { method: "POST", path: "/payments/x/:other", summary: "second" },
    ];
    expect(matchAction(both, "POST", "/payments/x/1")).toEqual({ action: both[0], params: { id: "1" } });
  });

  it("matches nothing from an empty list", () => {
    expect(matchAction([], "POST", "/payments/disbursements")).toBeNull();
  });

  it("declares the demo origin's actions (DESIGN.md)", () => {
    const declared = (method: string, path: string) => matchAction(DEFAULT_SENSITIVE_ACTIONS, method, path)?.action.path ?? null;
    expect(declared("POST", "/payments/disbursements")).toBe("/payments/disbursements");
    expect(declared("POST", "/payments/disbursements/1/submit")).toBe("/payments/disbursements/:id/submit");
    expect(declared("POST", "/payments/bank-accounts")).toBe("/payments/bank-accounts");
    expect(declared("PUT", "/payments/bank-accounts/1")).toBe("/payments/bank-accounts/:id");
    expect(declared("DELETE", "/payments/bank-accounts/1")).toBe("/payments/bank-accounts/:id");
    expect(declared("POST", "/payments/agreements/1/accept")).toBe("/payments/agreements/:id/accept");
    expect(declared("GET", "/payments/disbursements")).toBeNull();
  });
});
