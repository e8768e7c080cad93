import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3111);
/** Separate data dirs / build dirs let two e2e runs coexist on one machine. */
const DATA_DIR = process.env.E2E_DATA_DIR ?? ".data/e2e";
export const E2E_ADMIN_TOKEN = "sbx_e2e_admin_token_for_tests_only";

/**
 * Browser tier: the real app (`next build` + custom server) on a fresh embedded
 * PostgreSQL data dir, driven by the system Chromium.
 */
export default defineConfig({
  testDir: "e2e",
  // The README screenshot specs take pictures rather than test: `npm run screenshots`.
  testIgnore: process.env.SCREENSHOTS === "1" ? [] : ["**/*-screenshots.spec.ts"],
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], viewport: { width: 1440, height: 900 } } }],
  webServer: {
    command: `rm -rf ${DATA_DIR} && npm run build && NODE_ENV=production node --import tsx server.ts`,
    url: `http://127.0.0.1:${PORT}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    // The server's warnings and errors in the test output: a page that fails says why.
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      SIGNALBOX_DATA_DIR: DATA_DIR,
      SIGNALBOX_ADMIN_TOKEN: E2E_ADMIN_TOKEN,
      SIGNALBOX_ALLOW_COMMANDS: "1",
      // The webhook specs' receivers listen on this loopback address (e2e/webhook-receiver.ts).
      SIGNALBOX_HTTP_ALLOWED_HOSTS: process.env.SIGNALBOX_HTTP_ALLOWED_HOSTS ?? "127.0.0.9",
      LOG_LEVEL: "warn",
    },
  },
});
