/**
 * Storage failures injected into one live account object: the next matching write (a `put` or
 * `delete` of a key the test names), or the next `transactionSync`, throws once, as a storage
 * outage would; everything else passes through untouched. Installed on the object's instance
 * (its `kv` accessor, its `ctx.storage.transactionSync`), so only that account is affected.
 */
import { runInDurableObject } from "cloudflare:test";
import type { AccountDO } from "../../worker/do/account";

export type WriteOp = "put" | "delete";
export const INJECTED = "injected storage failure";

interface Internals {
  ctx: DurableObjectState;
}

/** The next `op` of a key matching `key` throws (once); resolves to a check of whether it fired. */
export async function failNextWrite(stub: DurableObjectStub<AccountDO>, op: WriteOp, key: string | RegExp): Promise<() => Promise<boolean>> {
  const matches = (k: string) => (typeof key === "string" ? k === key : key.test(k));
  const fired = await runInDurableObject(stub, (instance) => {
    const real = (instance as unknown as Internals).ctx.storage.kv;
    const state = { armed: true };
    const kv = new Proxy(real, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== "function") return value;
        if (prop !== op) return value.bind(target);
        return (k: string, ...rest: unknown[]) => {
          if (state.armed && matches(k)) {
            state.armed = false;
            throw new Error(INJECTED);
          }
          return (value as (...args: unknown[]) => unknown).call(target, k, ...rest);
        };
      },
    });
    Object.defineProperty(instance, "kv", { configurable: true, get: () => kv });
    return state;
  });
  return () => runInDurableObject(stub, () => !fired.armed);
}

/** The next `transactionSync` of the object throws before running its block (once). */
export async function failNextTransaction(stub: DurableObjectStub<AccountDO>): Promise<() => Promise<boolean>> {
  const fired = await runInDurableObject(stub, (instance) => {
    const storage = (instance as unknown as Internals).ctx.storage;
    const real = storage.transactionSync.bind(storage);
    const state = { armed: true };
    Object.defineProperty(storage, "transactionSync", {
      configurable: true,
      value: <T>(block: () => T): T => {
        if (state.armed) {
          state.armed = false;
          throw new Error(INJECTED);
        }
        return real(block);
      },
    });
    return state;
  });
  return () => runInDurableObject(stub, () => !fired.armed);
}

/** Everything the account object holds, by key (for "fully before / fully after" comparisons). */
export function snapshot(stub: DurableObjectStub<AccountDO>): Promise<Record<string, unknown>> {
  return runInDurableObject(stub, (_instance, state) => Object.fromEntries(state.storage.kv.list()));
}
