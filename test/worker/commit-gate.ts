/**
 * Holds verifications at the account object's commit point (worker/lib/test-hooks.ts): every one
 * that passed its check waits there until the test releases them all at once, so a commit that
 * trusts what was read before its check would let two of them through. The Durable Objects run in
 * this test's isolate, so the hook set here is the one they call.
 *
 * The two sides share plain counters and flags only, each polling them on its own timer: a promise
 * created in the object and settled by the test (or the reverse) would run its continuation in
 * the other's I/O context, which workerd refuses ("Cannot perform I/O on behalf of a different
 * Durable Object"). Polling waits on a condition, never on a fixed time.
 */
import { afterEach } from "vitest";
import { testHooks, type CommitSite } from "../../worker/lib/test-hooks";

const POLL_MS = 2;
const GIVE_UP_MS = 20_000;
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, POLL_MS));

export interface CommitGate {
  /** How many calls reached the commit point (passed their check) so far. */
  readonly held: number;
  /** Counts `work` as one of the calls to wait for; returns it unchanged. */
  track<P extends PromiseLike<unknown>>(work: P): P;
  /**
   * Resolves once every tracked call is either held at the commit or already answered (refused
   * before its check), and at least `minHeld` are held.
   */
  parked(minHeld?: number): Promise<void>;
  /** Lets every held call go on, and removes the hook (later calls do not stop). */
  release(): void;
}

let active: CommitGate | null = null;

/** Holds calls that reach the commit for one of `sites`; other sites pass straight through. */
export function holdCommits(...sites: CommitSite[]): CommitGate {
  let held = 0;
  let tracked = 0;
  let settled = 0;
  let released = false;
  testHooks.beforeCommit = async (site) => {
    if (!sites.includes(site)) return;
    held += 1;
    while (!released) await tick();
  };
  const gate: CommitGate = {
    get held() {
      return held;
    },
    track(work) {
      tracked += 1;
      const count = () => void (settled += 1);
      void Promise.resolve(work).then(count, count);
      return work;
    },
    async parked(minHeld = 1) {
      const started = Date.now();
      while (!(held >= minHeld && held + settled >= tracked)) {
        if (Date.now() - started > GIVE_UP_MS) throw new Error(`commit gate: ${held} held, ${settled} of ${tracked} answered; wanted ${minHeld} held`);
        await tick();
      }
    },
    release() {
      released = true;
      if (active === gate) active = null;
      delete testHooks.beforeCommit;
    },
  };
  active = gate;
  return gate;
}

/** A test that fails half-way must not leave the hook set, or calls held, for the next one. */
export function releaseCommitsAfterEach(): void {
  afterEach(() => active?.release());
}
