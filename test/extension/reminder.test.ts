// The recovery-code vault reminder: due after a code is shown, until confirmed; snooze hides it
// for a while; a new code (used or replaced) makes it due again. The code itself is never kept.
import { beforeEach, describe, expect, test } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { confirm, isReminderDue, onRecoveryCodeShown, snooze, SNOOZE_MS, wakeUp, type ReminderState } from "../../extension/lib/reminder";
import { remindAboutRecoveryCode, setReminder, wakeReminder, REMINDER_ALARM } from "../../extension/lib/router";
import { reminderItem } from "../../extension/lib/storage";
import { NOW } from "./fixtures";

const none: ReminderState = { status: "none" };

describe("state machine", () => {
  test("none -> due -> snoozed -> due again -> confirmed", () => {
    const due = onRecoveryCodeShown(none, "enrolled", NOW);
    expect(due).toEqual({ status: "due", cause: "enrolled", since: NOW });
    const snoozed = snooze(due, NOW + 1000);
    expect(snoozed).toEqual({ status: "snoozed", cause: "enrolled", since: NOW, until: NOW + 1000 + SNOOZE_MS });
    expect(isReminderDue(snoozed, NOW + 2000)).toBe(false);
    expect(isReminderDue(snoozed, NOW + 1000 + SNOOZE_MS)).toBe(true);
    expect(wakeUp(snoozed, NOW + 1000 + SNOOZE_MS)).toEqual(due);
    expect(confirm(due, NOW + 5000)).toEqual({ status: "confirmed", at: NOW + 5000 });
  });

  test("a code used or replaced after confirming makes it due again with that cause", () => {
    const confirmed: ReminderState = { status: "confirmed", at: NOW };
    expect(onRecoveryCodeShown(confirmed, "replaced", NOW + 1)).toEqual({ status: "due", cause: "replaced", since: NOW + 1 });
    const snoozed = snooze(onRecoveryCodeShown(none, "enrolled", NOW), NOW);
    expect(onRecoveryCodeShown(snoozed, "replaced", NOW + 2)).toEqual({ status: "due", cause: "replaced", since: NOW + 2 });
  });

  test("reloading the page while due keeps the same state object", () => {
    const due = onRecoveryCodeShown(none, "enrolled", NOW);
    expect(onRecoveryCodeShown(due, "enrolled", NOW + 60_000)).toBe(due);
  });

  test("snooze and confirm do nothing when no reminder is pending", () => {
    expect(snooze(none, NOW)).toBe(none);
    expect(confirm(none, NOW)).toBe(none);
    const confirmed: ReminderState = { status: "confirmed", at: NOW };
    expect(snooze(confirmed, NOW)).toBe(confirmed);
  });
});

describe("in the background (fakeBrowser)", () => {
  const deps = { now: () => NOW };
  beforeEach(() => fakeBrowser.reset());

  test("a recovery-code page raises a notification and the '!' badge, stored without any code", async () => {
    await remindAboutRecoveryCode(deps, "enrolled");
    expect(await reminderItem.getValue()).toEqual({ status: "due", cause: "enrolled", since: NOW });
    expect(Object.keys(fakeBrowser.notifications.getAllCreateOptions())).toEqual(["reminder"]);
    expect(await fakeBrowser.action.getBadgeText({})).toBe("!");
    // Only the state machine's own fields are kept: nothing of the page, no code.
    expect(await fakeBrowser.storage.local.get(null)).toEqual({ recoveryReminder: { status: "due", cause: "enrolled", since: NOW } });
  });

  test("snooze sets a wake-up alarm; the alarm makes it due and notifies again; confirm clears all", async () => {
    await remindAboutRecoveryCode(deps, "enrolled");
    await fakeBrowser.notifications.clear("reminder");
    await setReminder(deps, snooze(await reminderItem.getValue(), NOW));
    expect((await fakeBrowser.alarms.get(REMINDER_ALARM))?.scheduledTime).toBe(NOW + SNOOZE_MS);
    expect(await fakeBrowser.action.getBadgeText({})).toBe("");

    await wakeReminder({ now: () => NOW + SNOOZE_MS });
    expect((await reminderItem.getValue()).status).toBe("due");
    expect(Object.keys(fakeBrowser.notifications.getAllCreateOptions())).toEqual(["reminder"]);

    await setReminder(deps, confirm(await reminderItem.getValue(), NOW + SNOOZE_MS));
    expect(await fakeBrowser.alarms.get(REMINDER_ALARM)).toBeUndefined();
    expect(fakeBrowser.notifications.getAllCreateOptions()).toEqual({});
    expect(await fakeBrowser.action.getBadgeText({})).toBe("");
  });

  test("a second page view while due does not notify twice", async () => {
    await remindAboutRecoveryCode(deps, "enrolled");
    await fakeBrowser.notifications.clear("reminder");
    await remindAboutRecoveryCode({ now: () => NOW + 1000 }, "enrolled");
    expect(fakeBrowser.notifications.getAllCreateOptions()).toEqual({});
  });
});
