// Measurement build of the gateway (bench only, never deployed): the real Worker entry with its
// Durable Object namespace bindings wrapped so that every namespace call (idFromName, get, ...)
// and every call on a stub (an RPC method or fetch) is counted. KV needs no wrapper here: the
// benchmark's KV service counts every operation that reaches it. `GET /__bench/do-counts` with
// `x-bench-control: 1` answers the counts.
import worker, { AccountDO, CompanyDO } from "../../worker/index";

export { AccountDO, CompanyDO };

type Counts = Record<string, number>;
const counts: Counts = {};
const bump = (name: string) => {
  counts[name] = (counts[name] ?? 0) + 1;
};

function wrapStub(binding: string, stub: object): object {
  return new Proxy(stub, {
    get(target, property) {
      const value = Reflect.get(target, property);
      // `then` must stay as the runtime answers it, or awaiting a stub would become an RPC call.
      if (typeof value !== "function" || typeof property !== "string" || property === "then") return value;
      return (...args: unknown[]) => {
        bump(`${binding}.stub.${property}`);
        return Reflect.apply(value as (...a: unknown[]) => unknown, target, args); // not value.apply: on a stub, `apply` would be an RPC name
      };
    },
  });
}

function wrapNamespace(binding: string, namespace: object): object {
  return new Proxy(namespace, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        bump(`${binding}.${property}`);
        const result = Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
        return property === "get" || property === "getByName" ? wrapStub(binding, result as object) : result;
      };
    },
  });
}

// One wrapped env per real env object, so the gateway's per-env caches behave as in production.
const wrapped = new WeakMap<object, Record<string, unknown>>();
function wrapEnv(env: Record<string, unknown>): Record<string, unknown> {
  let result = wrapped.get(env);
  if (!result) {
    result = { ...env, ACCOUNT: wrapNamespace("ACCOUNT", env.ACCOUNT as object), COMPANY: wrapNamespace("COMPANY", env.COMPANY as object) };
    wrapped.set(env, result);
  }
  return result;
}

let envObjects = 0;
const seenEnvs = new WeakSet<object>();

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext): Promise<Response> {
    if (!seenEnvs.has(env)) {
      seenEnvs.add(env);
      envObjects++;
    }
    if (request.headers.get("x-bench-control") === "1" && new URL(request.url).pathname === "/__bench/do-counts")
      return Response.json({ counts, envObjects });
    return worker.fetch(request, wrapEnv(env) as never, ctx);
  },
};
