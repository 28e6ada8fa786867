// WXT build configuration for the Stepgate browser extension (sources in extension/).
// `npm run build:ext` builds Chrome MV3 and Firefox MV3 into .output/.
import { defineConfig } from "wxt";

export default defineConfig({
  srcDir: "extension",
  publicDir: "extension/public",
  modules: ["@wxt-dev/webextension-polyfill"],
  manifest: ({ browser }) => ({
    name: "Stepgate",
    description: "Shows Stepgate sign-in and payment approval challenges and takes your verification code.",
    // Least privilege: settings and reminder state only; no host permissions.
    permissions: ["storage"],
    // Firefox asks every new add-on to declare what it collects: nothing.
    ...(browser === "firefox"
      ? { browser_specific_settings: { gecko: { data_collection_permissions: { required: ["none"] } } } }
      : {}),
  }),
});
