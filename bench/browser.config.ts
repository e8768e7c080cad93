import path from "node:path";
import { defineConfig, type PlaywrightTestConfig } from "@playwright/test";
import base from "../playwright.config";

/**
 * `npm run bench:browser`: the e2e setup (built app, fresh embedded PostgreSQL, system
 * Chromium) running bench/browser.spec.ts, which measures and reports rather than asserts.
 */
export default defineConfig({
  ...base,
  testDir: ".",
  testMatch: "browser.spec.ts",
  testIgnore: [],
  timeout: 300_000,
  reporter: [["line"]],
  use: { ...base.use, trace: "off", screenshot: "off" },
  // The app's build and server run from the project root, as for the e2e tier.
  webServer: {
    ...(base.webServer as NonNullable<PlaywrightTestConfig["webServer"]> & object),
    cwd: path.resolve(import.meta.dirname, ".."),
  },
});
