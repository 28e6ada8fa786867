/**
 * Work that must not delay the answer or show in its timing (audit entries and notices on the
 * sign-in path): started on a later turn of the event loop, after the handler has returned its
 * response, and kept alive with waitUntil. The task handles its own errors (an audit entry lost,
 * a notice not delivered) and logs them; a rejection that still escapes is logged here.
 */
import type { Context } from "hono";

export function afterResponse(c: Context, task: () => Promise<unknown>): void {
  const run = new Promise<void>((resolve) => setTimeout(resolve, 0))
    .then(task)
    .catch((error: unknown) => {
      console.error("stepgate: work after the response failed", error instanceof Error ? error.name : "unknown");
    });
  try {
    c.executionCtx.waitUntil(run);
  } catch {
    void run; // no execution context (unit tests): the work still runs
  }
}
