// The background watcher against fakeBrowser and a scripted gateway: snapshots in session storage,
// the badge count, one notification per new challenge, the payments idle prompt.
import { beforeEach, describe, expect, test } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { badgeFor, countPending } from "../../extension/lib/badge";
import { IDLE_PROMPT_BEFORE_MS } from "../../extension/lib/countdown";
import { gatewaysItem, reminderItem, snapshotsItem } from "../../extension/lib/storage";
import { IDLE_ALARM_PREFIX, pollOpenGateways, promptIdleOnce, refreshAll, refreshGateway, type WatcherDeps } from "../../extension/lib/watcher";
import { challenge, GATEWAY, NOW, OTHER, scriptedFetch } from "./fixtures";

function deps(routes: Parameters<typeof scriptedFetch>[0], granted = true): WatcherDeps & { calls: ReturnType<typeof scriptedFetch>["calls"] } {
  const { fetch, calls } = scriptedFetch(routes);
  return { fetch, calls, now: () => NOW, hasAccess: async () => granted };
}

const pending = (...challenges: ReturnType<typeof challenge>[]) => ({ "/api/challenges": { status: 200, body: { challenges } } });

beforeEach(async () => {
  fakeBrowser.reset();
  await gatewaysItem.setValue([GATEWAY]);
});

describe("badge", () => {
  test("counts unexpired challenges across gateways, caps at 9+, shows ! for a due reminder", () => {
    const snap = (n: number, expiresAt = NOW + 1000) => ({
      status: "ok" as const,
      challenges: Array.from({ length: n }, (_, i) => challenge({ id: `chal_${String(i).padStart(16, "0")}`, expiresAt })),
      idleExpiresAt: null,
      checkedAt: NOW,
    });
    expect(countPending({ a: snap(2), b: snap(1), c: snap(3, NOW) }, NOW)).toBe(3);
    expect(badgeFor(0, false).text).toBe("");
    expect(badgeFor(0, true).text).toBe("!");
    expect(badgeFor(1, true).text).toBe("1");
    expect(badgeFor(12, false).text).toBe("9+");
  });
});

describe("refreshGateway", () => {
  test("stores the challenges in session storage, sets the badge and notifies once per challenge", async () => {
    const d = deps(pending(challenge()));
    await refreshGateway(d, GATEWAY);
    expect((await snapshotsItem.getValue())[GATEWAY.origin]).toMatchObject({ status: "ok", challenges: [challenge()], idleExpiresAt: null });
    expect(await fakeBrowser.storage.local.get("snapshots")).toEqual({}); // never written to disk storage
    expect(await fakeBrowser.action.getBadgeText({})).toBe("1");
    const notes = fakeBrowser.notifications.getAllCreateOptions();
    expect(Object.keys(notes)).toEqual([`challenge|${GATEWAY.origin}`]);
    expect(notes[`challenge|${GATEWAY.origin}`]?.message).toBe("Submit disbursement of $12,400.00 to Acme Drywall on app.example.com. Click to enter your code.");

    await fakeBrowser.notifications.clear(`challenge|${GATEWAY.origin}`);
    await refreshGateway(d, GATEWAY);
    expect(fakeBrowser.notifications.getAllCreateOptions()).toEqual({}); // the same challenge is not announced twice
  });

  test("asks with the person's session and nothing else", async () => {
    const d = deps(pending());
    await refreshGateway(d, GATEWAY);
    expect(d.calls.map((call) => call.url).sort()).toEqual([`${GATEWAY.origin}/_stepgate/api/challenges`, `${GATEWAY.origin}/_stepgate/api/me`]);
    for (const call of d.calls) {
      expect(call.init).toMatchObject({ credentials: "include", cache: "no-store" });
      expect(call.init?.headers).toMatchObject({ "Stepgate-Passive": "1" }); // a poll is not the person's activity
    }
  });

  test.each([
    ["signed out", { "/api/challenges": { status: 401, body: { error: { code: "UNAUTHENTICATED", message: "x" } } } }, "signed_out"],
    ["a body that is not the protocol", { "/api/challenges": { status: 200, body: { challenges: [{ id: "x" }] } } }, "unreachable"],
    ["a network error", { "/api/challenges": "network-error" as const }, "unreachable"],
  ])("%s clears the badge and records the state", async (_name, routes, status) => {
    await refreshGateway(deps(pending(challenge())), GATEWAY);
    await refreshGateway(deps(routes), GATEWAY);
    expect((await snapshotsItem.getValue())[GATEWAY.origin]).toMatchObject({ status, challenges: [] });
    expect(await fakeBrowser.action.getBadgeText({})).toBe("");
  });

  test("a pending challenge outranks a due reminder on the badge", async () => {
    await reminderItem.setValue({ status: "due", cause: "enrolled", since: NOW });
    await refreshGateway(deps(pending()), GATEWAY);
    expect(await fakeBrowser.action.getBadgeText({})).toBe("!");
    await refreshGateway(deps(pending(challenge())), GATEWAY);
    expect(await fakeBrowser.action.getBadgeText({})).toBe("1");
  });
});

