import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  describeDrift,
  generateTotp,
  generateTotpForStep,
  generateTotpSecret,
  probeTotpDrift,
  timeStepAt,
  verifyTotp,
} from "../../shared/totp";

const SECRET = new Uint8Array(20).map((_, index) => index * 7 + 1);
// 2026-11-23T12:00:10Z: 10 s into a step, so ±1 step stays clear of boundaries.
const NOW_MS = Date.UTC(2026, 10, 23, 12, 0, 10);
const STEP = timeStepAt(NOW_MS);
const STEP_MS = 30_000;

describe("timeStepAt", () => {
  it("is floor(unix seconds / period)", () => {
    expect(timeStepAt(0)).toBe(0);
    expect(timeStepAt(29_999)).toBe(0);
    expect(timeStepAt(30_000)).toBe(1);
    expect(timeStepAt(59_000, 60)).toBe(0);
    expect(timeStepAt(1_111_111_109_000)).toBe(37_037_036);
  });

  it("throws TypeError on misuse", () => {
    expect(() => timeStepAt(-1)).toThrow(TypeError);
    expect(() => timeStepAt(Number.NaN)).toThrow(TypeError);
    expect(() => timeStepAt(NOW_MS, 0)).toThrow(TypeError);
    expect(() => timeStepAt(NOW_MS, 1.5)).toThrow(TypeError);
  });
});

describe("generateTotp", () => {
  it("produces `digits` ASCII digits", async () => {
    expect(await generateTotp(SECRET, NOW_MS)).toMatch(/^[0-9]{6}$/);
    expect(await generateTotp(SECRET, NOW_MS, { digits: 8 })).toMatch(/^[0-9]{8}$/);
  });

  it("is stable within a step and equals generateTotpForStep", async () => {
    const stepStartMs = STEP * STEP_MS;
    const code = await generateTotpForStep(SECRET, STEP);
    expect(await generateTotp(SECRET, stepStartMs)).toBe(code);
    expect(await generateTotp(SECRET, stepStartMs + STEP_MS - 1)).toBe(code);
  });

  it("honours a custom period", async () => {
    const code = await generateTotp(SECRET, NOW_MS, { periodSeconds: 60 });
    const params = { periodSeconds: 60 };
    expect(code).toBe(await generateTotpForStep(SECRET, timeStepAt(NOW_MS, 60), params));
  });

  it.each([
    ["secret too short", new Uint8Array(15), {}],
    ["secret too long", new Uint8Array(65), {}],
    ["digits 7", SECRET, { digits: 7 }],
    ["period 0", SECRET, { periodSeconds: 0 }],
    ["period 30.5", SECRET, { periodSeconds: 30.5 }],
    ["period 3601", SECRET, { periodSeconds: 3601 }],
    ["algorithm MD5", SECRET, { algorithm: "MD5" }],
  ])("throws TypeError: %s", async (_, secret, params) => {
    await expect(generateTotp(secret, NOW_MS, params as never)).rejects.toThrow(TypeError);
  });
});

describe("generateTotpSecret", () => {
  it("returns 20 fresh random bytes", () => {
    const first = generateTotpSecret();
    expect(first).toBeInstanceOf(Uint8Array);
    expect(first.length).toBe(20);
    expect(generateTotpSecret()).not.toEqual(first);
  });
});

