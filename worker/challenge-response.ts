/**
 * How a request that needs a second factor is answered, in one place for sign-in and step-up:
 * page navigations are redirected; anything else gets 401, the challenge JSON and the
 * `WWW-Authenticate: Stepgate challenge="<id>"` header (docs/API.md, "Challenge protocol").
 */
import type { Context } from "hono";
import { CHALLENGE_AUTH_SCHEME, type Challenge } from "../shared/protocol";
import type { AppEnv } from "./env";

/** A top-level page load: Sec-Fetch-Mode when the browser sends it, else an HTML Accept. */
export function isNavigation(c: Context<AppEnv>): boolean {
  const mode = c.req.header("sec-fetch-mode");
  if (mode) return mode === "navigate";
  return (c.req.header("accept") ?? "").includes("text/html");
}

export function challengeRequired(c: Context<AppEnv>, challenge: Challenge): Response {
  c.header("WWW-Authenticate", `${CHALLENGE_AUTH_SCHEME} challenge="${challenge.id}"`);
  const message = "Verify your identity to continue: complete the challenge, then repeat the request.";
  return c.json({ error: { code: "CHALLENGE_REQUIRED", message }, challenge }, 401);
}
