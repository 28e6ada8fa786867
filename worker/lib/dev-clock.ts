/**
 * A controllable clock for development mode only (walking the 30-minute payments idle rule in a
 * browser). Per isolate; `wrangler dev` runs one. Production never reads the offset: ports.now()
 * applies it only when STEPGATE_MODE is "development", and the endpoint 404s otherwise.
 */
let offsetMs = 0;

export function devClockOffsetMs(): number {
  return offsetMs;
}

/** Moves the development clock forward (never back: time-based rules assume monotonic time). */
export function advanceDevClock(seconds: number): number {
  offsetMs += Math.max(0, Math.floor(seconds)) * 1000;
  return offsetMs;
}
