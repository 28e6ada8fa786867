/**
 * Work that must not delay the answer or show in its timing (audit entries and notices), kept
 * alive with waitUntil. On a route that uses `deliverFirst` (the sign-in answers) the work starts
 * only once the runtime has read the whole answer to send it: an audited refusal then reaches the
 * client as fast as an unaudited one, even where the audit log shares the machine (wrangler dev).
 * Elsewhere it starts on a later turn of the event loop, after the handler has returned. Tasks
 * handle their own errors (an audit entry lost, a notice not delivered); a rejection that still
 * escapes is logged here.
 */
import type { Context, MiddlewareHandler } from "hono";

type Task = () => Promise<unknown>;

/** Tasks held until the answer of a `deliverFirst` route has been read; keyed by its request. */
const heldUntilDelivered = new WeakMap<Request, Task[]>();

export function afterResponse(c: Context, task: Task): void {
  const held = heldUntilDelivered.get(c.req.raw);
  if (held) held.push(task);
  else keepAlive(c, nextTurn().then(task));
}

/**
 * Middleware: the answer is sent first (its body through a FixedLengthStream, so it keeps its
 * Content-Length, whose write completes when the runtime has read it), then the tasks queued by
 * afterResponse during the request run. Every answer of the route is sent this way, whatever was
 * queued, so the framing of the answer says nothing either.
 */
export const deliverFirst: MiddlewareHandler = async (c, next) => {
  const tasks: Task[] = [];
  heldUntilDelivered.set(c.req.raw, tasks);
  try {
    await next();
  } finally {
    heldUntilDelivered.delete(c.req.raw);
  }
  const { delivered } = await sendBodyThroughFixedStream(c);
  keepAlive(
    c,
    delivered.then(() => Promise.all(tasks.map((task) => task().catch(logEscaped)))),
  );
};

/**
 * Replaces c.res by the same answer with its body in a FixedLengthStream; `delivered` resolves
 * once the runtime has read all of it (a write to that stream completes when it is read).
 */
async function sendBodyThroughFixedStream(c: Context): Promise<{ delivered: Promise<void> }> {
  const bytes = c.res.body ? new Uint8Array(await c.res.arrayBuffer()) : new Uint8Array(0);
  if (bytes.byteLength === 0) {
    c.res = new Response(null, c.res);
    return { delivered: nextTurn() };
  }
  const stream = new FixedLengthStream(bytes.byteLength);
  const writer = stream.writable.getWriter();
  const delivered = writer.write(bytes).then(() => writer.close());
  c.res = new Response(stream.readable, c.res);
  return { delivered };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function keepAlive(c: Context, work: Promise<unknown>): void {
  const run = work.catch(logEscaped);
  try {
    c.executionCtx.waitUntil(run);
  } catch {
    void run; // no execution context (unit tests): the work still runs
  }
}

function logEscaped(error: unknown): void {
  console.error("stepgate: work after the response failed", error instanceof Error ? error.name : "unknown");
}
