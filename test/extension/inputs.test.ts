// What a person types: gateway addresses on the options page and the popup's 6-digit code.
import { describe, expect, test } from "vitest";
import { codeToSend, keepDigits } from "../../extension/lib/code-input";
import { hostPatternFor, originOf, parseGatewayInput } from "../../extension/lib/gateways";

describe("parseGatewayInput", () => {
  test.each([
    ["app.example.com", { origin: "https://app.example.com", prefix: "/_stepgate" }],
    ["https://app.example.com/", { origin: "https://app.example.com", prefix: "/_stepgate" }],
    ["https://app.example.com/_stepgate/login?next=/", { origin: "https://app.example.com", prefix: "/_stepgate" }],
    ["https://app.example.com/_mfa/", { origin: "https://app.example.com", prefix: "/_mfa" }],
    ["https://app.example.com/payments/", { origin: "https://app.example.com", prefix: "/_stepgate" }],
    ["HTTPS://APP.example.com:8443", { origin: "https://app.example.com:8443", prefix: "/_stepgate" }],
    ["http://127.0.0.1:8787", { origin: "http://127.0.0.1:8787", prefix: "/_stepgate" }],
    ["http://localhost:8787/", { origin: "http://localhost:8787", prefix: "/_stepgate" }],
  ])("%s", (input, expected) => {
    expect(parseGatewayInput(input)).toEqual(expected);
  });

  test.each(["", "   ", "http://app.example.com", "ftp://app.example.com", "javascript:alert(1)", "https://user:pw@app.example.com", "https://", "x".repeat(3000)])(
    "refuses %j",
    (input) => {
      expect(parseGatewayInput(input)).toBeNull();
    },
  );

  test("host access is asked for the host alone (patterns cannot carry ports)", () => {
    expect(hostPatternFor("https://app.example.com:8443")).toBe("https://app.example.com/*");
    expect(hostPatternFor("http://127.0.0.1:8787")).toBe("http://127.0.0.1/*");
  });

  test("originOf handles extension URLs and refuses host-less ones", () => {
    expect(originOf("chrome-extension://abc/popup.html")).toBe("chrome-extension://abc");
    expect(originOf("moz-extension://1234-5678/popup.html")).toBe("moz-extension://1234-5678");
    expect(originOf("https://app.example.com:443/x")).toBe("https://app.example.com");
    expect(originOf("about:blank")).toBeNull();
    expect(originOf("data:text/html,hi")).toBeNull();
    expect(originOf(undefined)).toBeNull();
    expect(originOf("not a url")).toBeNull();
  });
});

describe("code input", () => {
  test.each([
    ["123456", "123456"],
    ["123 456", "123456"],
    ["12-34-56", "123456"],
    ["1234567", "123456"],
    ["12a3", "123"],
    ["١٢٣٤٥٦", ""], // other scripts' digits are not ASCII digits
    ["", ""],
  ])("typing or pasting %j shows %j", (typed, shown) => {
    expect(keepDigits(typed)).toBe(shown);
  });

  test("only exactly six digits are sent", () => {
    expect(codeToSend("123456")).toBe("123456");
    expect(codeToSend("12345")).toBeNull();
    expect(codeToSend("1234567")).toBeNull();
    expect(codeToSend("12345a")).toBeNull();
  });
});
