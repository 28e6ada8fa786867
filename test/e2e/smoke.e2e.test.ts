// Smoke test for the end-to-end harness: the stack starts, and the demo origin refuses a request
// that did not come through the gateway.
import { afterAll, beforeAll, expect, test } from "vitest";
import { startStack, type Stack } from "./harness";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

test("the demo origin refuses a request without a Stepgate assertion", async () => {
  const response = await fetch(`${stack.origin.url}/whoami`);
  expect(response.status).toBe(401);
  expect(await response.text()).toContain("Not through Stepgate");
  expect(stack.origin.requests).toContainEqual({ method: "GET", path: "/whoami", sub: null });
});

test("the demo origin refuses a forged assertion", async () => {
  const response = await fetch(`${stack.origin.url}/whoami`, {
    headers: { "Stepgate-Assertion": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." },
  });
  expect(response.status).toBe(401);
});
