/**
 * `npm start`: build the web app only when the checkout changed since the last build
 * (SPEC §2: a second start on an unchanged checkout starts in seconds), then serve it.
 *
 * "Changed" is a SHA-256 over the contents of every file the build reads — everything in the
 * checkout but dependencies, data, build output, tests, benchmarks and docs — plus the
 * lockfile; it is written beside Next's BUILD_ID after a successful build.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const DIST = path.resolve(ROOT, process.env.NEXT_DIST_DIR || ".next");
const STAMP = path.join(DIST, "signalbox-build-inputs");

/** Top-level entries the web app's build never reads. */
const SKIP = new Set([
  "node_modules",
  ".git",
  ".data",
  ".ci",
  "tests",
  "e2e",
  "bench",
  "docs",
  "cli",
  "scripts",
  "examples",
  "test-results",
  "playwright-report",
]);

function* inputs(dir: string, top: boolean): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (top && (SKIP.has(entry.name) || entry.name.startsWith(".next"))) continue;
    if (entry.isDirectory()) yield* inputs(full, false);
    else if (entry.isFile() && !/\.(md|tsbuildinfo)$/.test(entry.name)) yield full;
  }
}

/** The digest of the build's inputs (paths and contents). */
export function buildInputsDigest(root = ROOT): string {
  const hash = crypto.createHash("sha256");
  for (const file of inputs(root, true)) {
    hash.update(path.relative(root, file)).update("\0").update(fs.readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

function upToDate(digest: string): boolean {
  if (!fs.existsSync(path.join(DIST, "BUILD_ID"))) return false;
  return fs.existsSync(STAMP) && fs.readFileSync(STAMP, "utf8").trim() === digest;
}

const digest = buildInputsDigest();
if (process.env.SIGNALBOX_NO_NEXT === "1") {
  // The API alone: no pages, nothing to build.
} else if (upToDate(digest)) {
  console.log("Web app build is up to date: starting.");
} else {
  console.log("Building the web app (next build); later starts skip this while the checkout is unchanged.");
  const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
  const built = spawnSync(process.execPath, [nextBin, "build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (built.status !== 0) {
    console.error(
      "The web app failed to build (the error is above): fix it, or run npm ci if dependencies are missing.",
    );
    process.exit(1);
  }
  // After the build: it may rewrite an input of its own (next-env.d.ts).
  fs.writeFileSync(STAMP, `${buildInputsDigest()}\n`);
}

Object.assign(process.env, { NODE_ENV: "production" });
await import("../server");
