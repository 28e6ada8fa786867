// Both builds as shipped: Chrome MV3 and Firefox MV3 manifests with the least permissions, no
// install-time host access, default CSP, the stable ids, locales and icons; no eval in the code.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EXTENSION_ID } from "./fixtures";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let outDir: string;
const read = (browser: string, file: string) => readFileSync(join(outDir, `${browser}-mv3`, file), "utf8");
const manifest = (browser: string) => JSON.parse(read(browser, "manifest.json"));

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), "stepgate-wxt-"));
  // A separate process, so the build runs exactly as `npm run build:ext` (not under the test plugin).
  const script = `const { build } = await import("wxt");
    await build({ browser: "chrome", manifestVersion: 3, outDir: process.argv[1] });
    await build({ browser: "firefox", manifestVersion: 3, outDir: process.argv[1] });`;
  execFileSync(process.execPath, ["--input-type=module", "-e", script, outDir], { cwd: ROOT, stdio: "pipe" });
}, 60_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe.each(["chrome", "firefox"])("%s MV3 build", (browser) => {
  test("asks for the least permissions and no host access at install", () => {
    const m = manifest(browser);
    expect(m.manifest_version).toBe(3);
    expect(m.permissions).toEqual(["storage", "alarms", "notifications", "scripting"]);
    expect(m.host_permissions ?? []).toEqual([]);
    expect(m.optional_host_permissions).toEqual(["https://*/*", "http://localhost/*", "http://127.0.0.1/*"]);
    expect(m.content_scripts).toBeUndefined(); // registered at run time for the watched gateways only
    expect(JSON.stringify(m)).not.toContain("<all_urls>");
    expect(m.content_security_policy).toBeUndefined(); // the default MV3 policy
    expect(m.web_accessible_resources).toBeUndefined();
  });

  test("has locales, icons, popup, options and the gateway content script", () => {
    const m = manifest(browser);
    expect(m.name).toBe("__MSG_extName__");
    expect(m.default_locale).toBe("en");
    const messages = JSON.parse(read(browser, "_locales/en/messages.json"));
    expect(messages.extName.message).toBe("Stepgate");
    expect(Object.keys(m.icons)).toEqual(["16", "32", "48", "128"]);
    for (const icon of Object.values<string>(m.icons)) expect(read(browser, icon).slice(1, 4)).toBe("PNG");
    expect(m.action.default_popup).toBe("popup.html");
    expect(m.options_ui.page).toBe("options.html");
    expect(existsSync(join(outDir, `${browser}-mv3`, "content-scripts/gateway.js"))).toBe(true);
  });

  test("contains no eval or Function constructor", () => {
    const dir = join(outDir, `${browser}-mv3`);
    const scripts = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(3);
    for (const file of scripts) {
      const code = readFileSync(join(dir, file), "utf8");
      expect(code, file).not.toMatch(/\beval\s*\(|new Function\s*\(|\bFunction\s*\(\s*["'`]/);
    }
  });
});

test("Chrome: manifest.key gives the documented stable id; service worker background", () => {
  const m = manifest("chrome");
  const hash = createHash("sha256").update(Buffer.from(m.key, "base64")).digest("hex").slice(0, 32);
  expect([...hash].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join("")).toBe(EXTENSION_ID);
  expect(m.background).toEqual({ service_worker: "background.js" });
  expect(m.browser_specific_settings).toBeUndefined();
});

test("Firefox: gecko id, minimum version, no data collection, event-page background, no Chrome key", () => {
  const m = manifest("firefox");
  expect(m.browser_specific_settings.gecko).toEqual({
    id: "extension@stepgate.dev",
    strict_min_version: "140.0",
    data_collection_permissions: { required: ["none"] },
  });
  expect(m.background).toEqual({ scripts: ["background.js"] });
  expect(m.key).toBeUndefined();
});