describe("verifyTotp", () => {
  it.each([-1, 0, 1])("accepts the code of step offset %i, returning that step", async (offset) => {
    const code = await generateTotpForStep(SECRET, STEP + offset);
    expect(await verifyTotp(SECRET, code, NOW_MS)).toEqual({ ok: true, timeStep: STEP + offset });
  });

  it.each([-3, -2, 2, 3])("refuses the code of step offset %i", async (offset) => {
    const code = await generateTotpForStep(SECRET, STEP + offset);
    // Skip the (1 in 10^6) case where the far step's code collides with a near one.
    const near = await Promise.all([-1, 0, 1].map((o) => generateTotpForStep(SECRET, STEP + o)));
    if (near.includes(code)) return;
    expect(await verifyTotp(SECRET, code, NOW_MS)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("with windowSteps 0 accepts only the current step", async () => {
    const previous = await generateTotpForStep(SECRET, STEP - 1);
    const current = await generateTotpForStep(SECRET, STEP);
    const params = { windowSteps: 0 };
    expect(await verifyTotp(SECRET, current, NOW_MS, params)).toEqual({ ok: true, timeStep: STEP });
    expect(await verifyTotp(SECRET, previous, NOW_MS, params)).toMatchObject({ ok: false });
  });

  it("prefers the step nearest now when one code is valid in several steps", async () => {
    // Found offline by scanning steps: SECRET has the same code in steps 60243296 and 60243297.
    const [earlier, later, code] = [60_243_296, 60_243_297, "126908"];
    expect(await generateTotpForStep(SECRET, earlier)).toBe(code);
    expect(await generateTotpForStep(SECRET, later)).toBe(code);
    const inStepMs = (step: number) => step * STEP_MS + 10_000;
    const matchedStep = async (nowStep: number, windowSteps = 1) => {
      const result = await verifyTotp(SECRET, code, inStepMs(nowStep), { windowSteps });
      return result.ok ? result.timeStep : null;
    };
    expect(await matchedStep(later)).toBe(later);
    expect(await matchedStep(earlier)).toBe(earlier);
    expect(await matchedStep(later + 1, 2)).toBe(later);
    expect(await matchedStep(earlier - 1, 2)).toBe(earlier);
  });

  it.each(["", "12345", "1234567", "12345a", "12 456", "١٢٣٤٥٦", "123456\n", "+12345"])(
    "returns malformed for %j",
    async (code) => {
      expect(await verifyTotp(SECRET, code, NOW_MS)).toEqual({ ok: false, reason: "malformed" });
    },
  );

  it("requires 8 digits when digits is 8", async () => {
    const code = await generateTotp(SECRET, NOW_MS, { digits: 8 });
    const result = await verifyTotp(SECRET, code, NOW_MS, { digits: 8 });
    expect(result).toEqual({ ok: true, timeStep: STEP });
    expect(await verifyTotp(SECRET, code.slice(2), NOW_MS, { digits: 8 })).toMatchObject({
      reason: "malformed",
    });
  });

  it("does not look before step 0", async () => {
    const code = await generateTotpForStep(SECRET, 0);
    expect(await verifyTotp(SECRET, code, 0)).toEqual({ ok: true, timeStep: 0 });
  });

  it("throws TypeError on misuse, even for a malformed code", async () => {
    await expect(verifyTotp(new Uint8Array(10), "123456", NOW_MS)).rejects.toThrow(TypeError);
    await expect(verifyTotp(SECRET, "x", NOW_MS, { windowSteps: -1 })).rejects.toThrow(TypeError);
    await expect(verifyTotp(SECRET, "x", NOW_MS, { windowSteps: 61 })).rejects.toThrow(TypeError);
    await expect(verifyTotp(SECRET, "x", Number.NaN)).rejects.toThrow(TypeError);
  });

  it("accepts any step within the window at any time (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.integer({ min: 30_000, max: 4_102_444_800_000 }),
        fc.integer({ min: -1, max: 1 }),
        async (secret, nowMs, offset) => {
          const step = timeStepAt(nowMs) + offset;
          const code = await generateTotpForStep(secret, step);
          const result = await verifyTotp(secret, code, nowMs);
          expect(result.ok).toBe(true);
          // A code may also be valid in a nearer step by coincidence; never further away.
          const distance = result.ok ? Math.abs(result.timeStep - timeStepAt(nowMs)) : Infinity;
          expect(distance).toBeLessThanOrEqual(Math.abs(offset));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("probeTotpDrift", () => {
  it("finds a device 5 steps ahead", async () => {
    const code = await generateTotpForStep(SECRET, STEP + 5);
    expect(await verifyTotp(SECRET, code, NOW_MS)).toMatchObject({ ok: false });
    const drift = await probeTotpDrift(SECRET, code, NOW_MS);
    expect(drift).toEqual({ driftSteps: 5, driftSeconds: 150 });
  });

  it("finds a device 7 steps behind", async () => {
    const code = await generateTotpForStep(SECRET, STEP - 7);
    const drift = await probeTotpDrift(SECRET, code, NOW_MS);
    expect(drift).toEqual({ driftSteps: -7, driftSeconds: -210 });
  });

  it("scales drift seconds with the period", async () => {
    const params = { periodSeconds: 60 };
    const code = await generateTotpForStep(SECRET, timeStepAt(NOW_MS, 60) + 3, params);
    const drift = await probeTotpDrift(SECRET, code, NOW_MS, params);
    expect(drift).toEqual({ driftSteps: 3, driftSeconds: 180 });
  });

  it("ignores matches inside the verification window and beyond probeSteps", async () => {
    const inWindow = await generateTotpForStep(SECRET, STEP + 1);
    const tooFar = await generateTotpForStep(SECRET, STEP + 11);
    expect(await probeTotpDrift(SECRET, inWindow, NOW_MS)).toBeNull();
    expect(await probeTotpDrift(SECRET, tooFar, NOW_MS)).toBeNull();
    expect(await probeTotpDrift(SECRET, tooFar, NOW_MS, { probeSteps: 11 })).toEqual({
      driftSteps: 11,
      driftSeconds: 330,
    });
  });

  it("returns null for malformed codes and throws on a bad probe width", async () => {
    expect(await probeTotpDrift(SECRET, "abc", NOW_MS)).toBeNull();
    for (const probeSteps of [1, 61]) {
      const probe = probeTotpDrift(SECRET, "123456", NOW_MS, { probeSteps });
      await expect(probe).rejects.toThrow(TypeError);
    }
  });
});

describe("describeDrift", () => {
  it.each([
    [0, "Your device clock looks right."],
    [180, "Your device clock looks about 3 minutes ahead."],
    [-180, "Your device clock looks about 3 minutes behind."],
    [60, "Your device clock looks about 1 minute ahead."],
    [45, "Your device clock looks about 45 seconds ahead."],
    [-300, "Your device clock looks about 5 minutes behind."],
    [3600, "Your device clock looks about 1 hour ahead."],
    [-7200, "Your device clock looks about 2 hours behind."],
  ])("%i s -> %s", (driftSeconds, text) => {
    expect(describeDrift(driftSeconds)).toBe(text);
  });

  it("throws TypeError for a non-finite drift", () => {
    expect(() => describeDrift(Number.NaN)).toThrow(TypeError);
  });
});
