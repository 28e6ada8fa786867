// WXT build configuration for the Stepgate browser extension (sources in extension/).
// `npm run build:ext` builds Chrome MV3 and Firefox MV3 into .output/.
import { defineConfig } from "wxt";

/**
 * Chrome's public key for the unpacked build, so the extension id is stable
 * (emiiabilgjclnhgapgnbficagfjjgdlc): a gateway lists `chrome-extension://<id>` in TRUSTED_ORIGINS.
 * Only the public half exists; the store assigns its own id to a published build.
 */
const CHROME_PUBLIC_KEY =
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA/C5OlJf0tYt31W/h87OPx/XaLS5tRQcvZF85Z8sjKck9kMb/oIt8AVakYjEa24TIl/a+BdC4Lg8LgCMWxvvwZ1uVg4r8qjnMMvK1JsFATplJOxskmuA9/nvT8Ygo0jISucmO53kbOPg/LdMXgzdz8Y2sNHA2FZaZqxlJfS4TcxaR4oenpvXTipb1/qFwq4FCpXz4xbrgCxm01pM6nx9niyXYQyU7m7l4/BkyGnhZ3traZitHq+K6AGiET40nJS9bQXMdnw8LihGA2HugNpFN4e/2QtqUpoN4jMi46DwWLU/BG/2WPCcV9AcPAutDt3FjRXuNdN3dxKMYFtVbALXPfQIDAQAB";

/** Firefox's stable add-on id (its Origin is still a per-install moz-extension://<uuid>). */
const GECKO_ID = "extension@stepgate.dev";

export default defineConfig({
  srcDir: "extension",
  publicDir: "extension/public",
  modules: ["@wxt-dev/webextension-polyfill"],
  manifest: ({ browser }) => ({
    name: "__MSG_extName__",
    description: "__MSG_extDescription__",
    default_locale: "en",
    action: { default_title: "__MSG_extName__" },
    // Least privilege. storage: settings and reminder state; alarms: the polling schedule;
    // notifications: the challenge and reminder prompts; scripting: the gateway content script,
    // registered at run time for exactly the watched origins.
    permissions: ["storage", "alarms", "notifications", "scripting"],
    // No host access at install: the options page asks for each gateway origin the person adds.
    host_permissions: [],
    optional_host_permissions: ["https://*/*", "http://localhost/*", "http://127.0.0.1/*"],
    ...(browser === "firefox"
      ? {
          browser_specific_settings: {
            // Firefox asks every new add-on to declare what it collects: nothing.
            gecko: { id: GECKO_ID, strict_min_version: "140.0", data_collection_permissions: { required: ["none"] } },
          },
        }
      : { key: CHROME_PUBLIC_KEY }),
  }),
});
