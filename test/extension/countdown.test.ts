// Countdown arithmetic: the 30-second code window follows the shared core's time step.
import { describe, expect, test } from "vitest";
import { timeStepAt } from "../../shared/totp";
import { formatDuration, IDLE_PROMPT_BEFORE_MS, idlePhase, idlePromptAt, secondsLeft, secondsUntilNextCode } from "../../extension/lib/countdown";

describe("secondsUntilNextCode", () => {
  test.each([
    [0, 30],
    [1, 30],
    [1_000, 29],
    [29_000, 1],
    [29_999, 1],
    [30_000, 30],
    [59_500, 1],
  ])("at %i ms it is %i s", (nowMs, expected) => {
    expect(secondsUntilNextCode(nowMs)).toBe(expected);
  });

  test("flips exactly when the time step changes", () => {
    const base = 1_795_425_420_000; // a step boundary
    expect(timeStepAt(base - 1)).toBe(timeStepAt(base) - 1);
    expect(secondsUntilNextCode(base - 1)).toBe(1);
    expect(secondsUntilNextCode(base)).toBe(30);
  });

  test("refuses a bad clock reading like the core does", () => {
    expect(() => secondsUntilNextCode(-1)).toThrow(TypeError);
  });
});

test("secondsLeft rounds up and never goes negative", () => {
  expect(secondsLeft(10_001, 0)).toBe(11);
  expect(secondsLeft(10_000, 0)).toBe(10);
  expect(secondsLeft(0, 5_000)).toBe(0);
});

test("formatDuration", () => {
  expect(formatDuration(0)).toBe("0:00");
  expect(formatDuration(9)).toBe("0:09");
  expect(formatDuration(245)).toBe("4:05");
  expect(formatDuration(3723)).toBe("1:02:03");
  expect(formatDuration(-3)).toBe("0:00");
});

describe("payments idle", () => {
  const deadline = 1_000_000;
  test.each([
    [null, 0, "none"],
    [undefined, 0, "none"],
    [deadline, deadline - IDLE_PROMPT_BEFORE_MS - 1, "counting"],
    [deadline, deadline - IDLE_PROMPT_BEFORE_MS, "soon"],
    [deadline, deadline - 1, "soon"],
    [deadline, deadline, "ended"],
  ])("deadline %s at %i is %s", (expiresAt, nowMs, phase) => {
    expect(idlePhase(expiresAt, nowMs)).toBe(phase);
  });

  test("the prompt is scheduled a few minutes before, or now when already inside that window", () => {
    expect(idlePromptAt(deadline, 0)).toBe(deadline - IDLE_PROMPT_BEFORE_MS);
    expect(idlePromptAt(deadline, deadline - 1000)).toBe(deadline - 1000);
  });
});
