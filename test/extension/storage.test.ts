// Storage items: declared once with fallbacks; settings and reminder in local, gateway answers in
// session (memory only) storage.
import { beforeEach, expect, test } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { addGateway, removeGateway, type PermissionPort } from "../../extension/lib/gateway-settings";
import { gatewaysItem, idlePromptedItem, notifiedItem, reminderItem, snapshotsItem } from "../../extension/lib/storage";
import { challenge, GATEWAY, NOW } from "./fixtures";

beforeEach(() => fakeBrowser.reset());

test("fallbacks before anything is stored", async () => {
  expect(await gatewaysItem.getValue()).toEqual([]);
  expect(await reminderItem.getValue()).toEqual({ status: "none" });
  expect(await snapshotsItem.getValue()).toEqual({});
  expect(await notifiedItem.getValue()).toEqual([]);
  expect(await idlePromptedItem.getValue()).toEqual({});
});

test("gateway answers go to session storage, settings to local storage", async () => {
  await gatewaysItem.setValue([GATEWAY]);
  await snapshotsItem.setValue({ [GATEWAY.origin]: { status: "ok", challenges: [challenge()], idleExpiresAt: null, checkedAt: NOW } });
  expect(Object.keys(await fakeBrowser.storage.local.get(null)).sort()).toEqual(["gateways"]);
  expect(Object.keys(await fakeBrowser.storage.session.get(null))).toEqual(["snapshots"]);
});

function permissions(granted: boolean) {
  const log: string[] = [];
  const port: PermissionPort = {
    request: async (origins) => (log.push(`request ${origins.join(",")}`), granted),
    remove: async (origins) => (log.push(`remove ${origins.join(",")}`), true),
  };
  return { port, log };
}

test("a gateway is saved only after access to exactly its host was granted", async () => {
  const granted = permissions(true);
  expect(await addGateway("https://app.example.com/_stepgate/login", granted.port)).toEqual({ ok: true, gateway: GATEWAY });
  expect(granted.log).toEqual(["request https://app.example.com/*"]);
  expect(await gatewaysItem.getValue()).toEqual([GATEWAY]);

  const denied = permissions(false);
  expect(await addGateway("https://other.example.com", denied.port)).toEqual({ ok: false, reason: "denied" });
  expect(await addGateway("http://plain.example.com", denied.port)).toEqual({ ok: false, reason: "invalid" });
  expect(denied.log).toEqual(["request https://other.example.com/*"]);
  expect(await gatewaysItem.getValue()).toEqual([GATEWAY]);
});

test("adding the same gateway twice keeps one entry; removing the last one on a host gives access back", async () => {
  const { port, log } = permissions(true);
  await addGateway("https://app.example.com", port);
  await addGateway("https://app.example.com:8443", port);
  await addGateway("app.example.com", port);
  expect((await gatewaysItem.getValue()).map((g) => g.origin)).toEqual(["https://app.example.com:8443", "https://app.example.com"]);
  await removeGateway("https://app.example.com", port);
  expect(log.filter((line) => line.startsWith("remove"))).toEqual([]); // :8443 still needs the host
  await removeGateway("https://app.example.com:8443", port);
  expect(log.filter((line) => line.startsWith("remove"))).toEqual(["remove https://app.example.com/*"]);
  expect(await gatewaysItem.getValue()).toEqual([]);
});
