/**
 * Edges of shared/totp.ts and shared/totp-params.ts: argument checks that keep a caller's mistake
 * from turning into a wrong answer (every one is a TypeError before any HMAC), the search-window
 * limit, the drift probe never matching inside the verification window, and the drift hints.
 */
import { describe, expect, it } from "vitest";
import { describeDrift, generateTotp, generateTotpForStep, probeTotpDrift, verifyTotp } from "../../shared/totp";

const SECRET = new Uint8Array(20).map((_, i) => i + 1);
const NOW_MS = Date.UTC(2026, 11, 1, 12, 0, 10);
const STEP = Math.floor(NOW_MS / 30_000);

describe("argument checks", () => {
  it("generateTotpForStep refuses a negative or fractional step and a short or non-byte secret", async () => {
    await expect(generateTotpForStep(SECRET, -1)).rejects.toThrow(TypeError);
    await expect(generateTotpForStep(SECRET, 1.5)).rejects.toThrow(TypeError);
    await expect(generateTotpForStep(new Uint8Array(15), 1)).rejects.toThrow(TypeError);
    await expect(generateTotpForStep(Array.from(SECRET) as unknown as Uint8Array, 1)).rejects.toThrow(TypeError);
    expect(await generateTotpForStep(SECRET, 0)).toMatch(/^[0-9]{6}$/);
  });

  it("a period must be 1 to 3600 seconds", async () => {
    expect(await generateTotp(SECRET, NOW_MS, { periodSeconds: 3600 })).toMatch(/^[0-9]{6}$/);
    expect(await generateTotp(SECRET, NOW_MS, { periodSeconds: 1 })).toMatch(/^[0-9]{6}$/);
    await expect(generateTotpForStep(SECRET, 1, { periodSeconds: 0 })).rejects.toThrow(TypeError);
    await expect(generateTotpForStep(SECRET, 1, { periodSeconds: 3601 })).rejects.toThrow(TypeError);
    await expect(generateTotpForStep(SECRET, 1, { periodSeconds: 1.5 })).rejects.toThrow(TypeError);
  });

  it("windows up to 60 steps are allowed, never more", async () => {
    const code = await generateTotpForStep(SECRET, STEP - 60);
    expect(await verifyTotp(SECRET, code, NOW_MS, { windowSteps: 60 })).toEqual({ ok: true, timeStep: STEP - 60 });
    await expect(verifyTotp(SECRET, code, NOW_MS, { windowSteps: 61 })).rejects.toThrow(TypeError);
    await expect(probeTotpDrift(SECRET, code, NOW_MS, { probeSteps: 61 })).rejects.toThrow(TypeError);
    expect(await probeTotpDrift(SECRET, code, NOW_MS, { probeSteps: 60 })).toEqual({ driftSteps: -60, driftSeconds: -1800 });
  });

  it("the drift probe checks its secret too", async () => {
    await expect(probeTotpDrift(new Uint8Array(10), "123456", NOW_MS)).rejects.toThrow(TypeError);
  });
});

describe("probeTotpDrift looks only beyond the verification window", () => {
  it("finds nothing for a code the window would accept", async () => {
    for (const offset of [-1, 0, 1]) expect(await probeTotpDrift(SECRET, await generateTotpForStep(SECRET, STEP + offset), NOW_MS)).toBeNull();
  });

  it("finds a code two steps away", async () => {
    expect(await probeTotpDrift(SECRET, await generateTotpForStep(SECRET, STEP + 2), NOW_MS)).toEqual({ driftSteps: 2, driftSeconds: 60 });
    expect(await probeTotpDrift(SECRET, await generateTotpForStep(SECRET, STEP - 2), NOW_MS)).toEqual({ driftSteps: -2, driftSeconds: -60 });
  });
});

describe("describeDrift", () => {
  it.each([
    [0, "Your device clock looks right."],
    [29, "Your device clock looks right."],
    [-29, "Your device clock looks right."],
    [30, "Your device clock looks about 30 seconds ahead."],
    [-30, "Your device clock looks about 30 seconds behind."],
    [59, "Your device clock looks about 59 seconds ahead."],
    [60, "Your device clock looks about 1 minute ahead."],
    [89, "Your device clock looks about 1 minute ahead."],
    [90, "Your device clock looks about 2 minutes ahead."],
    [-300, "Your device clock looks about 5 minutes behind."],
    [3600, "Your device clock looks about 1 hour ahead."],
    [3 * 3600, "Your device clock looks about 3 hours ahead."],
  ])("%i s: %s", (seconds, text) => {
    expect(describeDrift(seconds)).toBe(text);
  });

  it("refuses a drift that is not a number", () => {
    expect(() => describeDrift(Number.NaN)).toThrow(TypeError);
  });
});