describe("payments idle", () => {
  const me = (idleExpiresAt: number | null) => ({ "/api/me": { status: 200, body: { user: {}, payments: idleExpiresAt === null ? null : { idleExpiresAt, lastSeenAt: NOW } } } });

  test("a far deadline sets an alarm a few minutes before it; no prompt yet", async () => {
    const deadline = NOW + 15 * 60_000;
    await refreshGateway(deps({ ...pending(), ...me(deadline) }), GATEWAY);
    expect((await snapshotsItem.getValue())[GATEWAY.origin]?.idleExpiresAt).toBe(deadline);
    expect((await fakeBrowser.alarms.get(`${IDLE_ALARM_PREFIX}${GATEWAY.origin}`))?.scheduledTime).toBe(deadline - IDLE_PROMPT_BEFORE_MS);
    expect(fakeBrowser.notifications.getAllCreateOptions()).toEqual({});
  });

  test("inside the window it prompts at once, and only once per deadline", async () => {
    const deadline = NOW + 2 * 60_000;
    const d = deps({ ...pending(), ...me(deadline) });
    await refreshGateway(d, GATEWAY);
    const notes = fakeBrowser.notifications.getAllCreateOptions();
    expect(notes[`idle|${GATEWAY.origin}`]?.message).toBe("Your payments session ends in 2:00. Use the payments page to stay in.");
    await fakeBrowser.notifications.clear(`idle|${GATEWAY.origin}`);
    expect(await promptIdleOnce(d, GATEWAY, deadline)).toBe(false);
    await refreshGateway(d, GATEWAY);
    expect(fakeBrowser.notifications.getAllCreateOptions()).toEqual({});
    // Activity moved the deadline: the new one prompts again when it comes near.
    expect(await promptIdleOnce({ now: () => NOW + 60_000 }, GATEWAY, deadline + 60_000)).toBe(true);
  });

  test("no payments state (null or absent) means no alarm", async () => {
    await refreshGateway(deps({ ...pending(), ...me(null) }), GATEWAY);
    await refreshGateway(deps({ ...pending(), "/api/me": { status: 200, body: { user: {} } } }), GATEWAY);
    expect(await fakeBrowser.alarms.getAll()).toEqual([]);
    expect((await snapshotsItem.getValue())[GATEWAY.origin]?.idleExpiresAt).toBeNull();
  });
});

describe("which gateways are asked", () => {
  test("a gateway without granted access is never contacted", async () => {
    const d = deps(pending(challenge()), false);
    await refreshAll(d);
    expect(d.calls).toEqual([]);
  });

  test("refreshAll forgets gateways that are no longer watched", async () => {
    await snapshotsItem.setValue({ [OTHER.origin]: { status: "ok", challenges: [challenge()], idleExpiresAt: null, checkedAt: NOW } });
    await refreshAll(deps(pending()));
    expect(Object.keys(await snapshotsItem.getValue())).toEqual([GATEWAY.origin]);
  });

  test("the poll skips a gateway with no open tab and nothing pending", async () => {
    const d = deps(pending(challenge()));
    await pollOpenGateways(d);
    expect(d.calls).toEqual([]);
    await fakeBrowser.tabs.create({ url: `${GATEWAY.origin}/payments/` });
    await pollOpenGateways(d);
    expect(d.calls.length).toBe(2);
  });
});
